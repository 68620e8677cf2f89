using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;
using Xunit.Abstractions;
using static Customers.Cluster.Tests.MedusaApi;
using static Customers.Cluster.Tests.TwoSiloTests;

namespace Customers.Cluster.Tests;

/// <summary>
/// Password reset across two silo processes: a reset token is single use even when both silos receive it at the same
/// moment, and completing the reset revokes the account's earlier tokens on both. The silos run the development
/// notification sink, so the token is read from <c>dev_notification</c> as a developer would.
/// </summary>
public sealed class PasswordResetClusterTests(ITestOutputHelper output)
{
    private const int Rounds = 3;
    private const string InvalidToken = "Invalid token";

    [Fact]
    public async Task One_reset_token_sent_to_both_silos_at_once_succeeds_exactly_once_and_revokes_old_tokens_on_both()
    {
        await using var cluster = await SiloCluster.CreateAsync("reset");
        var api = new MedusaApi(cluster.PublishableKey);
        var silos = await cluster.StartSilosAsync("A", "B");

        // A few accounts, so the identity grains land on either silo.
        for (var round = 0; round < Rounds; round++)
        {
            var user = await api.SignUpAsync(silos[round % 2], silos[(round + 1) % 2], NewEmail(), Password);
            foreach (var silo in silos)
            {
                Expect(await api.GetMeAsync(silo, user.Token), HttpStatusCode.OK, $"{silo.Name} accepts the token before the reset");
            }

            var requested = await PostAsync(silos[round % 2], "/auth/customer/emailpass/reset-password", new JsonObject { ["identifier"] = user.Email });
            Assert.True(requested.Status == HttpStatusCode.Created && requested.RawBody == "Created", $"reset-password: {requested}");
            var token = await ResetTokenAsync(cluster, user.Email);
            string[] passwords = [$"north-{Guid.NewGuid():N}", $"south-{Guid.NewGuid():N}"];

            var answers = await AllAtOnceAsync(2, i =>
                PostAsync(silos[i], "/auth/customer/emailpass/update", new JsonObject { ["password"] = passwords[i] }, token));
            var sinceReset = Stopwatch.StartNew();

            output.WriteLine($"round {round}: A answered {answers[0]}, B answered {answers[1]}");
            var winner = Assert.Single(Enumerable.Range(0, 2), i => answers[i].Status == HttpStatusCode.OK);
            var loser = 1 - winner;
            Assert.Equal("""{"success":true}""", answers[winner].RawBody);
            Assert.Equal(HttpStatusCode.Unauthorized, answers[loser].Status);
            Assert.Equal(InvalidToken, answers[loser].Message);
            Assert.Equal("unauthorized", (string?)answers[loser].Body?["type"]);

            // The silo that completed the reset refuses the old token at once; the other learns of it from PostgreSQL
            // within the baseline's 5 seconds (polled until then, no longer).
            Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetMeAsync(silos[winner], user.Token)).Status);
            ApiResponse onOther;
            while ((onOther = await api.GetMeAsync(silos[loser], user.Token)).Status == HttpStatusCode.OK && sinceReset.Elapsed < TimeSpan.FromSeconds(5))
            {
                await Task.Delay(100);
            }

            Assert.True(onOther.Status == HttpStatusCode.Unauthorized, $"{silos[loser].Name} still accepts the old token {sinceReset.Elapsed} after the reset");

            foreach (var silo in silos)
            {
                Assert.Equal(HttpStatusCode.Unauthorized, (await api.LoginAsync(silo, user.Email, Password)).Status);
                Assert.Equal(HttpStatusCode.Unauthorized, (await api.LoginAsync(silo, user.Email, passwords[loser])).Status);
                var fresh = Token(Expect(await api.LoginAsync(silo, user.Email, passwords[winner]), HttpStatusCode.OK, $"login via {silo.Name}"));
                Expect(await api.GetMeAsync(silo, fresh), HttpStatusCode.OK, $"new token via {silo.Name}");
            }
        }
    }

    /// <summary>The newest reset token for <paramref name="email"/>: the request is answered before the token is made, so
    /// this polls (for up to 30 s) until the event is there.</summary>
    internal static async Task<string> ResetTokenAsync(SiloCluster cluster, string email)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(30);
        while (true)
        {
            var token = await cluster.ScalarAsync<string>(
                "SELECT data ->> 'token' FROM dev_notification WHERE event_name = 'auth.password_reset' AND data ->> 'entity_id' = $1 ORDER BY id DESC LIMIT 1",
                email);
            if (token is not null)
            {
                return token;
            }

            Assert.True(DateTime.UtcNow < deadline, $"No auth.password_reset event for {email} within 30 s.");
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    private static async Task<ApiResponse> PostAsync(SiloProcess silo, string path, JsonObject body, string? token = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        using var response = await silo.Http.SendAsync(request);
        var raw = await response.Content.ReadAsStringAsync();
        var json = response.Content.Headers.ContentType?.MediaType == "application/json" ? JsonNode.Parse(raw) as JsonObject : null;
        return new ApiResponse(response.StatusCode, json, response.Headers, raw);
    }
}
