using System.ComponentModel.DataAnnotations;

namespace Customers.Host.Hosting;

// Our settings live under "Customers:", never "Orleans:" (Orleans binds that section itself).

/// <summary>Cluster membership and the silo's own endpoints. Every silo of one cluster shares ClusterId and ServiceId.</summary>
public sealed class ClusterOptions
{
    public const string Section = "Customers:Cluster";

    [Required]
    public string ClusterId { get; set; } = "customers";

    [Required]
    public string ServiceId { get; set; } = "customers";

    /// <summary>The address other silos reach this one on: an IP, or a host name resolved at startup (containers).</summary>
    [Required]
    public string AdvertisedAddress { get; set; } = "127.0.0.1";

    /// <summary>Listen on every interface rather than only the advertised address (containers).</summary>
    public bool ListenOnAnyHostAddress { get; set; }

    [Range(1, 65535)]
    public int SiloPort { get; set; } = 11111;

    [Range(1, 65535)]
    public int GatewayPort { get; set; } = 30000;

    /// <summary>How long a silo waits for a probe answer before counting a miss (failure detection speed).</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);

    [Range(1, 10)]
    public int MissedProbesLimit { get; set; } = 3;

    /// <summary>
    /// How long a grain (a customer, an identity) stays in memory after its last call. Orleans' default is 15 minutes;
    /// 10 minutes covers a storefront visit, after which the customer's memory is worth less than one storage read
    /// on the next visit (docs/benchmarks.md, working set). At least Orleans' minimum of one minute.
    /// </summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan GrainCollectionAge { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>
    /// How long a grain call may take before the caller gets a timeout (answered 503): the bound for a request whose
    /// grain waits on an unreachable database or a silo that died.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:05:00")]
    public TimeSpan GrainCallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a silo writes its heartbeat to the membership table.</summary>
    [Range(typeof(TimeSpan), "00:00:05", "00:10:00")]
    public TimeSpan IAmAlivePeriod { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Heartbeats a silo may miss before its table entry counts as stale. While PostgreSQL is down no silo can write
    /// one; once every entry is stale, a single silo's suspicion evicts another. <see cref="IAmAlivePeriod"/> times
    /// (this − 1) is the database outage the cluster rides out with its liveness protocol intact (2.5 minutes by
    /// default; docs/operations.md).
    /// </summary>
    [Range(2, 100)]
    public int MissedIAmAliveLimit { get; set; } = 6;
}
