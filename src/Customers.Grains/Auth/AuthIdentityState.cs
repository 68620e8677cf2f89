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
    /// <summary>
    /// The id the account customer of this identity's sign-up will have, stored before the customer is written. Once
    /// a customer exists under it, the identity is linked to that customer; the identity's next write stores the link
    /// in <see cref="AppMetadata"/> and clears this (docs/security.md, "Sign-up").
    /// </summary>
    public string? PendingCustomerId { get; set; }

    public int FailedLogins { get; set; }
    public DateTimeOffset? LockedUntil { get; set; }
    public DateTimeOffset? TokensValidAfter { get; set; }

    /// <summary>
    /// The one credential (a fingerprint of its claims) that survives the revocation at <see cref="TokensValidAfter"/>:
    /// the caller that enrolled or disabled a factor. Null after any other revocation.
    /// </summary>
    public string? KeptCredential { get; set; }

    /// <summary>Second factors and their challenges; null until the first enrolment.</summary>
    public MfaState? Mfa { get; set; }

    /// <summary>E-mail verifications, one per (entity id, entity type).</summary>
    public List<VerificationState> Verifications { get; set; } = [];

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
