using Customers.Host.Stores;
using Customers.Medusa;
using Microsoft.AspNetCore.Authentication;
using Microsoft.AspNetCore.Authentication.JwtBearer;

namespace Customers.Host.Auth;

/// <summary>How a route lets callers in (docs/medusa-compatibility.md §2.15): which mechanisms, which actor type, and
/// whether an identity with no actor yet (a fresh registration token) is enough.</summary>
[Flags]
internal enum AuthMechanisms
{
    Bearer = 1,
    Session = 2,
    BearerOrSession = Bearer | Session,

    /// <summary>A secret API key in <c>Authorization: Basic</c> (admin routes only); the caller becomes <c>api-key</c>.</summary>
    SecretApiKey = 4,

    /// <summary>What <c>/admin</c> accepts, checked in Medusa's order: secret key, session, bearer.</summary>
    Admin = SecretApiKey | Session | Bearer,
}

internal static class ActorRequirement
{
    /// <summary>
    /// Admits the request only for an allowed actor, else answers Medusa's type-less 401 <c>{"message":"Unauthorized"}</c>.
    /// The session is consulted before the bearer token, as Medusa does. <paramref name="actorType"/> null allows any.
    /// Unless <paramref name="requireMfa"/> is false, a caller that signed in with the password but has not answered
    /// the second-factor challenge yet gets 401 <c>{"message":"MFA verification is required to complete this request"}</c>.
    /// </summary>
    public static TBuilder RequireActor<TBuilder>(
        this TBuilder builder, string? actorType, AuthMechanisms mechanisms, bool allowUnregistered = false, bool requireMfa = true)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(new RequiredCredentials(mechanisms)).AddEndpointFilter(async (context, next) =>
        {
            var http = context.HttpContext;
            if (!(await AuthenticateAsync(http, actorType, mechanisms, allowUnregistered, requireMfa)).TryGetValue(out var actor, out var error))
            {
                return error.ToResult();
            }

            http.Features.Set(actor);
            return await next(context);
        });

    /// <summary>
    /// The caller, or the 401 to answer: Medusa's type-less <c>{"message":"Unauthorized"}</c>, or, where secret keys are
    /// accepted, its hint when one was sent as a Bearer token.
    /// </summary>
    public static async Task<MedusaResult<Actor>> AuthenticateAsync(
        HttpContext http, string? actorType, AuthMechanisms mechanisms, bool allowUnregistered = false, bool requireMfa = true)
    {
        if (await ResolveAsync(http, actorType, mechanisms, allowUnregistered, requireMfa) is { } actor)
        {
            // Medusa's order: the MFA gate comes before the check that the caller is linked to an actor.
            return requireMfa && actor.IsMfaPending ? MfaRequired : actor;
        }

        return mechanisms.HasFlag(AuthMechanisms.SecretApiKey) && SecretKeyCredentials.IsSentAsBearer(http.Request.Headers.Authorization)
            ? MedusaError.SecretKeyAsBearer()
            : MedusaError.AuthMiddlewareUnauthorized();
    }

    private static readonly MedusaError MfaRequired =
        new(StatusCodes.Status401Unauthorized, null, "MFA verification is required to complete this request");

    /// <summary>The first credential, in Medusa's order, that the route admits or that its MFA gate must refuse.</summary>
    private static async Task<Actor?> ResolveAsync(
        HttpContext http, string? actorType, AuthMechanisms mechanisms, bool allowUnregistered, bool requireMfa)
    {
        if (mechanisms.HasFlag(AuthMechanisms.SecretApiKey)
            && SecretKeyCredentials.FromAuthorization(http.Request.Headers.Authorization) is { } secret
            && await http.RequestServices.GetRequiredService<ApiKeyStore>().FindSecretKeyAsync(secret, http.RequestAborted) is { } keyId)
        {
            return Actor.ForApiKey(keyId);
        }

        if (mechanisms.HasFlag(AuthMechanisms.Session)
            && await http.RequestServices.GetRequiredService<SessionCookies>().ReadAsync(http) is var (sessionActor, claims)
            && IsAllowed(sessionActor, actorType, allowUnregistered, requireMfa))
        {
            CallerCredential.SetSessionClaims(http, claims);
            return sessionActor;
        }

        if (mechanisms.HasFlag(AuthMechanisms.Bearer) && await AuthenticateBearerAsync(http) is { } bearerActor
            && IsAllowed(bearerActor, actorType, allowUnregistered, requireMfa))
        {
            return bearerActor;
        }

        return null;
    }

    private static async Task<Actor?> AuthenticateBearerAsync(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        if (!header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var cache = http.RequestServices.GetRequiredService<ValidatedTokenCache>();
        if (header.AsSpan(scheme.Length).Trim().StartsWith("sk_", StringComparison.Ordinal))
        {
            return null; // a secret key, not a JWT
        }

        // The header's characters are looked up in place: no per-request copy of the token.
        if (cache.Find(header.AsSpan(scheme.Length).Trim()) is { } known)
        {
            return known;
        }

        var result = await http.AuthenticateAsync(JwtBearerDefaults.AuthenticationScheme);
        if (!result.Succeeded || http.Features.Get<Actor>() is not { } actor || result.Properties?.ExpiresUtc is not { } expires)
        {
            return null;
        }

        cache.Add(header.AsSpan(scheme.Length).Trim(), actor, expires);
        return actor;
    }

    private static bool IsAllowed(Actor actor, string? actorType, bool allowUnregistered, bool requireMfa) =>
        (actorType is null || actor.ActorType == actorType)
        && (actor.IsRegistered || (allowUnregistered && actor.AuthIdentityId.Length > 0) || (requireMfa && actor.IsMfaPending));
}
