using System.ComponentModel.DataAnnotations;

namespace Customers.Grains.Auth;

/// <summary>Password reset tokens (security baseline: 15 minutes, at most 3 requests a minute per account).</summary>
public sealed class PasswordResetOptions
{
    public const string Section = "Customers:PasswordReset";

    /// <summary>How long a reset token works. Medusa: 15 minutes.</summary>
    [Range(typeof(TimeSpan), "00:01:00", "1.00:00:00")]
    public TimeSpan TokenLifetime { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>
    /// Reset requests per account and minute that make a token; further requests are answered alike (201) but do
    /// nothing. Counted in the identity's persisted state, so the limit holds cluster-wide.
    /// </summary>
    [Range(1, 1000)]
    public int RequestsPerMinute { get; set; } = 3;
}
