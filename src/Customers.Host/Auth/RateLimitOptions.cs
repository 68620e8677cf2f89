using System.ComponentModel.DataAnnotations;

namespace Customers.Host.Auth;

/// <summary>Per-client-IP limits, counted per silo.</summary>
public sealed class RateLimitOptions
{
    public const string Section = "Customers:RateLimits";

    /// <summary>The ASP.NET Core rate limiter policy of registrations (per client address).</summary>
    public const string RegistrationPolicy = "registration";

    [Range(1, 1_000_000)]
    public int FailedLoginsPerHour { get; set; } = 100;

    [Range(1, 1_000_000)]
    public int RegistrationsPerHour { get; set; } = 50;
}
