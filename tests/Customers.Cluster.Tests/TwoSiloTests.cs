using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Xunit;
using Xunit.Abstractions;
using static Customers.Cluster.Tests.MedusaApi;

[assembly: CollectionBehavior(DisableTestParallelization = true)]

namespace Customers.Cluster.Tests;

/// <summary>
/// Real silos in separate processes on one PostgreSQL database, driven over HTTP as a storefront would. Each test has
/// its own database, cluster id and silos; silos are killed on the way out whatever happens.
/// </summary>
public sealed class TwoSiloTests(ITestOutputHelper output)
{
    internal const string Password = "violet-kettle-morning-93";
    private const string InvalidCredentials = "Invalid email or password";

    internal static string NewEmail() => $"{Guid.NewGuid():N}@example.com";

    [Fact]
    public async Task Data_written_through_one_silo_is_served_by_the_other_and_survives_a_restart_of_the_whole_cluster()
    {
        await using var cluster = await SiloCluster.CreateAsync("restart");
        var api = new MedusaApi(cluster.PublishableKey);
        var (a, b) = Pair(await cluster.StartSilosAsync("A", "B"));
        var email = NewEmail();

        var registered = Expect(await api.RegisterAsync(a, email, Password), HttpStatusCode.OK, "register via A");
        var customerId = (string)Expect(await api.CreateCustomerAsync(a, Token(registered), email), HttpStatusCode.OK, "create via A")
            .Body!["customer"]!["id"]!;
        var token = Token(Expect(await api.LoginAsync(a, email, Password), HttpStatusCode.OK, "login via A"));
        var withAddress = Expect(await api.AddAddressAsync(a, token, "Aarhus"), HttpStatusCode.OK, "add address via A");
        var addressId = (string)withAddress.Body!["customer"]!["addresses"]![0]!["id"]!;

        AssertMe(await api.GetMeAsync(b, token), customerId, email, addressId);

        var exitCodes = await Task.WhenAll(a.StopAsync(), b.StopAsync());
        Assert.Equal([0, 0], exitCodes);
        var (c, d) = Pair(await cluster.StartSilosAsync("C", "D"));

        // Nothing of A or B is left but PostgreSQL: the old token (same secret) and a new login both see the data.
        AssertMe(await api.GetMeAsync(d, token), customerId, email, addressId);
        var relogin = Token(Expect(await api.LoginAsync(c, email, Password), HttpStatusCode.OK, "login via C"));
        AssertMe(await api.GetMeAsync(c, relogin), customerId, email, addressId);
        AssertMe(await api.GetMeAsync(d, relogin), customerId, email, addressId);
    }

    [Fact]
    public async Task Concurrent_registrations_of_one_email_across_silos_make_one_identity_and_one_customer()
    {
        const int Attempts = 40;
        await using var cluster = await SiloCluster.CreateAsync("race");
        var api = new MedusaApi(cluster.PublishableKey);
        var silos = await cluster.StartSilosAsync("A", "B");
        var email = NewEmail();

        var registrations = await AllAtOnceAsync(Attempts, i => api.RegisterAsync(silos[i % 2], email, Password));

        var succeeded = registrations.Where(r => r.Status == HttpStatusCode.OK).ToArray();
        Assert.NotEmpty(succeeded);
        Assert.All(registrations.Where(r => r.Status != HttpStatusCode.OK), r =>
        {
            Assert.Equal(HttpStatusCode.Unauthorized, r.Status);
            Assert.Equal("Identity with email already exists", r.Message);
        });
        var identityId = Assert.Single(succeeded.Select(r => (string?)Claims(Token(r))["auth_identity_id"]).Distinct());
        Assert.Equal(1L, await cluster.ScalarAsync<long>(
            "SELECT count(*) FROM provider_identity WHERE provider = 'emailpass' AND entity_id = $1", email));
        Assert.Equal(identityId, await cluster.ScalarAsync<string>(
            "SELECT auth_identity_id FROM provider_identity WHERE provider = 'emailpass' AND entity_id = $1", email));
        Assert.Equal(1L, await cluster.ScalarAsync<long>("SELECT count(*) FROM auth_identity"));

        var creations = await AllAtOnceAsync(succeeded.Length, i => api.CreateCustomerAsync(silos[i % 2], Token(succeeded[i]), email));

        var created = Assert.Single(creations, r => r.Status == HttpStatusCode.OK);
        Assert.All(creations.Where(r => r != created), r => Assert.InRange((int)r.Status, 400, 499));
        var customerId = (string)created.Body!["customer"]!["id"]!;
        Assert.Equal(1L, await cluster.ScalarAsync<long>(
            "SELECT count(*) FROM customer WHERE email = $1 AND has_account AND deleted_at IS NULL", email));
        Assert.Equal(customerId, await cluster.ScalarAsync<string>(
            "SELECT app_metadata ->> 'customer_id' FROM auth_identity WHERE id = $1", identityId));
    }

    [Fact]
    public async Task Logout_on_one_silo_revokes_the_token_on_the_other_within_5_seconds()
    {
        await using var cluster = await SiloCluster.CreateAsync("revoke");
        var api = new MedusaApi(cluster.PublishableKey);
        var (a, b) = Pair(await cluster.StartSilosAsync("A", "B"));
        var user = await api.SignUpAsync(a, a, NewEmail(), Password);
        Expect(await api.GetMeAsync(b, user.Token), HttpStatusCode.OK, "B accepts the token before the logout");

        var cookie = SessionCookie(Expect(await api.StartSessionAsync(a, user.Token), HttpStatusCode.OK, "session via A"));
        Expect(await api.EndSessionAsync(a, cookie), HttpStatusCode.OK, "logout via A");
        var sinceLogout = Stopwatch.StartNew();

        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetMeAsync(a, user.Token)).Status);

        // The baseline promises every silo within 5 s; B learns of it from PostgreSQL. Poll B until then, no longer.
        var deadline = TimeSpan.FromSeconds(5);
        ApiResponse onB;
        while ((onB = await api.GetMeAsync(b, user.Token)).Status == HttpStatusCode.OK && sinceLogout.Elapsed < deadline)
        {
            await Task.Delay(100);
        }

        var refusedAfter = sinceLogout.Elapsed;
        output.WriteLine($"B refused the revoked token {refusedAfter} after the logout answered.");
        Assert.Equal(HttpStatusCode.Unauthorized, onB.Status);
        Assert.True(refusedAfter <= deadline, $"B refused the revoked token only after {refusedAfter}");

        // A token issued after the logout is valid everywhere.
        var fresh = Token(Expect(await api.LoginAsync(b, user.Email, Password), HttpStatusCode.OK, "login after logout"));
        Expect(await api.GetMeAsync(a, fresh), HttpStatusCode.OK, "new token on A");
        Expect(await api.GetMeAsync(b, fresh), HttpStatusCode.OK, "new token on B");
    }

    [Fact]
    public async Task Ten_failed_logins_alternating_between_silos_lock_the_account_on_both()
    {
        await using var cluster = await SiloCluster.CreateAsync("lockout");
        var api = new MedusaApi(cluster.PublishableKey);
        var silos = await cluster.StartSilosAsync("A", "B");
        var user = await api.SignUpAsync(silos[0], silos[1], NewEmail(), Password);

        for (var i = 0; i < 10; i++)
        {
            var failed = await api.LoginAsync(silos[i % 2], user.Email, $"wrong-password-{i}");
            Assert.Equal(HttpStatusCode.Unauthorized, failed.Status);
            Assert.Equal(InvalidCredentials, failed.Message);
        }

        // Each silo saw only five failures: the lock holds because the count lives with the identity, not the silo.
        foreach (var silo in silos)
        {
            var refused = await api.LoginAsync(silo, user.Email, Password);
            Assert.Equal(HttpStatusCode.Unauthorized, refused.Status);
            Assert.Equal(InvalidCredentials, refused.Message);
        }
    }

    internal static (SiloProcess, SiloProcess) Pair(SiloProcess[] silos) => (silos[0], silos[1]);

    /// <summary>Starts <paramref name="count"/> calls together (released by one signal) and waits for all.</summary>
    internal static async Task<ApiResponse[]> AllAtOnceAsync(int count, Func<int, Task<ApiResponse>> call)
    {
        var go = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var calls = Enumerable.Range(0, count).Select(async i =>
        {
            await go.Task;
            return await call(i);
        }).ToArray();
        go.SetResult();
        return await Task.WhenAll(calls);
    }

    internal static void AssertMe(ApiResponse me, string customerId, string email, string addressId)
    {
        Assert.True(me.Status == HttpStatusCode.OK, $"GET /store/customers/me: {me}");
        var customer = me.Body!["customer"]!.AsObject();
        Assert.Equal(customerId, (string?)customer["id"]);
        Assert.Equal(email, (string?)customer["email"]);
        Assert.True((bool)customer["has_account"]!);
        var address = Assert.Single(customer["addresses"]!.AsArray())!;
        Assert.Equal(addressId, (string?)address["id"]);
        Assert.Equal("Aarhus", (string?)address["city"]);
    }

    internal static string AddressIdOf(ApiResponse response, string city) =>
        (string)response.Body!["customer"]!["addresses"]!.AsArray().Single(a => (string?)a!["city"] == city)!["id"]!;

    internal static JsonArray Addresses(ApiResponse me) => me.Body!["customer"]!["addresses"]!.AsArray();
}
