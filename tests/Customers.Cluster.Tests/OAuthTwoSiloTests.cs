using System.Net;
using Customers.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Xunit;
using static Customers.Cluster.Tests.MedusaApi;

namespace Customers.Cluster.Tests;

/// <summary>
/// OAuth state lives in PostgreSQL, not in a silo's memory: a sign-in started on one silo finishes on another, and
/// its state is spent for both. The identity provider is a real HTTP OpenID Connect issuer on loopback.
/// </summary>
public sealed class OAuthTwoSiloTests
{
    private const string ClientId = "cluster-storefront";
    private const string CallbackUrl = "https://shop.example/auth/google/callback";

    [Fact]
    public async Task A_sign_in_started_on_one_silo_finishes_on_the_other_and_its_state_is_then_spent_on_both()
    {
        await using var idp = new FakeIdentityProvider();
        var secret = "cluster-secret-" + Guid.NewGuid().ToString("N");
        idp.AddClient("google", ClientId, secret, "client_secret_post");
        await idp.StartAsync();
        await using var cluster = await SiloCluster.CreateAsync("oauth", new Dictionary<string, string>
        {
            ["Customers__Auth__Providers__google__Type"] = "google",
            ["Customers__Auth__Providers__google__Issuer"] = idp.Issuer("google"),
            ["Customers__Auth__Providers__google__ClientId"] = ClientId,
            ["Customers__Auth__Providers__google__ClientSecret"] = secret,
            ["Customers__Auth__Providers__google__CallbackUrls__0"] = CallbackUrl,
        });
        var api = new MedusaApi(cluster.PublishableKey);
        var (a, b) = TwoSiloTests.Pair(await cluster.StartSilosAsync("A", "B"));
        var user = FakeUser.New();

        var started = Expect(await api.StartOAuthAsync(a, "google"), HttpStatusCode.OK, "start on A");
        var location = new Uri((string)started.Body!["location"]!);
        var state = QueryHelpers.ParseQuery(location.Query)["state"].ToString();
        var code = idp.Authorize(location, user);

        var finished = Expect(await api.OAuthCallbackAsync(b, "google", code, state), HttpStatusCode.OK, "callback on B");
        Assert.Equal("", (string?)Claims(Token(finished))["actor_id"]);
        Assert.Equal(1L, await cluster.ScalarAsync<long>(
            "SELECT count(*) FROM provider_identity WHERE provider = 'google' AND entity_id = $1", user.Subject));

        foreach (var silo in new[] { a, b })
        {
            var replay = await api.OAuthCallbackAsync(silo, "google", code, state);
            Assert.Equal(HttpStatusCode.Unauthorized, replay.Status);
            Assert.Equal("No state provided, or session expired", replay.Message);
        }

        // Signing in again through A finds the identity B created.
        var again = Expect(await api.StartOAuthAsync(a, "google"), HttpStatusCode.OK, "second start on A");
        var againLocation = new Uri((string)again.Body!["location"]!);
        var second = Expect(
            await api.OAuthCallbackAsync(a, "google", idp.Authorize(againLocation, user), QueryHelpers.ParseQuery(againLocation.Query)["state"].ToString()),
            HttpStatusCode.OK,
            "second callback on A");
        Assert.Equal((string?)Claims(Token(finished))["auth_identity_id"], (string?)Claims(Token(second))["auth_identity_id"]);
    }
}
