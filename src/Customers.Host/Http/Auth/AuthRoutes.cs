using System.Text.Json.Nodes;
using Customers.Abstractions.Auth;
using Customers.Abstractions.Errors;
using Customers.Host.Auth;
using Customers.Host.Auth.Providers;
using Customers.Host.Http.OpenApi;
using Customers.Host.Telemetry;
using Customers.Medusa;

namespace Customers.Host.Http.Auth;

/// <summary>
/// The <c>/auth</c> routes (docs/medusa-compatibility.md §3.4-§3.9): login and sign-up through the installed
/// <see cref="IAuthProvider"/>s (e-mail/password at once; OAuth / OpenID Connect as <c>{location}</c>, then the
/// callback), refresh, and cookie sessions.
/// </summary>
internal static class AuthRoutes
{
    private const string UnknownProviderMessage =
        "\nUnable to retrieve the auth provider with id: {0}\nPlease make sure that the provider is registered in the container and it is configured correctly in your project configuration file.";

    /// <summary><c>GET|POST /auth/{actor}/{provider}</c>: credentials providers answer a token; redirect providers
    /// start a sign-in and answer its location.</summary>
    internal static async Task<IResult> LoginAsync(
        string actorType, string provider, HttpContext http, AuthProviders providers, ProviderAllowList allowList,
        SignInAnswer answers, RedirectSignIn redirects)
    {
        if (!FindProvider(actorType, provider, allowList, providers).TryGetValue(out var found, out var refused)
            || !(await BodyReader.ReadAsync(http.Request)).TryGetValue(out var body, out refused))
        {
            return refused.ToResult();
        }

        var request = NewRequest(http, actorType, body);
        if (found.Flow == AuthProviderFlow.Redirect)
        {
            var location = await redirects.StartAsync(found, request, HttpMethods.IsPost(http.Request.Method), http.RequestAborted);
            return LocationResult(location);
        }

        return await found.AuthenticateAsync(request, http.RequestAborted) switch
        {
            AuthenticationResult.Authenticated authenticated => await answers.AnswerAsync(authenticated.Identity, actorType, found.Id),
            AuthenticationResult.Redirect redirect => LocationResult(redirect.Location),
            var other => throw new InvalidOperationException($"Auth provider '{found.Id}' answered {other.GetType().Name}."),
        };
    }

    /// <summary><c>POST /auth/{actor}/{provider}/register</c>: only credentials providers sign up; the others refuse as
    /// Medusa's do.</summary>
    internal static async Task<IResult> RegisterAsync(
        string actorType, string provider, HttpContext http, AuthProviders providers, ProviderAllowList allowList, TokenIssuer tokens)
    {
        if (!FindProvider(actorType, provider, allowList, providers).TryGetValue(out var found, out var refused)
            || !(await BodyReader.ReadAsync(http.Request)).TryGetValue(out var body, out refused))
        {
            return refused.ToResult();
        }

        // Registration never answers a challenge or a verification (as in Medusa): its token has no actor anyway.
        return await found.RegisterAsync(NewRequest(http, actorType, body), http.RequestAborted) switch
        {
            AuthenticationResult.Authenticated authenticated => SignInAnswer.Token(tokens.Issue(authenticated.Identity, actorType, found.Id)),
            AuthenticationResult.Redirect redirect => LocationResult(redirect.Location),
            var other => throw new InvalidOperationException($"Auth provider '{found.Id}' answered {other.GetType().Name}."),
        };
    }

    /// <summary>
    /// <c>GET|POST /auth/{actor}/{provider}/callback</c>: the OAuth return leg. Every failure is 401
    /// <c>unauthorized</c>. The token's <c>actor_id</c> is the linked customer of a returning identity, or empty for a
    /// new one (the storefront then creates the customer).
    /// </summary>
    internal static async Task<IResult> CallbackAsync(
        string actorType, string provider, HttpContext http, AuthProviders providers, ProviderAllowList allowList,
        SignInAnswer answers, RedirectSignIn redirects, CustomersMetrics metrics)
    {
        if (!FindProvider(actorType, provider, allowList, providers).TryGetValue(out var found, out var refused))
        {
            return refused.ToResult();
        }

        if (found.Flow != AuthProviderFlow.Redirect)
        {
            throw AuthProviderErrors.CallbackNotSupported(found.Id);
        }

        var body = new JsonObject();
        if (HttpMethods.IsPost(http.Request.Method) && !(await BodyReader.ReadAsync(http.Request)).TryGetValue(out body, out refused))
        {
            return refused.ToResult();
        }

        IdentitySnapshot identity;
        try
        {
            identity = await redirects.CompleteAsync(found, actorType, QueryValues(http), body, http.RequestAborted);
        }
        catch (CustomersException)
        {
            metrics.Login(actorType, found.Id, LoginOutcome.Failed);
            throw;
        }

        metrics.Login(actorType, found.Id, LoginOutcome.Succeeded);
        metrics.SocialSignIn(actorType, found.Id);
        return await answers.AnswerAsync(identity, actorType, found.Id);
    }

    /// <summary>
    /// <c>POST /auth/token/refresh</c>. A token without an actor is signed in again (so it may answer a verification or a
    /// new challenge). A token with one keeps its MFA claims, unless the identity has enabled a factor since and the
    /// token never answered a challenge: then it must sign in again as well (stricter than Medusa).
    /// </summary>
    internal static async Task<IResult> RefreshAsync(HttpContext http, IGrainFactory grains, TokenIssuer tokens, SignInAnswer answers)
    {
        var actor = http.GetActor();
        if (actor.AuthProvider is null)
        {
            return MedusaError.Unauthorized("The auth provider is not set while refreshing token").ToResult();
        }

        var identity = await grains.GetGrain<IAuthIdentityGrain>(actor.AuthIdentityId).GetAsync();
        if (identity is null)
        {
            return actor.IsRegistered
                ? MedusaError.NotFound($"AuthIdentity with id: {actor.AuthIdentityId} was not found").ToResult()
                : MedusaError.Unauthorized("Invalid auth identity while refreshing token").ToResult();
        }

        if (!actor.IsRegistered || (identity.MfaEnabled && actor.MfaCompletedAt is null))
        {
            return await answers.AnswerAsync(identity, actor.ActorType, actor.AuthProvider);
        }

        return SignInAnswer.Token(tokens.Issue(identity, actor.ActorType, actor.AuthProvider, new MfaClaims(actor.MfaEnabled, actor.MfaCompletedAt)));
    }

    internal static async Task<IResult> StartSessionAsync(HttpContext http, SessionCookies sessions)
    {
        var claims = CallerCredential.Claims(http);
        await sessions.StartAsync(http, claims);
        return JsonBodyResult.Raw($$"""{"user":{{claims}}}""");
    }

    /// <summary>Ends the session and, stricter than Medusa, revokes every earlier token of the identity on all silos.</summary>
    internal static async Task<IResult> EndSessionAsync(HttpContext http, SessionCookies sessions, IGrainFactory grains, TokenRevocations revocations)
    {
        var actor = http.GetActor();
        await sessions.EndAsync(http);
        var identity = grains.GetGrain<IAuthIdentityGrain>(actor.AuthIdentityId);
        if (await identity.GetAsync() is not null)
        {
            revocations.Revoke(actor.AuthIdentityId, await identity.RevokeTokensAsync(), TokenRevocations.Logout);
        }

        return JsonBodyResult.Raw("""{"success":true}""");
    }

    internal static IResult ListProviders(string actorType, ProviderAllowList allowList, AuthProviders providers)
    {
        var list = new JsonArray();
        foreach (var provider in providers.All.Where(p => allowList.Allows(actorType, p.Id)))
        {
            list.Add(new JsonObject
            {
                ["id"] = provider.Id,
                ["identifier"] = provider.Id,
                ["display_name"] = provider.DisplayName,
                ["flow"] = provider.Flow == AuthProviderFlow.Redirect ? "redirect" : "credentials",
            });
        }

        return JsonBodyResult.Of(new JsonObject { ["providers"] = list });
    }

    /// <summary>The allow-list first (400 <c>not_allowed</c>), then whether the provider is installed (Medusa's 401).</summary>
    private static MedusaResult<IAuthProvider> FindProvider(string actorType, string provider, ProviderAllowList allowList, AuthProviders providers)
    {
        if (!allowList.Allows(actorType, provider))
        {
            return MedusaError.NotAllowed(ProviderAllowList.NotAllowedMessage(actorType, provider));
        }

        return providers.Find(provider) is { } found
            ? MedusaResult<IAuthProvider>.Success(found)
            : MedusaError.Unauthorized(string.Format(System.Globalization.CultureInfo.InvariantCulture, UnknownProviderMessage, provider));
    }

    private static AuthenticationRequest NewRequest(HttpContext http, string actorType, JsonObject body) =>
        new(actorType, body, QueryValues(http), ClientAddress.Of(http), Authorization: null);

    /// <summary>The query string, first value per key (providers read single parameters such as <c>code</c>).</summary>
    private static Dictionary<string, string> QueryValues(HttpContext http) =>
        http.Request.Query.ToDictionary(pair => pair.Key, pair => pair.Value.FirstOrDefault() ?? "", StringComparer.Ordinal);

    private static JsonBodyResult LocationResult(Uri location) =>
        JsonBodyResult.Of(new JsonObject { ["location"] = location.AbsoluteUri });

    /// <summary>The OpenAPI description of these routes.</summary>
    internal static class Docs
    {
        public static readonly RouteDoc Refresh = new("AuthRefreshToken", "Issue a new token for the caller's identity", WireSchemas.SignIn())
        {
            Errors = [StatusCodes.Status401Unauthorized, StatusCodes.Status404NotFound],
        };

        public static readonly RouteDoc StartSession = new(
            "AuthCreateSession", "Start a cookie session from a bearer token", WireSchemas.One("user", WireSchemas.TokenClaims));

        public static readonly RouteDoc EndSession = new(
            "AuthDeleteSession", "End the cookie session and revoke the identity's tokens", WireSchemas.Success());

        public static readonly RouteDoc ListProviders = new(
            "AuthListProviders",
            "List the auth providers an actor type may use",
            JsonSchemas.Wrapped("providers", JsonSchemas.ArrayOf(JsonSchemas.Ref(WireSchemas.AuthProvider))));

        public static readonly RouteDoc Login = new("AuthLogin", "Log in, or start a redirect provider's sign-in", WireSchemas.TokenOrLocation())
        {
            Body = ProviderBody(),
            Errors = [StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized, StatusCodes.Status429TooManyRequests],
        };

        public static readonly RouteDoc Register = new("AuthRegister", "Register an identity with a credentials provider", WireSchemas.Token())
        {
            Body = ProviderBody(),
            Errors = [StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized],
        };

        public static readonly RouteDoc Callback = new("AuthCallback", "Complete a redirect provider's sign-in", WireSchemas.SignIn())
        {
            Body = JsonSchemas.Shape([], ("code", JsonSchemas.Text())),
            Errors = [StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized],
        };

        // Read without a schema: each provider takes what it needs, other keys are ignored.
        private static JsonObject ProviderBody() => JsonSchemas.Shape(
            [], ("email", JsonSchemas.Text()), ("password", JsonSchemas.Text()), ("callback_url", JsonSchemas.Text()));
    }
}
