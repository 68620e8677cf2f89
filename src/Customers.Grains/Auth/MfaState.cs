using System.Text.Json.Nodes;

namespace Customers.Grains.Auth;

/// <summary>
/// An identity's second factors, recovery codes and open login challenges, stored inside <see cref="AuthIdentityState"/>
/// (snake_case JSON under <c>mfa</c>). Secrets are sealed (<see cref="Mfa.MfaSecretProtector"/>) and recovery codes
/// kept only as hashes. Challenges are persisted, so every silo (and a restarted one) sees the same attempts.
/// </summary>
public sealed class MfaState
{
    public List<MfaFactorState> Factors { get; set; } = [];

    /// <summary>Lower-case hex SHA-256 of each unused recovery code (codes carry 128 random bits, so no slow hash is needed).</summary>
    public List<string> RecoveryCodeHashes { get; set; } = [];

    /// <summary>The last TOTP time step accepted for this identity; codes of it or earlier steps are refused (no replay).</summary>
    public long? LastAcceptedStep { get; set; }

    /// <summary>Open and recently completed challenges; expired ones are dropped on the next write.</summary>
    public List<MfaChallengeState> Challenges { get; set; } = [];
}

public sealed class MfaFactorState
{
    public string Id { get; set; } = "";
    public string Provider { get; set; } = "";

    /// <summary><c>pending</c>, <c>enabled</c> or <c>disabled</c>.</summary>
    public string Status { get; set; } = "";

    /// <summary>The sealed TOTP secret; dropped when the factor is disabled.</summary>
    public string? SealedSecret { get; set; }
    public string Issuer { get; set; } = "";
    public JsonObject Metadata { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}

public sealed class MfaChallengeState
{
    public string Id { get; set; } = "";
    public string AuthProvider { get; set; } = "";
    public List<string> Methods { get; set; } = [];
    public DateTimeOffset ExpiresAt { get; set; }
    public int Attempts { get; set; }
    public int MaxAttempts { get; set; }
    public DateTimeOffset? CompletedAt { get; set; }
}

/// <summary>One address the identity proves it owns (e-mail verification), with the hash of its current code.</summary>
public sealed class VerificationState
{
    public string Id { get; set; } = "";
    public string EntityId { get; set; } = "";
    public string EntityType { get; set; } = "";
    public string CodeProvider { get; set; } = "";

    /// <summary>Lower-case hex SHA-256 of the current code; null once used or before any request.</summary>
    public string? CodeHash { get; set; }
    public DateTimeOffset? RequestedAt { get; set; }
    public DateTimeOffset? VerifiedAt { get; set; }
    public JsonObject Metadata { get; set; } = [];
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
}
