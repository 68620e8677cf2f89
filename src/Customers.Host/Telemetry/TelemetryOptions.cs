namespace Customers.Host.Telemetry;

/// <summary>
/// Telemetry settings (<c>Customers:Telemetry</c>). OTLP export is configured by the standard <c>OTEL_*</c> variables
/// only; this section names the service and controls the Prometheus scrape endpoint, which is off by default.
/// </summary>
public sealed class TelemetryOptions
{
    public const string Section = "Customers:Telemetry";

    /// <summary><c>service.name</c> of traces and metrics (<c>OTEL_SERVICE_NAME</c> overrides it).</summary>
    public string ServiceName { get; set; } = "customers";

    public PrometheusOptions Prometheus { get; set; } = new();
}

/// <summary>
/// The Prometheus scrape endpoint. Off by default. With <see cref="Port"/> it is served at <see cref="Path"/> on that
/// port only (its own listener, for a scraper inside the cluster network); without, it is served at <see cref="Path"/>
/// on the main port behind admin authentication. It is never public by accident.
/// </summary>
public sealed class PrometheusOptions
{
    public bool Enabled { get; set; }

    /// <summary>A port of its own for the scrape endpoint (on <see cref="ListenAddress"/>); null: main port, admins only.</summary>
    public int? Port { get; set; }

    /// <summary>The address the own port listens on: loopback by default, <c>0.0.0.0</c> in a pod.</summary>
    public string ListenAddress { get; set; } = "127.0.0.1";

    public string Path { get; set; } = "/metrics";
}
