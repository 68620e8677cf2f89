using System.Text.Json.Nodes;

namespace Customers.Grains.Auth;

/// <summary>
/// Stored as snake_case JSON; the read-model trigger reads these names (and never copies the password hash).
/// A null <see cref="Id"/> means no identity exists under the key.
/// </summary>
public sealed class AuthIdentityState
{
    public string? Id { get; set; }
    public JsonObject? AppMetadata { get; set; }
    public List<ProviderIdentityState> ProviderIdentities { get; set; } = [];
    public int FailedLogins { get; set; }
    public DateTimeOffset? LockedUntil { get; set; }
    public DateTimeOffset? TokensValidAfter { get; set; }

    /// <summary>The pending reset token (hash only) and the recent reset requests; null until the first request.</summary>
    public PasswordResetState? PasswordReset { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class ProviderIdentityState
{
    public string Id { get; set; } = "";
    public string Provider { get; set; } = "";
    public string EntityId { get; set; } = "";
    public JsonObject? UserMetadata { get; set; }
    public string? PasswordHash { get; set; }
}
