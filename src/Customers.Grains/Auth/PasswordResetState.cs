namespace Customers.Grains.Auth;

/// <summary>
/// Password reset bookkeeping inside <see cref="AuthIdentityState"/> (stored as snake_case JSON under
/// <c>password_reset</c>; the read-model trigger ignores it). The token itself is never stored, only its hash.
/// </summary>
public sealed class PasswordResetState
{
    /// <summary>Lower-case hex SHA-256 of the newest token's id (the JWT <c>jti</c>); null when none is pending.</summary>
    public string? TokenHash { get; set; }

    /// <summary>The provider identity (login) the pending token was made for.</summary>
    public string? ProviderIdentityId { get; set; }

    public DateTimeOffset? ExpiresAt { get; set; }

    /// <summary>When the accepted requests of the last minute came in (the per-identity rate limit).</summary>
    public List<DateTimeOffset> RecentRequests { get; set; } = [];
}
