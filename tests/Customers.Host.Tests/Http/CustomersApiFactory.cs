using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Customers.Host.Auth;
using Customers.Host.Stores;
using Customers.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Mvc.Testing;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Customers.Host.Tests.Http;

/// <summary>
/// The real host (ASP.NET Core + a co-hosted Orleans silo) in the test process, on its own freshly migrated database
/// and its own silo/gateway ports, with a publishable key of its own. Shared by the test classes of
/// <see cref="HttpCollection"/>; every test creates its own data (unique e-mails), so tests never see each other.
/// </summary>
/// <remarks>
/// Settings go through <c>UseSetting</c>: the host reads cluster and database settings while it configures Orleans,
/// before <c>ConfigureAppConfiguration</c> sources would be applied.
/// </remarks>
public class CustomersApiFactory : WebApplicationFactory<Program>, IAsyncLifetime
{
    /// <summary>Per-IP limits high enough that no test of the shared factory ever meets them (the TestServer has no
    /// remote address, so every request lands in one partition). Limit tests use their own factory.</summary>
    private const string UnreachableLimit = "1000000";

    private string? _connectionString;
    private HttpClient? _http;

    /// <summary>The HMAC secret tokens are signed with: 64 random hex characters, used as UTF-8 bytes.</summary>
    public string JwtSecret { get; } = RandomNumberGenerator.GetHexString(64, lowercase: true);

    public byte[] JwtKey => Encoding.UTF8.GetBytes(JwtSecret);

    /// <summary>The key TOTP secrets are sealed with.</summary>
    public string MfaEncryptionKey { get; } = RandomNumberGenerator.GetHexString(64, lowercase: true);

    /// <summary>The host's clock: system time plus an offset that tests may move forward (never back).</summary>
    public AdjustableClock Clock { get; } = new();

    public string ConnectionString =>
        _connectionString ?? throw new InvalidOperationException("The database is created in InitializeAsync.");

    public string PublishableKey { get; private set; } = "";

    /// <summary>A client that sends <see cref="PublishableKey"/> on every request (as the SDK does when configured).</summary>
    public ApiClient Api => new(Http, PublishableKey);

    /// <summary>The same client without any publishable key.</summary>
    public ApiClient Anonymous => new(Http, null);

    /// <summary>The same client sending <paramref name="key"/> as the publishable key.</summary>
    public ApiClient WithPublishableKey(string key) => new(Http, key);

    private HttpClient Http => _http ?? throw new InvalidOperationException("The client is created in InitializeAsync.");

    /// <summary>Waits until work the host started after answering (a password reset request's) has finished.</summary>
    public Task WhenBackgroundWorkDoneAsync() => Services.GetRequiredService<BackgroundWork>().WhenIdleAsync();

    protected virtual string DatabasePrefix => "http_api";

    public async Task InitializeAsync()
    {
        await StartDependenciesAsync();
        _connectionString = await CreateDatabaseAsync();

        // Starts the host. Cookie handling is off: session tests send connect.sid explicitly, and a cookie jar would
        // carry one test's session into the next request.
        _http = CreateClient(new WebApplicationFactoryClientOptions { AllowAutoRedirect = false, HandleCookies = false });
        var key = await Services.GetRequiredService<ApiKeyStore>()
            .CreateAsync(ApiKeyStore.KeyType.Publishable, "HTTP tests", "user_http_tests", CancellationToken.None);
        PublishableKey = key.Token;
    }

    async Task IAsyncLifetime.DisposeAsync()
    {
        _http?.Dispose();
        await DisposeAsync();
    }

    /// <summary>Runs before the host starts: a subclass starts what its settings point at (e.g. a fake identity provider).</summary>
    protected virtual Task StartDependenciesAsync() => Task.CompletedTask;

    /// <summary>The database this host runs on: a new, migrated one unless a subclass reuses another host's.</summary>
    protected virtual Task<string> CreateDatabaseAsync() => PostgresServer.CreateMigratedDatabaseAsync(DatabasePrefix);

    /// <summary>Settings of this factory; a subclass overrides single keys by returning them here.</summary>
    protected virtual IEnumerable<KeyValuePair<string, string>> OverrideSettings() => [];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        var settings = new Dictionary<string, string>(StringComparer.OrdinalIgnoreCase)
        {
            ["ConnectionStrings:Customers"] = ConnectionString,
            ["Customers:Jwt:Secret"] = JwtSecret,
            ["Customers:Mfa:EncryptionKey"] = MfaEncryptionKey,
            ["Customers:Cluster:ClusterId"] = $"http-tests-{Guid.NewGuid():N}",
            ["Customers:Cluster:SiloPort"] = FreeTcpPort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Customers:Cluster:GatewayPort"] = FreeTcpPort().ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Customers:RateLimits:FailedLoginsPerHour"] = UnreachableLimit,
            ["Customers:RateLimits:RegistrationsPerHour"] = UnreachableLimit,
            ["Customers:RateLimits:PasswordResetsPerHour"] = UnreachableLimit,

            // Speed: the production bcrypt factor 11 is 2^7 = 128 times the work of factor 4 (on the order of 100 ms per
            // hash on this 2-core machine, against about 1 ms). The suite registers and logs in several hundred times,
            // and every login hashes (even for an unknown e-mail), so factor 11 would dominate its run time. Factor 4 is
            // below the production floor of 10, which only tests may use; hash format and code path are the same.
            ["Customers:Passwords:WorkFactor"] = "4",

            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Orleans"] = "Warning",
            ["Logging:LogLevel:Microsoft.AspNetCore"] = "Warning",
        };
        foreach (var (key, value) in OverrideSettings())
        {
            settings[key] = value;
        }

        foreach (var (key, value) in settings)
        {
            builder.UseSetting(key, value);
        }

        builder.ConfigureTestServices(services => services.AddSingleton<TimeProvider>(Clock));
    }

    /// <summary>A unique e-mail for one test; the prefix only makes failures easier to read.</summary>
    public static string NewEmail(string prefix = "customer") => $"{prefix}-{Guid.NewGuid():N}@example.com";

    /// <summary>A password that meets the policy (8 to 128 characters, not a common one).</summary>
    public static string NewPassword() => $"quiet-{Guid.NewGuid():N}"[..24];

    /// <summary>Registers an e-mail/password identity and returns the registration (actorless) token.</summary>
    public async Task<string> RegisterAsync(string email, string password)
    {
        var response = await Api.PostAsync("/auth/customer/emailpass/register", new { email, password });
        return response.Expect(HttpStatusCode.OK).Token();
    }

    /// <summary>Logs in at <c>/auth/customer/emailpass</c> and returns the token.</summary>
    public async Task<string> LoginAsync(string email, string password)
    {
        var response = await Api.PostAsync("/auth/customer/emailpass", new { email, password });
        return response.Expect(HttpStatusCode.OK).Token();
    }

    /// <summary>
    /// The storefront's sign-up: register, <c>POST /store/customers</c> with the registration token, log in again for
    /// a token that carries the customer id.
    /// </summary>
    public async Task<TestCustomer> CreateCustomerAsync(JsonObject? profile = null, string? email = null)
    {
        email ??= NewEmail();
        var password = NewPassword();
        var registrationToken = await RegisterAsync(email, password);
        var body = profile ?? new JsonObject { ["first_name"] = "Ada", ["last_name"] = "Lovelace" };
        body["email"] = email;
        var created = (await Api.PostAsync("/store/customers", body, registrationToken)).Expect(HttpStatusCode.OK);
        var customerId = created.Object["customer"]!["id"]!.GetValue<string>();
        var token = await LoginAsync(email, password);
        var identityId = Jwt.Payload(token)["auth_identity_id"]!.GetValue<string>();
        return new TestCustomer(email, password, customerId, identityId, token, registrationToken);
    }

    /// <summary>
    /// Adds an address through the API and returns its id. Ids are ULIDs of millisecond resolution, as in Medusa, so
    /// the clock first moves on by 2 ms: addresses made one after another then sort by id in creation order, which is
    /// what the default list order promises.
    /// </summary>
    public async Task<string> AddAddressAsync(TestCustomer customer, JsonObject address)
    {
        Clock.Advance(TimeSpan.FromMilliseconds(2));
        var before = (await Api.GetAsync("/store/customers/me/addresses?limit=1000", customer.Token)).Expect(HttpStatusCode.OK);
        var known = before.Object["addresses"]!.AsArray().Select(a => a!["id"]!.GetValue<string>()).ToHashSet();
        var response = (await Api.PostAsync("/store/customers/me/addresses", address, customer.Token)).Expect(HttpStatusCode.OK);
        return response.Object["customer"]!["addresses"]!.AsArray()
            .Select(a => a!["id"]!.GetValue<string>())
            .Single(id => !known.Contains(id));
    }

    private static int FreeTcpPort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}

/// <summary>A signed-up customer: its credentials, ids, a login token (with the customer id) and the registration token.</summary>
public sealed record TestCustomer(
    string Email,
    string Password,
    string CustomerId,
    string AuthIdentityId,
    string Token,
    string RegistrationToken);

/// <summary>The xunit collection sharing one <see cref="CustomersApiFactory"/>: one silo start for the whole suite.</summary>
[CollectionDefinition(Name)]
public sealed class HttpCollection : ICollectionFixture<CustomersApiFactory>
{
    public const string Name = "Http API";
}

/// <summary>
/// System time plus a forward-only offset. A <c>FakeTimeProvider</c> cannot drive a whole host: Orleans and the
/// host's own periodic work create timers on the registered <see cref="TimeProvider"/>, and those would never fire.
/// This clock keeps real timers and timestamps and only lets a test make "later" happen at once (for strictly larger
/// <c>iat</c> values, or <c>updated_at</c> that must move) without sleeping.
/// </summary>
public sealed class AdjustableClock : TimeProvider
{
    private long _offsetTicks;

    public override DateTimeOffset GetUtcNow() => System.GetUtcNow().AddTicks(Interlocked.Read(ref _offsetTicks));

    public void Advance(TimeSpan by)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(by, TimeSpan.Zero);
        Interlocked.Add(ref _offsetTicks, by.Ticks);
    }
}
