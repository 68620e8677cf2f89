using System.Text.Json.Nodes;
using Customers.Abstractions.Auth;
using Customers.Medusa;

namespace Customers.Host.Http.Auth;

/// <summary>
/// Wire shapes of second factors, login challenges and verifications (docs/medusa-compatibility.md §3.18-§3.21).
/// Never a secret, a code or a hash.
/// </summary>
internal static class AuthWire
{
    public static JsonObject Factor(MfaFactorSnapshot factor) => new()
    {
        ["id"] = factor.Id,
        ["auth_identity_id"] = factor.AuthIdentityId,
        ["auth_identity"] = new JsonObject { ["id"] = factor.AuthIdentityId },
        ["provider"] = factor.Provider,
        ["status"] = factor.Status switch
        {
            MfaFactorStatus.Enabled => "enabled",
            MfaFactorStatus.Disabled => "disabled",
            _ => "pending",
        },
        ["metadata"] = JsonNode.Parse(factor.MetadataJson),
        ["created_at"] = Timestamp(factor.CreatedAt),
        ["updated_at"] = Timestamp(factor.UpdatedAt),
        ["deleted_at"] = null,
    };

    public static JsonObject Challenge(MfaChallengeSnapshot challenge) => new()
    {
        ["id"] = challenge.Id,
        ["auth_identity_id"] = challenge.AuthIdentityId,
        ["auth_provider"] = challenge.AuthProvider,
        ["methods"] = new JsonArray([.. challenge.Methods.Select(m => JsonValue.Create(m))]),
        ["expires_at"] = Timestamp(challenge.ExpiresAt),
        ["attempts"] = challenge.Attempts,
        ["max_attempts"] = challenge.MaxAttempts,
        ["completed_at"] = challenge.CompletedAt is { } completed ? Timestamp(completed) : null,
        ["metadata"] = null,
    };

    public static JsonObject Verification(VerificationSnapshot verification) => new()
    {
        ["id"] = verification.Id,
        ["auth_identity_id"] = verification.AuthIdentityId,
        ["entity_id"] = verification.EntityId,
        ["entity_type"] = verification.EntityType,
        ["code_provider"] = verification.CodeProvider,
        ["verified_at"] = verification.VerifiedAt is { } verified ? Timestamp(verified) : null,
        ["requested_at"] = verification.RequestedAt is { } requested ? Timestamp(requested) : null,
        ["metadata"] = JsonNode.Parse(verification.MetadataJson),
        ["created_at"] = Timestamp(verification.CreatedAt),
        ["updated_at"] = Timestamp(verification.UpdatedAt),
        ["deleted_at"] = null,
    };

    private static string Timestamp(DateTimeOffset at) => MillisecondUtcDateTimeOffsetConverter.Format(at);
}
