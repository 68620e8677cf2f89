using System.ComponentModel.DataAnnotations;

namespace Customers.Host.Hosting;

// Our settings live under "Customers:", never "Orleans:" (Orleans binds that section itself).

/// <summary>Where the data lives. The connection string is <c>ConnectionStrings:Customers</c>; without it the host
/// runs an embedded PostgreSQL from the installed binaries in <see cref="EmbeddedDataDirectory"/>.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Customers:Database";
    public const string ConnectionStringName = "Customers";

    [Required]
    public string EmbeddedDataDirectory { get; set; } = ".data/postgres";
}

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
}

/// <summary>Session tokens (HS256 JWTs, Medusa-compatible).</summary>
public sealed class JwtOptions
{
    public const string Section = "Customers:Jwt";

    /// <summary>HMAC secret, at least 32 bytes. Required outside Development unless the embedded database is used,
    /// where one is generated and kept beside the data.</summary>
    public string? Secret { get; set; }

    public TimeSpan ExpiresIn { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Checked and issued when set.</summary>
    public string? Issuer { get; set; }

    /// <summary>Checked and issued when set.</summary>
    public string? Audience { get; set; }

    /// <summary>Clock skew allowed when checking <c>exp</c>; at most 30 s by policy.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often each silo pulls token revocations from the database (logout takes effect within this).</summary>
    public TimeSpan RevocationPollInterval { get; set; } = TimeSpan.FromSeconds(1);
}

/// <summary>Cookie sessions made by <c>POST /auth/session</c>.</summary>
public sealed class SessionCookieOptions
{
    public const string Section = "Customers:Session";

    public string CookieName { get; set; } = "connect.sid";

    public TimeSpan Ttl { get; set; } = TimeSpan.FromHours(10);

    /// <summary>Adds <c>Secure; SameSite=Lax</c>; on by default outside Development.</summary>
    public bool? SecureCookie { get; set; }
}

/// <summary>Per-client-IP limits, counted per silo.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "Customers:RateLimits";

    [Range(1, 1_000_000)]
    public int FailedLoginsPerHour { get; set; } = 100;

    [Range(1, 1_000_000)]
    public int RegistrationsPerHour { get; set; } = 50;
}

/// <summary>Allowed browser origins per namespace (Medusa's storeCors, authCors, adminCors).</summary>
public sealed class CorsOriginsOptions
{
    public const string Section = "Customers:Cors";

    public string[] Store { get; set; } = [];
    public string[] Auth { get; set; } = [];
    public string[] Admin { get; set; } = [];
}
