using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;
using static Customers.Cluster.Tests.TwoSiloTests;

namespace Customers.Cluster.Tests;

/// <summary>
/// Per-client limits behind trusted proxies, over real HTTP to real silo processes: the client address comes from
/// <c>X-Forwarded-For</c> only when the peer is a configured proxy (127.0.0.1 here, where the tests connect from), and
/// each budget is one count for the whole cluster, whichever silo a request reaches.
/// </summary>
public sealed class ClientLimitClusterTests
{
    private const int Limit = 4;

    private static readonly string[] LowLimits =
    [
        "--Customers:RateLimits:FailedLoginsPerHour", Limit.ToString(CultureInfo.InvariantCulture),
        "--Customers:RateLimits:RegistrationsPerHour", Limit.ToString(CultureInfo.InvariantCulture),
        "--Customers:RateLimits:PasswordResetsPerHour", Limit.ToString(CultureInfo.InvariantCulture),
    ];

    private static readonly string[] TrustLoopback = ["--Customers:Proxy:KnownProxies:0", "127.0.0.1"];

    [Fact]
    public async Task Budgets_are_shared_by_two_silos_and_counted_per_forwarded_client()
    {
        await using var cluster = await SiloCluster.CreateAsync("limits_shared");
        var silos = await cluster.StartSilosAsync([.. LowLimits, .. TrustLoopback], "A", "B");

        // Failed logins, alternating between the silos: the budget of one client, not two.
        for (var i = 0; i < Limit; i++)
        {
            Expect(await FailedLoginAsync(silos[i % 2], "198.51.100.10"), HttpStatusCode.Unauthorized, $"failed login {i}");
        }

        foreach (var silo in silos)
        {
            AssertRefused(await FailedLoginAsync(silo, "198.51.100.10"), $"failed login on {silo.Name} past the shared budget");
        }

        // Another forwarded client is a budget of its own: the header of a trusted proxy is believed.
        Expect(await FailedLoginAsync(silos[0], "198.51.100.11"), HttpStatusCode.Unauthorized, "another client");

        // Registrations and reset requests the same way.
        for (var i = 0; i < Limit; i++)
        {
            Expect(await RegisterAsync(silos[i % 2], "198.51.100.20"), HttpStatusCode.OK, $"registration {i}");
            Expect(await ResetAsync(silos[i % 2], "198.51.100.30"), HttpStatusCode.Created, $"reset request {i}");
        }

        foreach (var silo in silos)
        {
            AssertRefused(await RegisterAsync(silo, "198.51.100.20"), $"registration on {silo.Name}");
            AssertRefused(await ResetAsync(silo, "198.51.100.30"), $"reset request on {silo.Name}");
        }

        // IPv6 clients count per /64: four addresses of one /64 spend one budget.
        for (var i = 0; i < Limit; i++)
        {
            Expect(await FailedLoginAsync(silos[i % 2], $"2001:db8:7:7::{i + 1:x}"), HttpStatusCode.Unauthorized, $"IPv6 failure {i}");
        }

        AssertRefused(await FailedLoginAsync(silos[0], "2001:db8:7:7:ffff::1"), "another address of the same /64");
        Expect(await FailedLoginAsync(silos[1], "2001:db8:7:8::1"), HttpStatusCode.Unauthorized, "the next /64");

        // One trusted hop (the default forward limit): of "a, b" only b, the address the proxy saw, is read.
        for (var i = 0; i < Limit; i++)
        {
            Expect(await FailedLoginAsync(silos[i % 2], $"198.51.100.{60 + i}, 198.51.100.50"), HttpStatusCode.Unauthorized, $"chain {i}");
        }

        AssertRefused(await FailedLoginAsync(silos[0], "198.51.100.99, 198.51.100.50"), "a spoofed first entry changes nothing");
    }

    [Fact]
    public async Task Forwarded_headers_from_an_untrusted_peer_are_ignored_and_the_forward_limit_reads_trusted_hops()
    {
        await using var cluster = await SiloCluster.CreateAsync("limits_proxies");
        var untrusted = (await cluster.StartSilosAsync(LowLimits, "untrusted"))[0];
        var twoHops = (await cluster.StartSilosAsync(
            [.. LowLimits, .. TrustLoopback, "--Customers:Proxy:KnownNetworks:0", "10.0.0.0/8", "--Customers:Proxy:ForwardLimit", "2"],
            "two-hops"))[0];

        // Nothing is trusted by default: a fresh X-Forwarded-For each time still spends the connection's budget.
        for (var i = 0; i < Limit; i++)
        {
            Expect(await FailedLoginAsync(untrusted, $"203.0.113.{i + 1}"), HttpStatusCode.Unauthorized, $"untrusted {i}");
        }

        AssertRefused(await FailedLoginAsync(untrusted, "203.0.113.200"), "a spoofed header does not escape the budget");
        AssertRefused(await FailedLoginAsync(untrusted, null), "the connection's own address");

        // Two trusted hops (loopback, then an ingress in 10.0.0.0/8): the client is the entry before the ingress.
        for (var i = 0; i < Limit; i++)
        {
            Expect(await FailedLoginAsync(twoHops, $"198.51.100.40, 10.1.2.{i + 1}"), HttpStatusCode.Unauthorized, $"two hops {i}");
        }

        AssertRefused(await FailedLoginAsync(twoHops, "198.51.100.40, 10.9.9.9"), "the same client through another ingress pod");
        Expect(await FailedLoginAsync(twoHops, "198.51.100.41, 10.1.2.1"), HttpStatusCode.Unauthorized, "another client, same ingress");

        // A hop that is not trusted ends the walk: the client is that hop, whatever it claims came before it.
        for (var i = 0; i < Limit; i++)
        {
            Expect(await FailedLoginAsync(twoHops, $"198.51.100.{70 + i}, 203.0.113.77"), HttpStatusCode.Unauthorized, $"untrusted hop {i}");
        }

        AssertRefused(await FailedLoginAsync(twoHops, "198.51.100.99, 203.0.113.77"), "the untrusted hop is the client");
    }

    private static Task<ApiResponse> FailedLoginAsync(SiloProcess silo, string? forwardedFor) =>
        PostAsync(silo, "/auth/customer/emailpass", new JsonObject { ["email"] = NewEmail(), ["password"] = "not-the-password" }, forwardedFor);

    private static Task<ApiResponse> RegisterAsync(SiloProcess silo, string forwardedFor) =>
        PostAsync(silo, "/auth/customer/emailpass/register", new JsonObject { ["email"] = NewEmail(), ["password"] = Password }, forwardedFor);

    private static Task<ApiResponse> ResetAsync(SiloProcess silo, string forwardedFor) =>
        PostAsync(silo, "/auth/customer/emailpass/reset-password", new JsonObject { ["identifier"] = NewEmail() }, forwardedFor);

    private static async Task<ApiResponse> PostAsync(SiloProcess silo, string path, JsonObject body, string? forwardedFor)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        if (forwardedFor is not null)
        {
            request.Headers.Add("X-Forwarded-For", forwardedFor);
        }

        using var response = await silo.Http.SendAsync(request);
        var raw = await response.Content.ReadAsStringAsync();
        var json = response.Content.Headers.ContentType?.MediaType == "application/json" ? JsonNode.Parse(raw) as JsonObject : null;
        return new ApiResponse(response.StatusCode, json, response.Headers, raw);
    }

    private static void Expect(ApiResponse response, HttpStatusCode status, string what) => MedusaApi.Expect(response, status, what);

    private static void AssertRefused(ApiResponse response, string what)
    {
        Assert.True(response.Status == HttpStatusCode.TooManyRequests, $"{what}: expected 429, got {response}");
        Assert.Equal("not_allowed", (string?)response.Body?["type"]);
        var retryAfter = int.Parse(Assert.Single(response.Headers.GetValues("Retry-After")), CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 3600);
    }
}
