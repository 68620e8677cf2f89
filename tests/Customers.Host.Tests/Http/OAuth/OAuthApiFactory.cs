using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using Customers.Testing;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Logging;
using Xunit;

namespace Customers.Host.Tests.Http.OAuth;

/// <summary>
/// The host with three redirect providers pointed at a <see cref="FakeIdentityProvider"/> on loopback: <c>google</c>
/// (type google, issuer overridden), <c>keycloak</c> (a generic OpenID Connect provider, by issuer URL, Basic client
/// authentication) and <c>github</c> (type github, endpoints overridden). Every log line the host writes, at every
/// level, is kept in <see cref="Logs"/> so tests can check that no secret reaches a log.
/// </summary>
public sealed class OAuthApiFactory : CustomersApiFactory
{
    public const string GoogleClientId = "google-client.apps.example";
    public const string KeycloakClientId = "storefront";
    public const string GitHubClientId = "Iv1.github-client";

    public static readonly string[] GoogleCallbacks = ["https://shop.example/auth/google/callback", "https://m.shop.example/auth/callback"];
    public static readonly string[] KeycloakCallbacks = ["https://shop.example/auth/keycloak/callback"];
    public static readonly string[] GitHubCallbacks = ["https://shop.example/auth/github/callback"];

    public FakeIdentityProvider Idp { get; } = new();

    public string GoogleSecret { get; } = "google-secret-" + RandomNumberGenerator.GetHexString(24);

    public string KeycloakSecret { get; } = "keycloak-secret-" + RandomNumberGenerator.GetHexString(24);

    public string GitHubSecret { get; } = "github-secret-" + RandomNumberGenerator.GetHexString(24);

    public ConcurrentQueue<string> Logs { get; } = new();

    protected override string DatabasePrefix => "http_oauth";

    protected override async Task StartDependenciesAsync()
    {
        Idp.AddClient("google", GoogleClientId, GoogleSecret, "client_secret_post")
            .AddClient("keycloak", KeycloakClientId, KeycloakSecret)
            .AddClient("github", GitHubClientId, GitHubSecret);
        await Idp.StartAsync();
    }

    protected override IEnumerable<KeyValuePair<string, string>> OverrideSettings()
    {
        var settings = new Dictionary<string, string>
        {
            // Everything the host logs reaches the capture (Orleans and ASP.NET Core stay at Warning).
            ["Logging:LogLevel:Default"] = "Trace",

            // A second actor type that may use google, so a state can be tried against another actor type.
            ["Customers:Auth:MethodsPerActor:seller:0"] = "google",

            ["Customers:Auth:Providers:google:Type"] = "google",
            ["Customers:Auth:Providers:google:Issuer"] = Idp.Issuer("google"),
            ["Customers:Auth:Providers:google:ClientId"] = GoogleClientId,
            ["Customers:Auth:Providers:google:ClientSecret"] = GoogleSecret,

            ["Customers:Auth:Providers:keycloak:Type"] = "oidc",
            ["Customers:Auth:Providers:keycloak:Issuer"] = Idp.Issuer("keycloak"),
            ["Customers:Auth:Providers:keycloak:ClientId"] = KeycloakClientId,
            ["Customers:Auth:Providers:keycloak:ClientSecret"] = KeycloakSecret,
            ["Customers:Auth:Providers:keycloak:DisplayName"] = "Staff SSO",

            ["Customers:Auth:Providers:github:Type"] = "github",
            ["Customers:Auth:Providers:github:ClientId"] = GitHubClientId,
            ["Customers:Auth:Providers:github:ClientSecret"] = GitHubSecret,
            ["Customers:Auth:Providers:github:AuthorizationEndpoint"] = Idp.BaseUrl + "/github/login/oauth/authorize",
            ["Customers:Auth:Providers:github:TokenEndpoint"] = Idp.BaseUrl + "/github/login/oauth/access_token",
            ["Customers:Auth:Providers:github:ApiBaseUrl"] = Idp.BaseUrl + "/github/api",
        };
        AddList(settings, "google", GoogleCallbacks);
        AddList(settings, "keycloak", KeycloakCallbacks);
        AddList(settings, "github", GitHubCallbacks);
        return settings;
    }

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureLogging(logging => logging.AddProvider(new CapturingLoggerProvider(Logs)));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        await Idp.DisposeAsync();
    }

    /// <summary>Starts a sign-in (<c>POST /auth/customer/{provider}</c>) and answers the <c>location</c>.</summary>
    public async Task<Uri> StartAsync(string provider, object? body = null)
    {
        var response = (await Api.PostAsync($"/auth/customer/{provider}", body ?? new { })).Expect(HttpStatusCode.OK);
        return new Uri(response.Object["location"]!.GetValue<string>());
    }

    /// <summary>The storefront's callback page calling <c>GET /auth/customer/{provider}/callback?code=…&amp;state=…</c>.</summary>
    public Task<ApiResponse> CallbackAsync(string provider, string code, string state) =>
        Api.GetAsync($"/auth/customer/{provider}/callback?code={Uri.EscapeDataString(code)}&state={Uri.EscapeDataString(state)}");

    /// <summary>A whole sign-in of <paramref name="user"/>: start, sign in at the provider, callback.</summary>
    public async Task<ApiResponse> SignInAsync(string provider, FakeUser user, Forgery? forgery = null)
    {
        var location = await StartAsync(provider);
        var code = Idp.Authorize(location, user, forgery);
        return await CallbackAsync(provider, code, StateOf(location));
    }

    public static string StateOf(Uri location) =>
        Microsoft.AspNetCore.WebUtilities.QueryHelpers.ParseQuery(location.Query)["state"].ToString();

    private static void AddList(Dictionary<string, string> settings, string provider, string[] urls)
    {
        for (var i = 0; i < urls.Length; i++)
        {
            settings[$"Customers:Auth:Providers:{provider}:CallbackUrls:{i}"] = urls[i];
        }
    }

    private sealed class CapturingLoggerProvider(ConcurrentQueue<string> lines) : ILoggerProvider
    {
        public ILogger CreateLogger(string categoryName) => new CapturingLogger(categoryName, lines);

        public void Dispose()
        {
        }
    }

    private sealed class CapturingLogger(string category, ConcurrentQueue<string> lines) : ILogger
    {
        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            var properties = state is IEnumerable<KeyValuePair<string, object?>> pairs
                ? string.Join(" ", pairs.Select(p => $"{p.Key}={p.Value}"))
                : "";
            lines.Enqueue($"{logLevel} {category}: {formatter(state, exception)} {properties} {exception}");
        }
    }
}

/// <summary>The xunit collection sharing one <see cref="OAuthApiFactory"/>.</summary>
[CollectionDefinition(Name)]
public sealed class OAuthCollection : ICollectionFixture<OAuthApiFactory>
{
    public const string Name = "OAuth API";
}
