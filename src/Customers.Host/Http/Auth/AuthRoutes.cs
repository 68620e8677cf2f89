using System.Text.Json.Nodes;
using Customers.Abstractions.Auth;
using Customers.Abstractions.Errors;
using Customers.Host.Auth;
using Customers.Host.Hosting;
using Customers.Host.Http.Medusa;

namespace Customers.Host.Http.Auth;

/// <summary>The <c>/auth</c> routes (spec §2.4): e-mail/password sign-up and login, refresh, and cookie sessions.</summary>
internal static class AuthRoutes
{
    private const string UnknownProviderMessage =
        "\nUnable to retrieve the auth provider with id: {0}\nPlease make sure that the provider is registered in the container and it is configured correctly in your project configuration file.";

    public static RouteGroupBuilder MapAuthRoutes(this IEndpointRouteBuilder app)
    {
        var auth = app.MapGroup("/auth").WithTags("Auth");
        auth.MapPost("/token/refresh", RefreshAsync).RequireActor(null, AuthMechanisms.BearerOrSession, allowUnregistered: true);
        auth.MapPost("/session", StartSessionAsync).RequireActor(null, AuthMechanisms.Bearer, allowUnregistered: true);
        auth.MapDelete("/session", EndSessionAsync).RequireActor(null, AuthMechanisms.Session, allowUnregistered: true);
        auth.MapGet("/{actorType}/providers", ListProviders);
        auth.MapMethods("/{actorType}/{provider}", ["GET", "POST"], LoginAsync);
        auth.MapPost("/{actorType}/{provider}/register", RegisterAsync).RequireRateLimiting(HttpSetup.RegistrationPolicy);
        return auth;
    }

    private static async Task<IResult> LoginAsync(
        string actorType, string provider, HttpContext http, EmailPasswordFlow emailPass, TokenIssuer tokens,
        FailedLoginLimiter failedLogins, ProviderAllowList allowList)
    {
        if (CheckProvider(actorType, provider, allowList) is { } refused)
        {
            return refused.ToResult();
        }

        if (!(await ReadCredentialsAsync(http)).TryGetValue(out var credentials, out var invalid))
        {
            return invalid.ToResult();
        }

        var client = ClientAddress.Of(http);
        if (failedLogins.RetryAfter(client) is { } wait)
        {
            throw new CustomersException(ErrorKind.TooManyAttempts, "Too many failed login attempts. Please try again later.", wait);
        }

        var identity = await emailPass.VerifyAsync(credentials.Email, credentials.Password, http.RequestAborted);
        if (identity is null)
        {
            failedLogins.RecordFailure(client);
            return MedusaError.Unauthorized(EmailPasswordFlow.InvalidCredentials).ToResult();
        }

        return TokenResult(tokens.Issue(identity, actorType, EmailPasswordFlow.Provider));
    }

    private static async Task<IResult> RegisterAsync(
        string actorType, string provider, HttpContext http, EmailPasswordFlow emailPass, TokenIssuer tokens, ProviderAllowList allowList)
    {
        if (CheckProvider(actorType, provider, allowList) is { } refused)
        {
            return refused.ToResult();
        }

        if (!(await ReadCredentialsAsync(http)).TryGetValue(out var credentials, out var invalid))
        {
            return invalid.ToResult();
        }

        var identity = await emailPass.RegisterAsync(credentials.Email, credentials.Password, http.RequestAborted);
        return TokenResult(tokens.Issue(identity, actorType, EmailPasswordFlow.Provider));
    }

    private static async Task<IResult> RefreshAsync(HttpContext http, IGrainFactory grains, TokenIssuer tokens)
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

        return TokenResult(tokens.Issue(identity, actor.ActorType, actor.AuthProvider));
    }

    private static async Task<IResult> StartSessionAsync(HttpContext http, SessionCookies sessions)
    {
        var actor = http.GetActor();
        await sessions.StartAsync(http, actor.Claims.Value);
        return JsonBodyResult.Raw($$"""{"user":{{actor.Claims.Value}}}""");
    }

    /// <summary>Ends the session and, stricter than Medusa, revokes every earlier token of the identity on all silos.</summary>
    private static async Task<IResult> EndSessionAsync(HttpContext http, SessionCookies sessions, IGrainFactory grains, TokenRevocations revocations)
    {
        var actor = http.GetActor();
        await sessions.EndAsync(http);
        var identity = grains.GetGrain<IAuthIdentityGrain>(actor.AuthIdentityId);
        if (await identity.GetAsync() is not null)
        {
            revocations.Record(actor.AuthIdentityId, await identity.RevokeTokensAsync());
        }

        return JsonBodyResult.Raw("""{"success":true}""");
    }

    private static IResult ListProviders(string actorType, ProviderAllowList allowList) =>
        allowList.Allows(actorType, EmailPasswordFlow.Provider)
            ? JsonBodyResult.Raw("""{"providers":[{"id":"emailpass","identifier":"emailpass","display_name":"Email/Password Authentication","flow":"credentials"}]}""")
            : JsonBodyResult.Raw("""{"providers":[]}""");

    private static MedusaError? CheckProvider(string actorType, string provider, ProviderAllowList allowList)
    {
        if (!allowList.Allows(actorType, provider))
        {
            return MedusaError.NotAllowed(ProviderAllowList.NotAllowedMessage(actorType, provider));
        }

        return provider == EmailPasswordFlow.Provider
            ? null
            : MedusaError.Unauthorized(string.Format(System.Globalization.CultureInfo.InvariantCulture, UnknownProviderMessage, provider));
    }

    private sealed record Credentials(string Email, string Password);

    /// <summary>emailpass bodies are not schema-checked in Medusa, only typed: password first, then e-mail (401s).</summary>
    private static async Task<MedusaResult<Credentials>> ReadCredentialsAsync(HttpContext http)
    {
        if (!(await BodyReader.ReadAsync(http.Request)).TryGetValue(out var body, out var error))
        {
            return error;
        }

        if (!TryGetNonEmptyString(body, "password", out var password))
        {
            return MedusaError.Unauthorized("Password should be a string");
        }

        if (!TryGetNonEmptyString(body, "email", out var email))
        {
            return MedusaError.Unauthorized("Email should be a string");
        }

        return new Credentials(email, password);
    }

    private static bool TryGetNonEmptyString(JsonObject body, string name, out string value)
    {
        value = body[name] is JsonValue node && node.TryGetValue<string>(out var text) ? text : "";
        return value.Length > 0;
    }

    private static JsonBodyResult TokenResult(string token) =>
        JsonBodyResult.Raw($$"""{"token":{{System.Text.Json.JsonSerializer.Serialize(token)}}}""");
}
