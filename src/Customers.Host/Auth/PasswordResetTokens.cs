using Microsoft.Extensions.Options;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Customers.Host.Auth;

/// <summary>What a valid password reset JWT says. <see cref="TokenId"/> is the secret the identity checks.</summary>
internal sealed record PasswordResetClaims(string EntityId, string Provider, string ActorType, string TokenId);

/// <summary>
/// Checks password reset JWTs (docs/medusa-compatibility.md §3.11) as strictly as session tokens: HS256 only,
/// signature, <c>exp</c> required (at most the configured skew), issuer and audience when configured, no key references
/// in the header; then the reset claims: <c>purpose</c> <c>reset</c>, a <c>jti</c>, an <c>entity_id</c>, and
/// <c>actor_type</c> and <c>provider</c> equal to the route's. Whether the <c>jti</c> is the identity's pending token
/// is the grain's call.
/// </summary>
internal sealed class PasswordResetTokens(IOptions<JwtOptions> options, SigningKey key, TimeProvider time)
{
    public const string Purpose = "reset";

    private static readonly string[] KeyReferencingHeaders = ["jwk", "jku", "x5u", "x5c"];

    private readonly JsonWebTokenHandler _handler = new() { MapInboundClaims = false };

    private readonly TokenValidationParameters _parameters = new()
    {
        ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
        IssuerSigningKey = new SymmetricSecurityKey(key.Bytes),
        RequireSignedTokens = true,
        RequireExpirationTime = true,
        ValidateLifetime = true,
        ClockSkew = options.Value.ClockSkew,
        ValidateIssuer = options.Value.Issuer is not null,
        ValidIssuer = options.Value.Issuer,
        ValidateAudience = options.Value.Audience is not null,
        ValidAudience = options.Value.Audience,
        ValidateIssuerSigningKey = true,

        // The host's clock (tests move it), with the same skew and the same rule: no exp, no entry.
        LifetimeValidator = (notBefore, expires, _, parameters) =>
        {
            var now = time.GetUtcNow().UtcDateTime;
            return expires is { } exp && exp + parameters.ClockSkew > now
                && (notBefore is not { } nbf || nbf - parameters.ClockSkew <= now);
        },
    };

    /// <summary>The claims of the request's <c>Authorization: Bearer</c> reset token, or null when it is not a valid one.</summary>
    public async Task<PasswordResetClaims?> ReadAsync(HttpRequest request, string actorType, string provider)
    {
        const string scheme = "Bearer ";
        var header = request.Headers.Authorization.ToString();
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = header[scheme.Length..].Trim();
        if (token.Length == 0 || !_handler.CanReadToken(token))
        {
            return null;
        }

        var result = await _handler.ValidateTokenAsync(token, _parameters);
        if (!result.IsValid || result.SecurityToken is not JsonWebToken jwt
            || KeyReferencingHeaders.Any(name => jwt.TryGetHeaderValue<object>(name, out _)))
        {
            return null;
        }

        return Text(jwt, "purpose") == Purpose
            && Text(jwt, "actor_type") == actorType
            && Text(jwt, "provider") == provider
            && Text(jwt, "entity_id") is { Length: > 0 } entityId
            && Text(jwt, "jti") is { Length: > 0 } tokenId
                ? new PasswordResetClaims(entityId, provider, actorType, tokenId)
                : null;
    }

    private static string? Text(JsonWebToken jwt, string claim) =>
        jwt.TryGetPayloadValue<string>(claim, out var value) ? value : null;
}
