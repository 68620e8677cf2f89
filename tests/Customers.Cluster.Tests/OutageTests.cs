using System.Diagnostics;
using System.Net;
using Customers.Testing;
using Xunit;

namespace Customers.Cluster.Tests;

/// <summary>
/// PostgreSQL outages under real silo processes, on a PostgreSQL of the test's own that is stopped with
/// <c>pg_ctl stop -m fast|immediate</c> and started again on the same port (docs/operations.md, "PostgreSQL outages"):
/// an active customer's <c>/me</c> keeps answering from grain memory; every route that needs the database (OAuth
/// callbacks included) answers a Medusa-shaped 503 with <c>Retry-After</c> within 5 s; <c>/health/ready</c> is not
/// ready; the silos survive the outage (the membership table is down too) and serve writes again within 10 s of
/// PostgreSQL's return, unrestarted.
/// </summary>
public sealed class OutageTests
{
    private const string Password = "correct horse battery staple";
    private static readonly TimeSpan AnswerBound = TimeSpan.FromSeconds(5);
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(10);

    /// <summary>The short outage of one silo; the 60 s outage of two (the CI cost of this class is about 90 s).</summary>
    [Theory]
    [InlineData(PostgresShutdown.Fast, 1, 0)]
    [InlineData(PostgresShutdown.Immediate, 2, 60)]
    public async Task Silos_answer_from_memory_or_with_503_during_an_outage_and_recover_without_restart(
        PostgresShutdown mode, int siloCount, int outageSeconds)
    {
        await using var postgres = await RestartablePostgres.CreateAsync();
        // A social provider whose issuer is never asked: a callback with an unknown state is refused by the state
        // lookup in PostgreSQL before the provider would be called.
        await using var cluster = await SiloCluster.CreateAsync($"outage-{mode}", new Dictionary<string, string>
        {
            ["Customers__Auth__Providers__google__Type"] = "google",
            ["Customers__Auth__Providers__google__Issuer"] = "http://127.0.0.1:9/unused-issuer",
            ["Customers__Auth__Providers__google__ClientId"] = "outage-storefront",
            ["Customers__Auth__Providers__google__ClientSecret"] = "outage-secret-" + Guid.NewGuid().ToString("N"),
            ["Customers__Auth__Providers__google__CallbackUrls__0"] = "https://shop.example/auth/google/callback",
        }, server: postgres);
        var secretKey = await SecretKeys.CreateAsync(cluster.ConnectionString, "outage tests");
        var silos = await cluster.StartSilosAsync([.. Enumerable.Range(1, siloCount).Select(i => $"silo{i}")]);
        var api = new MedusaApi(cluster.PublishableKey);
        // The reader only reads during the outage; the writer tries the routes that need the database (a grain whose
        // write failed re-reads its state, so it cannot answer from memory until PostgreSQL is back).
        var reader = await api.SignUpAsync(silos[0], silos[^1], $"reader-{mode}@example.com", Password);
        var customer = await api.SignUpAsync(silos[^1], silos[0], $"writer-{mode}@example.com", Password);
        foreach (var silo in silos)
        {
            MedusaApi.Expect(await api.GetMeAsync(silo, reader.Token), HttpStatusCode.OK, $"/me via {silo.Name} before the outage");
            MedusaApi.Expect(await api.OAuthCallbackAsync(silo, "google", "some-code", "unknown-state"), HttpStatusCode.Unauthorized,
                $"an OAuth callback with an unknown state via {silo.Name} before the outage");
        }

        await postgres.StopAsync(mode);
        var outage = Stopwatch.StartNew();
        foreach (var silo in silos)
        {
            await AssertOutageAnswersAsync(api, silo, reader, customer, secretKey);
        }

        // The outage lasts its full length; the silos keep serving reads all along and none of them dies.
        while (outage.Elapsed < TimeSpan.FromSeconds(outageSeconds))
        {
            foreach (var silo in silos)
            {
                Assert.False(silo.HasExited, $"{silo.Name} exited during the outage:\n{silo.RecentOutput}");
                MedusaApi.Expect(await api.GetMeAsync(silo, reader.Token), HttpStatusCode.OK, $"/me via {silo.Name} at {outage.Elapsed}");
            }

            await Task.Delay(TimeSpan.FromSeconds(2));
        }

        await postgres.StartAsync();
        var recovery = Stopwatch.StartNew();
        foreach (var silo in silos)
        {
            await PollAsync(recovery, RecoveryBound, $"{silo.Name} to serve writes and be ready after PostgreSQL returned", async () =>
                (await api.UpdateMeAsync(silo, customer.Token, $"Back{silo.Name}")).IsSuccess
                && (await silo.Http.GetAsync("/health/ready")).StatusCode == HttpStatusCode.OK);
        }

        foreach (var silo in silos)
        {
            Assert.False(silo.HasExited, $"{silo.Name} exited:\n{silo.RecentOutput}");
            MedusaApi.Expect(await api.LoginAsync(silo, customer.Email, Password), HttpStatusCode.OK, $"login via {silo.Name} after the outage");
            MedusaApi.Expect(await api.GetMeAsync(silo, customer.Token), HttpStatusCode.OK, $"the writer's /me via {silo.Name} after the outage");
        }

        Assert.Equal($"Back{silos[^1].Name}", await cluster.ScalarAsync<string>("SELECT first_name FROM customer WHERE id = $1", customer.CustomerId));
    }

    /// <summary>What one silo answers while PostgreSQL is down: reads of active grains from memory, 503s for the rest.</summary>
    private static async Task AssertOutageAnswersAsync(MedusaApi api, SiloProcess silo, SignedUp reader, SignedUp customer, string secretKey)
    {
        var me = await TimedAsync(() => api.GetMeAsync(silo, reader.Token));
        Assert.True(me.Response.Status == HttpStatusCode.OK, $"/me via {silo.Name} during the outage: {me.Response}");

        (string Route, Func<Task<ApiResponse>> Send)[] needDatabase =
        [
            ("POST /store/customers/me", () => api.UpdateMeAsync(silo, customer.Token, "Outage")),
            ("POST /store/customers/me/addresses", () => api.AddAddressAsync(silo, customer.Token, "Outage city")),
            ("POST /auth/customer/emailpass", () => api.LoginAsync(silo, customer.Email, Password)),
            ("POST /auth/customer/emailpass (unknown e-mail)", () => api.LoginAsync(silo, $"nobody-{silo.Name}@example.com", Password)),
            ("POST /auth/customer/emailpass/register", () => api.RegisterAsync(silo, $"new-{silo.Name}@example.com", Password)),
            ("GET /admin/customers", () => api.AdminListCustomersAsync(silo, secretKey)),
            ("POST /admin/customer-groups", () => api.AdminCreateGroupAsync(silo, secretKey, "Outage group")),
            ("GET /auth/customer/google/callback", () => api.OAuthCallbackAsync(silo, "google", "some-code", "unknown-state")),
        ];
        foreach (var (route, send) in needDatabase)
        {
            var (response, elapsed) = await TimedAsync(send);
            Assert.True(response.Status == HttpStatusCode.ServiceUnavailable, $"{route} via {silo.Name} during the outage: {response}\n{silo.RecentOutput}");
            Assert.Equal("unexpected_state", (string?)response.Body?["type"]);
            Assert.False(string.IsNullOrEmpty(response.Message), $"{route}: no message in {response}");
            Assert.True(response.Headers.RetryAfter is not null, $"{route} via {silo.Name}: no Retry-After");
            Assert.True(elapsed < AnswerBound, $"{route} via {silo.Name} took {elapsed} during the outage");
        }

        using var ready = await silo.Http.GetAsync("/health/ready");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, ready.StatusCode);
    }

    private static async Task<(ApiResponse Response, TimeSpan Elapsed)> TimedAsync(Func<Task<ApiResponse>> send)
    {
        var watch = Stopwatch.StartNew();
        var response = await send();
        return (response, watch.Elapsed);
    }

    private static async Task PollAsync(Stopwatch since, TimeSpan bound, string what, Func<Task<bool>> condition)
    {
        while (!await condition())
        {
            Assert.True(since.Elapsed < bound, $"Waited {since.Elapsed} for {what}");
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }
}
