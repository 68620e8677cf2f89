using Customers.Host.Http.Admin;
using Customers.Host.Auth;
using Customers.Host.Telemetry;
using Npgsql;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Customers.Host.Hosting;

/// <summary>
/// OpenTelemetry: traces of incoming and outgoing HTTP, Npgsql and Orleans grain calls (propagated across silos), and
/// metrics of ASP.NET Core, the runtime, Orleans, Npgsql and <see cref="CustomersMetrics"/>. Exported with OTLP only
/// when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set (the exporter reads the other <c>OTEL_*</c> variables itself), and
/// as a Prometheus scrape endpoint only when <c>Customers:Telemetry:Prometheus:Enabled</c>.
/// </summary>
internal static class TelemetrySetup
{
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";
    private const string ServiceNameKey = "OTEL_SERVICE_NAME";
    private static readonly string[] OrleansSources = ["Microsoft.Orleans.Runtime", "Microsoft.Orleans.Application", "Microsoft.Orleans.Storage"];
    private static readonly string[] Meters = [CustomersMetrics.MeterName, "Microsoft.Orleans", "Npgsql", "Microsoft.AspNetCore.Hosting",
        "Microsoft.AspNetCore.Server.Kestrel", "Microsoft.AspNetCore.RateLimiting", "System.Net.Http"];

    public static WebApplicationBuilder AddCustomersTelemetry(this WebApplicationBuilder builder)
    {
        var settings = Settings(builder.Configuration);
        builder.Services.AddOptions<TelemetryOptions>().BindConfiguration(TelemetryOptions.Section)
            .Validate(o => o.Prometheus.Port is null or (> 0 and <= 65535), $"{TelemetryOptions.Section}:Prometheus:Port must be a TCP port.")
            .Validate(o => o.Prometheus.Path.StartsWith('/'), $"{TelemetryOptions.Section}:Prometheus:Path must start with '/'.")
            .ValidateOnStart();
        builder.Services.AddSingleton<CustomersMetrics>();
        var otlp = !string.IsNullOrWhiteSpace(builder.Configuration[OtlpEndpointKey]);
        if (otlp)
        {
            // Only when traces are exported: its grain call filters put every grain call through Orleans' filter
            // pipeline (an invoker object and a state machine per call), which costs the hot path even with nobody
            // listening.
            builder.UseOrleans(silo => silo.AddActivityPropagation());
        }
        var telemetry = builder.Services.AddOpenTelemetry().ConfigureResource(resource =>
        {
            // OTEL_SERVICE_NAME and OTEL_RESOURCE_ATTRIBUTES are read by the default resource; ours only fills gaps.
            if (string.IsNullOrEmpty(builder.Configuration[ServiceNameKey]))
            {
                resource.AddService(settings.ServiceName, autoGenerateServiceInstanceId: false);
            }

            resource.AddDetector(services => new SiloResourceDetector(services.GetRequiredService<ILocalSiloDetails>()));
        });

        if (otlp)
        {
            telemetry.WithTracing(tracing => tracing
                .AddSource(OrleansSources)
                .AddAspNetCoreInstrumentation(options => options.Filter = http => !IsProbe(http.Request.Path, settings))
                .AddHttpClientInstrumentation()
                .AddNpgsql()
                .AddProcessor(new SensitiveTagScrubber())
                .AddOtlpExporter());
        }

        if (otlp || settings.Prometheus.Enabled)
        {
            telemetry.WithMetrics(metrics =>
            {
                metrics.AddMeter(Meters).AddRuntimeInstrumentation();
                if (otlp)
                {
                    metrics.AddOtlpExporter();
                }

                if (settings.Prometheus.Enabled)
                {
                    metrics.AddPrometheusExporter();
                }
            });
        }

        if (settings.Prometheus is { Enabled: true, Port: { } port })
        {
            // Kestrel keeps the configured URLs and adds the scrape port; the endpoint answers on that port only.
            var urls = builder.Configuration[WebHostDefaults.ServerUrlsKey] is { Length: > 0 } configured ? configured : Server.DefaultUrl;
            builder.WebHost.UseUrls([.. urls.Split(';', StringSplitOptions.RemoveEmptyEntries), $"http://{settings.Prometheus.ListenAddress}:{port}"]);
        }

        return builder;
    }

    /// <summary>The scrape endpoint: on its own port for anyone who reaches that port, else on the main port for admins only.</summary>
    public static WebApplication MapCustomersMetrics(this WebApplication app)
    {
        var prometheus = Settings(app.Configuration).Prometheus;
        if (!prometheus.Enabled)
        {
            return app;
        }

        var endpoint = app.MapPrometheusScrapingEndpoint(prometheus.Path);
        if (prometheus.Port is { } port)
        {
            endpoint.RequireHost($"*:{port}");

            // The scrape port serves the scrape endpoint and nothing else.
            app.Use((http, next) => http.Connection.LocalPort == port && !http.Request.Path.StartsWithSegments(prometheus.Path)
                ? Results.NotFound().ExecuteAsync(http)
                : next(http));
        }
        else
        {
            endpoint.RequireActor(AdminGate.UserActorType, AuthMechanisms.Admin);
        }

        return app;
    }

    private static TelemetryOptions Settings(IConfiguration configuration) =>
        configuration.GetSection(TelemetryOptions.Section).Get<TelemetryOptions>() ?? new TelemetryOptions();

    /// <summary>Health probes and scrapes every few seconds would drown the traces that matter.</summary>
    private static bool IsProbe(PathString path, TelemetryOptions settings) =>
        path.StartsWithSegments("/health") || path.StartsWithSegments(settings.Prometheus.Path);

    /// <summary><c>service.instance.id</c>: the silo address (endpoint and generation), unique per silo process.</summary>
    private sealed class SiloResourceDetector(ILocalSiloDetails silo) : IResourceDetector
    {
        public Resource Detect() => new([new("service.instance.id", silo.SiloAddress.ToParsableString())]);
    }
}
