using System.Globalization;
using System.Text.Json.Nodes;
using Customers.Abstractions.Errors;
using Microsoft.AspNetCore.WebUtilities;

namespace Customers.Host.Auth.Providers;

/// <summary>
/// GitHub's OAuth 2 (not OpenID Connect): the authorize page with PKCE S256, the code exchange at
/// <c>/login/oauth/access_token</c> (JSON answer), then the REST API: <c>GET /user</c> for the numeric id (the
/// subject) and profile, <c>GET /user/emails</c> for the primary verified e-mail. Endpoints can be overridden
/// (GitHub Enterprise, tests).
/// </summary>
/// <remarks>
/// Unlike Medusa, the GitHub access token is not stored (nothing here calls GitHub later), so a missing
/// <c>expires_in</c> cannot fail the sign-in either (docs/medusa-compatibility.md D30).
/// </remarks>
internal sealed partial class GitHubProvider(string id, OAuthProviderOptions options, IHttpClientFactory http, ILogger<GitHubProvider> logger)
    : IAuthProvider
{
    public const string DefaultAuthorizationEndpoint = "https://github.com/login/oauth/authorize";
    public const string DefaultTokenEndpoint = "https://github.com/login/oauth/access_token";
    public const string DefaultApiBaseUrl = "https://api.github.com";

    private const string ApiMediaType = "application/vnd.github+json";
    private const string Title = "Github";

    private readonly Uri _api = new((options.ApiBaseUrl ?? DefaultApiBaseUrl).TrimEnd('/') + "/");
    private readonly string _scope = string.Join(' ', options.Scopes is { Length: > 0 } scopes ? scopes : ["read:user", "user:email"]);

    public string Id => id;

    public string DisplayName => options.DisplayName ?? $"{Title} Authentication";

    public AuthProviderFlow Flow => AuthProviderFlow.Redirect;

    public IReadOnlyList<string> CallbackUrls => options.CallbackUrls;

    public Task<AuthenticationResult> AuthenticateAsync(AuthenticationRequest request, CancellationToken ct)
    {
        var authorization = request.Authorization
            ?? throw new InvalidOperationException("A redirect provider is started with authorization parameters.");
        var location = QueryHelpers.AddQueryString(options.AuthorizationEndpoint ?? DefaultAuthorizationEndpoint, new Dictionary<string, string?>
        {
            ["client_id"] = options.ClientId,
            ["redirect_uri"] = authorization.RedirectUri,
            ["response_type"] = "code",
            ["scope"] = _scope,
            ["state"] = authorization.State,
            ["code_challenge"] = authorization.CodeChallenge,
            ["code_challenge_method"] = AuthorizationParameters.CodeChallengeMethod,
        });
        return Task.FromResult<AuthenticationResult>(new AuthenticationResult.Redirect(new Uri(location)));
    }

    public Task<AuthenticationResult> RegisterAsync(AuthenticationRequest request, CancellationToken ct) =>
        throw AuthProviderErrors.RegistrationNotSupported(Title);

    public async Task<ProviderUser> CallbackAsync(CallbackRequest request, CancellationToken ct)
    {
        var client = http.CreateClient(OAuthHttp.ClientName);
        var tokens = await OAuthHttp.ExchangeCodeAsync(
            client,
            new Uri(options.TokenEndpoint ?? DefaultTokenEndpoint),
            [
                new("client_id", options.ClientId!),
                new("client_secret", options.ClientSecret!),
                new("code", request.Code),
                new("redirect_uri", request.RedirectUri),
                new("code_verifier", request.CodeVerifier),
            ],
            clientAuthentication: null,
            Id, logger, ct);

        // GitHub answers a bad code with 200 and {"error": ...}; like Medusa, anything without a token fails.
        if (OAuthHttp.GetString(tokens, "access_token") is not { Length: > 0 } accessToken)
        {
            LogNoAccessToken(logger, Id, OAuthHttp.GetString(tokens, "error"));
            throw AuthProviderErrors.AuthenticationFailed();
        }

        var user = await OAuthHttp.GetWithTokenAsync(client, new Uri(_api, "user"), accessToken, ApiMediaType, Id, logger, ct, AddApiHeaders) as JsonObject;
        var subject = user?["id"] is JsonValue idValue && idValue.TryGetValue<long>(out var numericId)
            ? numericId.ToString(CultureInfo.InvariantCulture)
            : null;
        if (user is null || subject is null)
        {
            throw CustomersException.Unauthorized("Could not retrieve the Github user");
        }

        var metadata = new JsonObject
        {
            ["profile_url"] = user["url"]?.DeepClone(),
            ["avatar"] = user["avatar_url"]?.DeepClone(),
            ["email"] = await PrimaryVerifiedEmailAsync(client, accessToken, ct),
            ["name"] = user["name"]?.DeepClone(),
            ["company"] = user["company"]?.DeepClone(),
            ["two_factor_authentication"] = user["two_factor_authentication"]?.DeepClone(),
        };
        return new ProviderUser(subject, metadata);
    }

    /// <summary>The e-mail GitHub marks primary and verified, or null (none, or no <c>user:email</c> scope).</summary>
    private async Task<string?> PrimaryVerifiedEmailAsync(HttpClient client, string accessToken, CancellationToken ct)
    {
        var emails = await OAuthHttp.GetWithTokenAsync(client, new Uri(_api, "user/emails"), accessToken, ApiMediaType, Id, logger, ct, AddApiHeaders);
        return (emails as JsonArray)?
            .OfType<JsonObject>()
            .Where(e => e["primary"] is JsonValue p && p.TryGetValue<bool>(out var primary) && primary
                && e["verified"] is JsonValue v && v.TryGetValue<bool>(out var verified) && verified)
            .Select(e => OAuthHttp.GetString(e, "email"))
            .FirstOrDefault(e => !string.IsNullOrEmpty(e));
    }

    private static void AddApiHeaders(HttpRequestMessage request)
    {
        // GitHub's REST API refuses requests without a User-Agent.
        request.Headers.UserAgent.ParseAdd("Customers-Auth");
        request.Headers.TryAddWithoutValidation("X-GitHub-Api-Version", "2022-11-28");
    }
}
