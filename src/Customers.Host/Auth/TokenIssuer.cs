using System.Buffers;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text.Json;
using System.Text.Json.Nodes;
using Customers.Abstractions.Auth;
using Microsoft.Extensions.Options;

namespace Customers.Host.Auth;

/// <summary>
/// Issues Medusa-shaped session tokens (docs/medusa-compatibility.md §3.2): HS256, claims in Medusa's order,
/// <c>actor_id</c> resolved from <c>app_metadata["&lt;actor_type&gt;_id"]</c> or empty when the identity has no such
/// actor yet.
/// </summary>
internal sealed class TokenIssuer(IOptions<JwtOptions> options, SigningKey key, TimeProvider time)
{
    private static readonly byte[] Header = Base64Url.EncodeToUtf8("""{"alg":"HS256","typ":"JWT"}"""u8);

    /// <summary>
    /// A session token for <paramref name="identity"/> as <paramref name="actorType"/>. <paramref name="mfa"/> sets the MFA
    /// claims; by default <c>mfa_enabled</c> says whether the identity has an enabled factor, with no completion (such a
    /// token is stopped by the MFA gate). An <paramref name="actorless"/> token carries no actor, not even in its
    /// <c>app_metadata</c>: it proves the first factor (or an unverified e-mail) and nothing more.
    /// </summary>
    public string Issue(IdentitySnapshot identity, string actorType, string authProvider, MfaClaims? mfa = null, bool actorless = false)
    {
        var settings = options.Value;
        var appMetadata = identity.AppMetadataJson is null ? new JsonObject() : JsonNode.Parse(identity.AppMetadataJson)!.AsObject();
        if (actorless)
        {
            appMetadata.Remove(actorType + "_id");
        }

        var actorId = appMetadata[actorType + "_id"] is JsonValue linked && linked.TryGetValue<string>(out var id) ? id : "";
        var (mfaEnabled, mfaCompletedAt) = mfa ?? new MfaClaims(identity.MfaEnabled, null);
        var userMetadata = identity.ProviderIdentities.FirstOrDefault(p => p.Provider == authProvider)?.UserMetadataJson;

        // Stamp at least the revocation second so a token issued right after a logout is not void (see TokenRevocations).
        var issuedAt = time.GetUtcNow().ToUnixTimeSeconds();
        if (identity.TokensValidAfter is { } validAfter)
        {
            issuedAt = Math.Max(issuedAt, TokenRevocations.FirstValidIssuedAt(validAfter));
        }

        var payload = new ArrayBufferWriter<byte>(512);
        using (var json = new Utf8JsonWriter(payload))
        {
            json.WriteStartObject();
            json.WriteString("actor_id", actorId);
            json.WriteString("actor_type", actorType);
            json.WriteString("auth_identity_id", identity.Id);
            json.WriteString("auth_provider", authProvider);
            json.WriteBoolean("mfa_enabled", mfaEnabled);
            if (mfaCompletedAt is null)
            {
                json.WriteNull("mfa_challenge_completed_at");
            }
            else
            {
                json.WriteString("mfa_challenge_completed_at", mfaCompletedAt);
            }

            json.WritePropertyName("app_metadata");
            appMetadata.WriteTo(json);
            json.WritePropertyName("user_metadata");
            if (userMetadata is null)
            {
                json.WriteStartObject();
                json.WriteEndObject();
            }
            else
            {
                json.WriteRawValue(userMetadata);
            }

            if (settings.Issuer is not null)
            {
                json.WriteString("iss", settings.Issuer);
            }

            if (settings.Audience is not null)
            {
                json.WriteString("aud", settings.Audience);
            }

            json.WriteNumber("iat", issuedAt);
            json.WriteNumber("exp", issuedAt + (long)settings.ExpiresIn.TotalSeconds);
            json.WriteEndObject();
        }

        return Sign(payload.WrittenSpan);
    }

    /// <summary>
    /// A password reset token shaped like Medusa's (docs/medusa-compatibility.md §3.10): claims
    /// <c>entity_id, provider, actor_type, purpose, iat, exp, jti</c>, HS256 with the session-token key. The <c>jti</c>
    /// carries the ticket's 256-bit secret, and <c>exp</c> never outlives the identity's own expiry for it.
    /// </summary>
    public string IssuePasswordReset(PasswordResetTicket ticket, string entityId, string provider, string actorType)
    {
        var settings = options.Value;
        var issuedAt = ticket.IssuedAt.ToUnixTimeSeconds();
        var payload = new ArrayBufferWriter<byte>(256);
        using (var json = new Utf8JsonWriter(payload))
        {
            json.WriteStartObject();
            json.WriteString("entity_id", entityId);
            json.WriteString("provider", provider);
            json.WriteString("actor_type", actorType);
            json.WriteString("purpose", PasswordResetTokens.Purpose);
            if (settings.Issuer is not null)
            {
                json.WriteString("iss", settings.Issuer);
            }

            if (settings.Audience is not null)
            {
                json.WriteString("aud", settings.Audience);
            }

            json.WriteNumber("iat", issuedAt);
            json.WriteNumber("exp", issuedAt + (long)(ticket.ExpiresAt - ticket.IssuedAt).TotalSeconds);
            json.WriteString("jti", ticket.TokenId);
            json.WriteEndObject();
        }

        return Sign(payload.WrittenSpan);
    }

    private string Sign(ReadOnlySpan<byte> payloadJson)
    {
        var payload = Base64Url.EncodeToUtf8(payloadJson);
        var signingInput = new byte[Header.Length + 1 + payload.Length];
        Header.CopyTo(signingInput, 0);
        signingInput[Header.Length] = (byte)'.';
        payload.CopyTo(signingInput, Header.Length + 1);
        var signature = HMACSHA256.HashData(key.Bytes, signingInput);
        return string.Concat(
            System.Text.Encoding.ASCII.GetString(signingInput), ".", Base64Url.EncodeToString(signature));
    }
}

/// <summary>The MFA claims of a session token: <c>mfa_enabled</c> and <c>mfa_challenge_completed_at</c> (ISO-8601 UTC with ms).</summary>
internal sealed record MfaClaims(bool Enabled, string? CompletedAt)
{
    /// <summary>The claims of a token issued by a completed challenge.</summary>
    public static MfaClaims Completed(DateTimeOffset at) =>
        new(true, Customers.Medusa.MillisecondUtcDateTimeOffsetConverter.Format(at));
}

/// <summary>The HMAC key shared by token signing, token validation and session-cookie signing.</summary>
internal sealed class SigningKey(byte[] bytes)
{
    public byte[] Bytes { get; } = bytes;

    /// <summary>A key for signing session cookies, derived so the JWT secret itself is never used twice.</summary>
    public byte[] CookieKey { get; } = HKDF.DeriveKey(HashAlgorithmName.SHA256, bytes, 32, info: "connect.sid"u8.ToArray());
}
