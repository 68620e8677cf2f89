using System.Net;
using System.Text;
using Xunit;

namespace Customers.Cluster.Tests.Telemetry;

/// <summary>
/// OpenTelemetry through a real OTLP/HTTP exporter into <see cref="OtlpReceiver"/>, with two silo processes: a request
/// whose grain lives on the other silo is one trace, HTTP span → grain call on the other silo → SQL there.
/// </summary>
public sealed class TraceTests
{
    private static readonly TimeSpan Deadline = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task A_request_through_two_silos_is_one_trace_from_http_through_the_grain_call_to_sql_without_personal_data()
    {
        await using var receiver = new OtlpReceiver();
        await using var cluster = await SiloCluster.CreateAsync("otlp", new Dictionary<string, string>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = receiver.Endpoint,
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_BSP_SCHEDULE_DELAY"] = "200",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "500",
            ["OTEL_RESOURCE_ATTRIBUTES"] = "deployment.environment.name=cluster-test",
        });
        var silos = await cluster.StartSilosAsync("A", "B");
        var api = new MedusaApi(cluster.PublishableKey);
        var email = $"trace-{Guid.NewGuid():N}@example.com";
        const string password = "Tr4ce-password-that-must-not-leak";
        var customer = await api.SignUpAsync(silos[0], silos[0], email, password);

        // The customer grain lives on one of the two silos, so one of these updates crosses to the other. Each one
        // changes the name (an update that changes nothing writes nothing, so it has no SQL span), and each poll sends
        // them again: under load a batch can reach the receiver without the spans of one round.
        var round = 0;
        var chain = await PollAsync(
            async () =>
            {
                round++;
                foreach (var silo in silos)
                {
                    MedusaApi.Expect(await api.UpdateMeAsync(silo, customer.Token, $"Grace {round} {silo.Name}"), HttpStatusCode.OK, $"update via {silo.Name}");
                }
            },
            () => CrossSiloChain(receiver.Spans()),
            () => Describe(receiver.Spans()));

        Assert.NotEqual(chain.Http.Resource["service.instance.id"], chain.Sql.Resource["service.instance.id"]);
        Assert.All([chain.Http, chain.Grain, chain.Sql], span =>
        {
            Assert.Equal("customers", span.Resource["service.name"]);
            Assert.Equal("cluster-test", span.Resource["deployment.environment.name"]);
        });
        await PollAsync(() => receiver.Requests.Any(r => r.Path == "/v1/metrics" && Contains(r.Body, "customers.auth.registrations")) ? true : (bool?)null,
            () => $"{receiver.Requests.Count(r => r.Path == "/v1/metrics")} metric exports, none with customers.auth.registrations");
        var leaked = receiver.Requests.Where(r => Contains(r.Body, email) || Contains(r.Body, password) || Contains(r.Body, customer.Token)).ToList();
        Assert.True(leaked.Count == 0, $"{leaked.Count} OTLP export(s) carry the e-mail, password or token");
    }

    /// <summary>An SQL span whose ancestors are an Orleans span on the same silo and, on another silo, the HTTP server span.</summary>
    private static (ExportedSpan Http, ExportedSpan Grain, ExportedSpan Sql)? CrossSiloChain(IReadOnlyList<ExportedSpan> spans)
    {
        var byId = spans.GroupBy(s => s.SpanId).ToDictionary(g => g.Key, g => g.First());
        foreach (var sql in spans.Where(s => s.Scope == "Npgsql"))
        {
            var silo = sql.Resource.GetValueOrDefault("service.instance.id");
            ExportedSpan? grain = null;
            for (var parent = byId.GetValueOrDefault(sql.ParentSpanId); parent is not null; parent = byId.GetValueOrDefault(parent.ParentSpanId))
            {
                var here = parent.Resource.GetValueOrDefault("service.instance.id");
                if (here == silo && parent.Scope.StartsWith("Microsoft.Orleans", StringComparison.Ordinal))
                {
                    grain ??= parent;
                }
                else if (here != silo && grain is not null && parent.Scope == "Microsoft.AspNetCore" && parent.Kind == 2
                         && parent.TraceId == sql.TraceId)
                {
                    return (parent, grain, sql);
                }
            }
        }

        return null;
    }

    /// <summary>The spans, those of traces that reached an HTTP route first (the rest is background work).</summary>
    private static string Describe(IReadOnlyList<ExportedSpan> spans) => string.Join('\n', spans
        .OrderBy(s => spans.Any(h => h.TraceId == s.TraceId && h.Scope == "Microsoft.AspNetCore") ? 0 : 1)
        .Select(s => $"{s.TraceId[..8]} {s.SpanId[..8]}<{(s.ParentSpanId.Length > 0 ? s.ParentSpanId[..8] : "root")} " +
                     $"{s.Resource.GetValueOrDefault("service.instance.id")} {s.Scope} kind={s.Kind} {s.Name}")
        .Take(300));

    private static bool Contains(byte[] haystack, string needle) => haystack.AsSpan().IndexOf(Encoding.UTF8.GetBytes(needle)) >= 0;

    /// <summary>Polls an observable condition until it yields a value, failing after <see cref="Deadline"/>.</summary>
    private static Task<T> PollAsync<T>(Func<T?> probe, Func<string> describe)
        where T : struct => PollAsync(() => Task.CompletedTask, probe, describe);

    /// <summary>The same, doing <paramref name="act"/> first and again every 5 s while nothing matches.</summary>
    private static async Task<T> PollAsync<T>(Func<Task> act, Func<T?> probe, Func<string> describe)
        where T : struct
    {
        var until = DateTime.UtcNow + Deadline;
        using var tick = new PeriodicTimer(TimeSpan.FromMilliseconds(200));
        for (var ticks = 0; DateTime.UtcNow < until; ticks++)
        {
            if (ticks % 25 == 0)
            {
                await act();
            }

            if (probe() is { } value)
            {
                return value;
            }

            await tick.WaitForNextTickAsync();
        }

        throw new TimeoutException($"No such export within {Deadline}. Seen:\n{describe()}");
    }
}
