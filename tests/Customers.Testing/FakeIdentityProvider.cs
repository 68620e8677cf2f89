using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Logging;

namespace Customers.Testing;

/// <summary>
/// A real HTTP identity provider on loopback (Kestrel), run by the tests so they control its keys and answers:
/// <list type="bullet">
/// <item>OpenID Connect issuers at <c>/{tenant}</c>: discovery, JWKS (an RSA key made here), a token endpoint that
/// checks the client's credentials, the redirect URI and the PKCE verifier before it signs an ID token, and userinfo;</item>
/// <item>GitHub's shapes at <c>/github</c>: <c>/login/oauth/access_token</c> (JSON, 200 with <c>error</c> for a bad
/// code, as GitHub answers), and the REST API's <c>/api/user</c> and <c>/api/user/emails</c> (a User-Agent is required,
/// as on GitHub).</item>
/// </list>
/// The authorize page itself is not served: a test reads the parameters of our <c>location</c> and "signs in" by
/// calling <see cref="Authorize"/>, which answers the code the browser would carry back.
/// </summary>
public sealed class FakeIdentityProvider : IAsyncDisposable
{
    private const string KeyId = "test-key-1";

    private readonly RSA _signingKey = RSA.Create(2048);
    private readonly RSA _foreignKey = RSA.Create(2048);
    private readonly ConcurrentDictionary<string, PendingCode> _codes = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, PendingCode> _accessTokens = new(StringComparer.Ordinal);
    private readonly Dictionary<string, FakeClient> _clients = new(StringComparer.Ordinal);
    private WebApplication? _app;

    /// <summary>Every token request received, newest last (form fields and whether Basic auth was used).</summary>
    public ConcurrentQueue<TokenRequest> TokenRequests { get; } = new();

    public string BaseUrl { get; private set; } = "";

    public string Issuer(string tenant) => $"{BaseUrl}/{tenant}";

    /// <summary>The client a tenant accepts; <paramref name="authMethod"/> is what its discovery advertises.</summary>
    public FakeIdentityProvider AddClient(string tenant, string clientId, string clientSecret, string authMethod = "client_secret_basic")
    {
        _clients[tenant] = new FakeClient(clientId, clientSecret, authMethod);
        return this;
    }

    public async Task StartAsync()
    {
        var builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        var app = builder.Build();
        app.MapGet("/{tenant}/.well-known/openid-configuration", Discovery);
        app.MapGet("/{tenant}/jwks", (string tenant) => Results.Text(Jwks().ToJsonString(), "application/json"));
        app.MapPost("/{tenant}/token", OidcTokenAsync);
        app.MapGet("/{tenant}/userinfo", UserInfo);
        app.MapPost("/github/login/oauth/access_token", GitHubTokenAsync);
        app.MapGet("/github/api/user", GitHubUser);
        app.MapGet("/github/api/user/emails", GitHubEmails);
        await app.StartAsync();
        _app = app;
        BaseUrl = app.Urls.Single().TrimEnd('/');
    }

    /// <summary>
    /// What the provider's login page does when <paramref name="user"/> signs in: remembers the request's client,
    /// redirect URI, PKCE challenge and nonce (read from our <c>location</c>), and answers the code.
    /// </summary>
    public string Authorize(Uri location, FakeUser user, Forgery? forgery = null)
    {
        var query = QueryHelpers.ParseQuery(location.Query);
        var code = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        _codes[code] = new PendingCode(
            query["client_id"].ToString(),
            query["redirect_uri"].ToString(),
            query["code_challenge"].ToString(),
            query["code_challenge_method"].ToString(),
            query.TryGetValue("nonce", out var nonce) ? nonce.ToString() : null,
            user,
            forgery ?? new Forgery());
        return code;
    }

    public async ValueTask DisposeAsync()
    {
        if (_app is not null)
        {
            await _app.DisposeAsync();
        }

        _signingKey.Dispose();
        _foreignKey.Dispose();
    }

    private IResult Discovery(string tenant)
    {
        if (!_clients.TryGetValue(tenant, out var client))
        {
            return Results.NotFound();
        }

        var issuer = Issuer(tenant);
        return Results.Text(new JsonObject
        {
            ["issuer"] = issuer,
            ["authorization_endpoint"] = issuer + "/authorize",
            ["token_endpoint"] = issuer + "/token",
            ["userinfo_endpoint"] = issuer + "/userinfo",
            ["jwks_uri"] = issuer + "/jwks",
            ["response_types_supported"] = new JsonArray("code"),
            ["subject_types_supported"] = new JsonArray("public"),
            ["id_token_signing_alg_values_supported"] = new JsonArray("RS256"),
            ["token_endpoint_auth_methods_supported"] = new JsonArray(client.AuthMethod),
            ["code_challenge_methods_supported"] = new JsonArray("S256"),
        }.ToJsonString(), "application/json");
    }

    private JsonObject Jwks()
    {
        var parameters = _signingKey.ExportParameters(false);
        return new JsonObject
        {
            ["keys"] = new JsonArray(new JsonObject
            {
                ["kty"] = "RSA",
                ["use"] = "sig",
                ["alg"] = "RS256",
                ["kid"] = KeyId,
                ["n"] = Base64Url.EncodeToString(parameters.Modulus),
                ["e"] = Base64Url.EncodeToString(parameters.Exponent),
            }),
        };
    }

    private async Task<IResult> OidcTokenAsync(string tenant, HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        var (clientId, clientSecret, basic) = ClientCredentials(request, form);
        TokenRequests.Enqueue(new TokenRequest(tenant, form.ToDictionary(f => f.Key, f => f.Value.ToString()), basic));
        if (!_clients.TryGetValue(tenant, out var client) || clientId != client.ClientId || clientSecret != client.ClientSecret)
        {
            return OAuthError(HttpStatusCode.Unauthorized, "invalid_client");
        }

        if (!TryRedeem(form, clientId, out var pending, out var error))
        {
            return OAuthError(HttpStatusCode.BadRequest, error);
        }

        if (pending.Forgery.TokenEndpointStatus is { } status)
        {
            return OAuthError((HttpStatusCode)status, "server_error");
        }

        var accessToken = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        _accessTokens[accessToken] = pending;
        var answer = new JsonObject { ["access_token"] = accessToken, ["token_type"] = "Bearer", ["expires_in"] = 3600 };
        if (!pending.Forgery.OmitIdToken)
        {
            answer["id_token"] = IdToken(Issuer(tenant), clientId, pending);
        }

        return Results.Text(answer.ToJsonString(), "application/json");
    }

    private IResult UserInfo(HttpRequest request)
    {
        if (!TryAccessToken(request, out var pending))
        {
            return Results.Unauthorized();
        }

        var user = pending.User;
        var info = new JsonObject { ["sub"] = pending.Forgery.UserInfoSubject ?? user.Subject };
        AddProfile(info, user);
        return Results.Text(info.ToJsonString(), "application/json");
    }

    private async Task<IResult> GitHubTokenAsync(HttpRequest request)
    {
        var form = await request.ReadFormAsync();
        var (clientId, clientSecret, basic) = ClientCredentials(request, form);
        TokenRequests.Enqueue(new TokenRequest("github", form.ToDictionary(f => f.Key, f => f.Value.ToString()), basic));
        if (!_clients.TryGetValue("github", out var client) || clientId != client.ClientId || clientSecret != client.ClientSecret)
        {
            return GitHubError("incorrect_client_credentials", "The client_id and/or client_secret passed are incorrect.");
        }

        if (!TryRedeem(form, clientId, out var pending, out _))
        {
            return GitHubError("bad_verification_code", "The code passed is incorrect or expired.");
        }

        var accessToken = "gho_" + Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(16));
        _accessTokens[accessToken] = pending;
        return Results.Text(
            new JsonObject { ["access_token"] = accessToken, ["token_type"] = "bearer", ["scope"] = "read:user,user:email" }.ToJsonString(),
            "application/json");
    }

    private IResult GitHubUser(HttpRequest request)
    {
        if (string.IsNullOrEmpty(request.Headers.UserAgent))
        {
            return Results.Text("""{"message":"Request forbidden by administrative rules. Please make sure your request has a User-Agent header."}""", "application/json", statusCode: 403);
        }

        if (!TryAccessToken(request, out var pending) || pending.User.GitHubId is not { } id)
        {
            return Results.Text("""{"message":"Bad credentials","documentation_url":"https://docs.github.com/rest","status":"401"}""", "application/json", statusCode: 401);
        }

        var login = pending.User.Subject;
        return Results.Text(new JsonObject
        {
            ["login"] = login,
            ["id"] = id,
            ["node_id"] = "U_" + login,
            ["avatar_url"] = $"https://avatars.githubusercontent.com/u/{id}?v=4",
            ["url"] = $"https://api.github.com/users/{login}",
            ["html_url"] = $"https://github.com/{login}",
            ["type"] = "User",
            ["name"] = pending.User.Name,
            ["company"] = "@acme",
            ["email"] = null,
            ["two_factor_authentication"] = true,
        }.ToJsonString(), "application/json");
    }

    private IResult GitHubEmails(HttpRequest request)
    {
        if (string.IsNullOrEmpty(request.Headers.UserAgent) || !TryAccessToken(request, out var pending))
        {
            return Results.StatusCode(401);
        }

        var emails = new JsonArray();
        foreach (var email in pending.User.GitHubEmails)
        {
            emails.Add(new JsonObject
            {
                ["email"] = email.Email,
                ["primary"] = email.Primary,
                ["verified"] = email.Verified,
                ["visibility"] = email.Primary ? "private" : null,
            });
        }

        return Results.Text(emails.ToJsonString(), "application/json");
    }

    /// <summary>Spends the code (single use) after checking client, redirect URI and the PKCE S256 verifier.</summary>
    private bool TryRedeem(IFormCollection form, string? clientId, out PendingCode pending, out string error)
    {
        error = "invalid_grant";
        if (form["grant_type"] != "authorization_code" && form.ContainsKey("grant_type"))
        {
            pending = null!;
            error = "unsupported_grant_type";
            return false;
        }

        if (!_codes.TryRemove(form["code"].ToString(), out pending!))
        {
            return false;
        }

        var verifier = form["code_verifier"].ToString();
        var challenge = Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));
        return pending.ClientId == clientId
            && pending.RedirectUri == form["redirect_uri"].ToString()
            && pending.ChallengeMethod == "S256"
            && verifier.Length >= 43
            && pending.CodeChallenge == challenge;
    }

    private bool TryAccessToken(HttpRequest request, out PendingCode pending)
    {
        var header = request.Headers.Authorization.ToString();
        pending = null!;
        return header.StartsWith("Bearer ", StringComparison.Ordinal) && _accessTokens.TryGetValue(header["Bearer ".Length..], out pending!);
    }

    private string IdToken(string issuer, string clientId, PendingCode pending)
    {
        var forgery = pending.Forgery;
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var claims = new JsonObject
        {
            ["iss"] = forgery.Issuer ?? issuer,
            ["sub"] = pending.User.Subject,
            ["aud"] = forgery.Audience is { } audience ? JsonValue.Create(audience) : JsonValue.Create(clientId),
            ["exp"] = forgery.Expired ? now - 3600 : now + 600,
            ["iat"] = forgery.Expired ? now - 4200 : now,
            ["nonce"] = forgery.Nonce ?? pending.Nonce,
        };
        if (!pending.User.ProfileOnlyInUserInfo)
        {
            AddProfile(claims, pending.User);
        }

        var header = new JsonObject { ["alg"] = "RS256", ["kid"] = KeyId, ["typ"] = "JWT" };
        var signingInput = Encode(header) + "." + Encode(claims);
        var signature = (forgery.WrongKey ? _foreignKey : _signingKey)
            .SignData(Encoding.ASCII.GetBytes(signingInput), HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
        if (forgery.TamperedPayload)
        {
            // Signed as issued, then the payload is changed to claim another subject.
            claims["sub"] = "someone-else";
            signingInput = Encode(header) + "." + Encode(claims);
        }

        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    private static void AddProfile(JsonObject claims, FakeUser user)
    {
        if (user.Email is not null)
        {
            claims["email"] = user.Email;
            claims["email_verified"] = user.EmailVerified;
        }

        if (user.Name is not null)
        {
            claims["name"] = user.Name;
            claims["given_name"] = user.Name.Split(' ')[0];
        }
    }

    private static (string? ClientId, string? ClientSecret, bool Basic) ClientCredentials(HttpRequest request, IFormCollection form)
    {
        var header = request.Headers.Authorization.ToString();
        if (header.StartsWith("Basic ", StringComparison.Ordinal))
        {
            var pair = Encoding.UTF8.GetString(Convert.FromBase64String(header["Basic ".Length..]));
            var colon = pair.IndexOf(':');
            return (Uri.UnescapeDataString(pair[..colon]), Uri.UnescapeDataString(pair[(colon + 1)..]), true);
        }

        return (form["client_id"].ToString(), form["client_secret"].ToString(), false);
    }

    private static IResult OAuthError(HttpStatusCode status, string error) =>
        Results.Text(new JsonObject { ["error"] = error }.ToJsonString(), "application/json", statusCode: (int)status);

    private static IResult GitHubError(string error, string description) =>
        Results.Text(new JsonObject
        {
            ["error"] = error,
            ["error_description"] = description,
            ["error_uri"] = "https://docs.github.com/apps/managing-oauth-apps/troubleshooting-oauth-app-access-token-request-errors",
        }.ToJsonString(), "application/json");

    private static string Encode(JsonObject json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json.ToJsonString()));

    private sealed record FakeClient(string ClientId, string ClientSecret, string AuthMethod);

    private sealed record PendingCode(
        string ClientId, string RedirectUri, string CodeChallenge, string ChallengeMethod, string? Nonce, FakeUser User, Forgery Forgery);
}

/// <summary>A user at the fake provider. For GitHub, <see cref="Subject"/> is the login and <see cref="GitHubId"/> the id.</summary>
public sealed record FakeUser(string Subject, string? Email = null, bool EmailVerified = true, string? Name = null)
{
    public static FakeUser New(string? email = null, string? name = "Ada Lovelace") =>
        new($"user-{Guid.NewGuid():N}", email ?? $"oauth-{Guid.NewGuid():N}@example.com", true, name);

    /// <summary>Put the profile (e-mail, name) only in userinfo, not in the ID token (as <c>oidc-provider</c> does).</summary>
    public bool ProfileOnlyInUserInfo { get; init; }

    public long? GitHubId { get; init; }

    public IReadOnlyList<GitHubEmail> GitHubEmails { get; init; } = [];
}

public sealed record GitHubEmail(string Email, bool Primary, bool Verified);

/// <summary>What the provider does wrong, on purpose, for one code.</summary>
public sealed record Forgery
{
    public string? Issuer { get; init; }

    public string? Audience { get; init; }

    public string? Nonce { get; init; }

    /// <summary>Sign with a key that is not in the JWKS.</summary>
    public bool WrongKey { get; init; }

    /// <summary>Change the payload after signing.</summary>
    public bool TamperedPayload { get; init; }

    public bool Expired { get; init; }

    public bool OmitIdToken { get; init; }

    public int? TokenEndpointStatus { get; init; }

    public string? UserInfoSubject { get; init; }
}

/// <summary>One request to a token endpoint, as received.</summary>
public sealed record TokenRequest(string Tenant, IReadOnlyDictionary<string, string> Form, bool UsedBasicAuthentication);
