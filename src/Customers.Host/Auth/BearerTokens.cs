using System.Text.Json;
using Microsoft.AspNetCore.Authentication.JwtBearer;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Tokens;

namespace Customers.Host.Auth;

/// <summary>
/// Strict bearer-token validation on ASP.NET Core's JwtBearer handler: the algorithm is pinned to HS256 (so
/// <c>alg: none</c>, HS384/512 and key confusion fail), <c>exp</c> is required with at most 30 s skew, issuer and
/// audience are checked when configured, tokens that name keys in their header are refused, and revoked tokens fail.
/// </summary>
internal static class BearerTokens
{
    private static readonly string[] KeyReferencingHeaders = ["jwk", "jku", "x5u", "x5c"];

    public static void Configure(JwtBearerOptions options, JwtOptions settings, SigningKey key)
    {
        options.MapInboundClaims = false;
        options.TokenValidationParameters = new TokenValidationParameters
        {
            ValidAlgorithms = [SecurityAlgorithms.HmacSha256],
            IssuerSigningKey = new SymmetricSecurityKey(key.Bytes),
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            ClockSkew = settings.ClockSkew,
            ValidateIssuer = settings.Issuer is not null,
            ValidIssuer = settings.Issuer,
            ValidateAudience = settings.Audience is not null,
            ValidAudience = settings.Audience,
            ValidateIssuerSigningKey = true,
        };
        options.Events = new JwtBearerEvents
        {
            OnTokenValidated = context =>
            {
                if (context.SecurityToken is not JsonWebToken token || !TryReadActor(token, out var actor))
                {
                    context.Fail("The token lacks actor claims.");
                    return Task.CompletedTask;
                }

                foreach (var header in KeyReferencingHeaders)
                {
                    if (token.TryGetHeaderValue<object>(header, out _))
                    {
                        context.Fail("Tokens that reference keys are not accepted.");
                        return Task.CompletedTask;
                    }
                }

                if (context.HttpContext.RequestServices.GetRequiredService<TokenRevocations>().IsTokenRevoked(actor, token.EncodedToken))
                {
                    context.Fail("The token was revoked.");
                    return Task.CompletedTask;
                }

                context.HttpContext.Features.Set(actor);
                context.Properties.ExpiresUtc = token.ValidTo;
                return Task.CompletedTask;
            },
        };
    }

    private static bool TryReadActor(JsonWebToken token, out Actor actor)
    {
        actor = null!;
        if (!token.TryGetPayloadValue<string>("actor_type", out var actorType)
            || !token.TryGetPayloadValue<string>("auth_identity_id", out var identityId))
        {
            return false;
        }

        token.TryGetPayloadValue<string>("actor_id", out var actorId);
        token.TryGetPayloadValue<string>("auth_provider", out var provider);
        token.TryGetPayloadValue<long>("iat", out var issuedAt);
        token.TryGetPayloadValue<bool>("mfa_enabled", out var mfaEnabled);
        token.TryGetPayloadValue<string>("mfa_challenge_completed_at", out var mfaCompletedAt);
        // Validated actors are cached (ValidatedTokenCache): they share the strings every customer token has.
        actor = new Actor(actorId ?? "", Actor.Shared(actorType), identityId, provider is null ? null : Actor.Shared(provider), issuedAt,
            mfaEnabled, mfaCompletedAt);
        return true;
    }

    /// <summary>Reads an actor from a stored claim set (sessions keep the claims of the token they were made from).</summary>
    public static Actor? ActorFromClaims(JsonElement claims)
    {
        if (claims.ValueKind != JsonValueKind.Object
            || !claims.TryGetProperty("actor_type", out var actorType) || actorType.ValueKind != JsonValueKind.String
            || !claims.TryGetProperty("auth_identity_id", out var identityId) || identityId.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        var actorId = claims.TryGetProperty("actor_id", out var a) && a.ValueKind == JsonValueKind.String ? a.GetString()! : "";
        var provider = claims.TryGetProperty("auth_provider", out var p) && p.ValueKind == JsonValueKind.String ? p.GetString() : null;
        var issuedAt = claims.TryGetProperty("iat", out var i) && i.TryGetInt64(out var iat) ? iat : 0;
        var mfaEnabled = claims.TryGetProperty("mfa_enabled", out var m) && m.ValueKind == JsonValueKind.True;
        var mfaCompletedAt = claims.TryGetProperty("mfa_challenge_completed_at", out var c) && c.ValueKind == JsonValueKind.String ? c.GetString() : null;
        return new Actor(actorId, actorType.GetString()!, identityId.GetString()!, provider, issuedAt, mfaEnabled, mfaCompletedAt);
    }
}
