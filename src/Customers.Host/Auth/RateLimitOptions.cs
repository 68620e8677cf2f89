using System.ComponentModel.DataAnnotations;

namespace Customers.Host.Auth;

/// <summary>Per-client-address limits, counted once for the whole cluster (<see cref="ClientBudgets"/>).</summary>
public sealed class RateLimitOptions
{
    public const string Section = "Customers:RateLimits";

    /// <summary>The ASP.NET Core rate limiter policy of registrations (per client address).</summary>
    public const string RegistrationPolicy = "registration";

    [Range(1, 1_000_000)]
    public int FailedLoginsPerHour { get; set; } = 100;

    [Range(1, 1_000_000)]
    public int RegistrationsPerHour { get; set; } = 50;

    /// <summary>Password reset requests per client address and hour, whether or not the identifier exists.</summary>
    [Range(1, 1_000_000)]
    public int PasswordResetsPerHour { get; set; } = 30;
}
