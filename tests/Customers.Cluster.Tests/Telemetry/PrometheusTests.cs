using System.Net;
using System.Net.Sockets;
using Xunit;

namespace Customers.Cluster.Tests.Telemetry;

/// <summary>The Prometheus scrape endpoint, scraped by a real Prometheus, and where it is (not) served.</summary>
public sealed class PrometheusTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Prometheus_scrapes_the_own_port_and_answers_a_query_for_the_service_counters()
    {
        var port = FreePort();
        await using var cluster = await SiloCluster.CreateAsync("prometheus", new Dictionary<string, string>
        {
            ["Customers__Telemetry__Prometheus__Enabled"] = "true",
            ["Customers__Telemetry__Prometheus__Port"] = port.ToString(System.Globalization.CultureInfo.InvariantCulture),
        });
        var silo = (await cluster.StartSilosAsync("A"))[0];
        var api = new MedusaApi(cluster.PublishableKey);
        await api.SignUpAsync(silo, silo, $"prom-{Guid.NewGuid():N}@example.com", "Pr0metheus-password");
        MedusaApi.Expect(await api.LoginAsync(silo, $"nobody-{Guid.NewGuid():N}@example.com", "wrong-password"), HttpStatusCode.Unauthorized, "bad login");

        await using var prometheus = await PrometheusServer.StartAsync($"127.0.0.1:{port}", "/metrics");

        var registrations = await PollAsync(prometheus, "customers_auth_registrations_total");
        var failed = await PollAsync(prometheus, """customers_auth_logins_total{outcome="failed"}""");
        Assert.Equal(1, registrations.Sum(r => r.Value));
        Assert.Equal("customer", (string?)registrations.Single().Labels["actor_type"]);
        Assert.Equal("emailpass", (string?)registrations.Single().Labels["provider"]);
        Assert.Equal(1, failed.Sum(r => r.Value));
        Assert.NotEmpty(await PollAsync(prometheus, "orleans_grains"));

        // Only on its own port: the public port does not serve it.
        using var publicScrape = await silo.Http.GetAsync("/metrics");
        Assert.Equal(HttpStatusCode.NotFound, publicScrape.StatusCode);
    }

    [Fact]
    public async Task Without_its_own_port_the_scrape_endpoint_needs_admin_credentials_and_is_off_by_default()
    {
        await using var cluster = await SiloCluster.CreateAsync("prometheus_admin", new Dictionary<string, string>
        {
            ["Customers__Telemetry__Prometheus__Enabled"] = "true",
        });
        await using var plain = await SiloCluster.CreateAsync("prometheus_off");
        var silo = (await cluster.StartSilosAsync("A"))[0];
        var off = (await plain.StartSilosAsync("B"))[0];

        using var anonymous = await silo.Http.GetAsync("/metrics");
        using var notServed = await off.Http.GetAsync("/metrics");

        Assert.Equal(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.Equal(HttpStatusCode.NotFound, notServed.StatusCode);
    }

    private static async Task<List<(System.Text.Json.Nodes.JsonObject Labels, double Value)>> PollAsync(PrometheusServer prometheus, string query)
    {
        var until = DateTime.UtcNow + Deadline;
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(500));
        while (DateTime.UtcNow < until)
        {
            var result = await prometheus.QueryAsync(query);
            if (result.Count > 0)
            {
                return result;
            }

            await tick.WaitForNextTickAsync();
        }

        throw new TimeoutException($"Prometheus has no '{query}' within {Deadline}.");
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
