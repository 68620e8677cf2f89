using System.Buffers.Text;
using System.Globalization;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Customers.Abstractions.Errors;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.IdentityModel.JsonWebTokens;
using Microsoft.IdentityModel.Protocols;
using Microsoft.IdentityModel.Protocols.OpenIdConnect;
using Microsoft.IdentityModel.Tokens;

namespace Customers.Host.Auth.Providers;

/// <summary>
/// Any OpenID Connect provider, found by its issuer URL (discovery), and <c>google</c>, which is this provider with
/// Google's defaults. Authorization code flow with PKCE S256 and a <c>nonce</c>; the ID token is validated against
/// the provider's JWKS: asymmetric signature, <c>iss</c>, <c>aud</c> (and <c>azp</c> when there are several
/// audiences), <c>exp</c> with 30 s skew, and <c>nonce</c>. Profile claims may come from the ID token or from the
/// userinfo endpoint (whose <c>sub</c> must match).
/// </summary>
internal sealed partial class OidcProvider : IAuthProvider
{
    public const string GoogleIssuer = "https://accounts.google.com";

    private static readonly TimeSpan ClockSkew = TimeSpan.FromSeconds(30);
    private static readonly JsonWebTokenHandler IdTokens = new();
    private static readonly string[] SignatureAlgorithms =
    [
        SecurityAlgorithms.RsaSha256, SecurityAlgorithms.RsaSha384, SecurityAlgorithms.RsaSha512,
        SecurityAlgorithms.RsaSsaPssSha256, SecurityAlgorithms.RsaSsaPssSha384, SecurityAlgorithms.RsaSsaPssSha512,
        SecurityAlgorithms.EcdsaSha256, SecurityAlgorithms.EcdsaSha384, SecurityAlgorithms.EcdsaSha512,
    ];

    // What Medusa's google provider copies into user_metadata (docs/medusa-compatibility.md §3.13).
    private static readonly string[] ProfileClaims = ["name", "email", "picture", "given_name", "family_name"];

    private readonly OAuthProviderOptions _options;
    private readonly IHttpClientFactory _http;
    private readonly ILogger _logger;
    private readonly ConfigurationManager<OpenIdConnectConfiguration> _discovery;
    private readonly string[] _validIssuers;
    private readonly bool _isGoogle;
    private readonly string _title;
    private readonly string _scope;

    public OidcProvider(string id, OAuthProviderOptions options, IHttpClientFactory http, ILogger<OidcProvider> logger)
    {
        Id = id;
        _options = options;
        _http = http;
        _logger = logger;
        _isGoogle = string.Equals(options.Type, OAuthProviderTypes.Google, StringComparison.OrdinalIgnoreCase);
        _title = _isGoogle ? "Google" : Capitalize(id);
        DisplayName = options.DisplayName ?? $"{_title} Authentication";
        CallbackUrls = options.CallbackUrls;
        _scope = string.Join(' ', options.Scopes is { Length: > 0 } scopes ? scopes : ["openid", "email", "profile"]);

        var issuer = (options.Issuer ?? GoogleIssuer).TrimEnd('/');
        // Google's ID tokens name their issuer with or without the scheme; an overridden issuer is taken exactly.
        _validIssuers = _isGoogle && options.Issuer is null ? [GoogleIssuer, "accounts.google.com"] : [issuer];
        var discoveryUrl = options.DiscoveryUrl ?? issuer + "/.well-known/openid-configuration";
        _discovery = new ConfigurationManager<OpenIdConnectConfiguration>(
            discoveryUrl, new OpenIdConnectConfigurationRetriever(), new DocumentRetriever(http));
    }

    public string Id { get; }

    public string DisplayName { get; }

    public AuthProviderFlow Flow => AuthProviderFlow.Redirect;

    public IReadOnlyList<string> CallbackUrls { get; }

    public async Task<AuthenticationResult> AuthenticateAsync(AuthenticationRequest request, CancellationToken ct)
    {
        var authorization = request.Authorization
            ?? throw new InvalidOperationException("A redirect provider is started with authorization parameters.");
        var configuration = await DiscoverAsync(ct);
        var location = QueryHelpers.AddQueryString(configuration.AuthorizationEndpoint, new Dictionary<string, string?>
        {
            ["client_id"] = _options.ClientId,
            ["redirect_uri"] = authorization.RedirectUri,
            ["response_type"] = "code",
            ["scope"] = _scope,
            ["state"] = authorization.State,
            ["nonce"] = authorization.Nonce,
            ["code_challenge"] = authorization.CodeChallenge,
            ["code_challenge_method"] = AuthorizationParameters.CodeChallengeMethod,
        });
        return new AuthenticationResult.Redirect(new Uri(location));
    }

    public Task<AuthenticationResult> RegisterAsync(AuthenticationRequest request, CancellationToken ct) =>
        throw AuthProviderErrors.RegistrationNotSupported(_title);

    public async Task<ProviderUser> CallbackAsync(CallbackRequest request, CancellationToken ct)
    {
        var configuration = await DiscoverAsync(ct);
        var client = _http.CreateClient(OAuthHttp.ClientName);
        var form = new List<KeyValuePair<string, string>>
        {
            new("grant_type", "authorization_code"),
            new("code", request.Code),
            new("redirect_uri", request.RedirectUri),
            new("code_verifier", request.CodeVerifier),
        };
        var basic = UsesBasicAuthentication(configuration);
        if (!basic)
        {
            form.Add(new("client_id", _options.ClientId!));
            if (!string.IsNullOrEmpty(_options.ClientSecret))
            {
                form.Add(new("client_secret", _options.ClientSecret));
            }
        }

        var tokens = await OAuthHttp.ExchangeCodeAsync(
            client, new Uri(configuration.TokenEndpoint), form,
            basic ? OAuthHttp.BasicAuthentication(_options.ClientId!, _options.ClientSecret!) : null,
            Id, _logger, ct);
        if (OAuthHttp.GetString(tokens, "id_token") is not { Length: > 0 } idToken)
        {
            LogNoIdToken(_logger, Id);
            throw AuthProviderErrors.AuthenticationFailed();
        }

        var claims = await ValidateIdTokenAsync(idToken, request.Nonce, ct);
        var subject = OAuthHttp.GetString(claims, "sub");
        if (string.IsNullOrEmpty(subject))
        {
            throw NotVerified("the token has no subject");
        }

        if (Uri.TryCreate(configuration.UserInfoEndpoint, UriKind.Absolute, out var userInfoEndpoint)
            && OAuthProviderOptionsValidator.IsAcceptableEndpoint(userInfoEndpoint)
            && OAuthHttp.GetString(tokens, "access_token") is { Length: > 0 } accessToken)
        {
            await MergeUserInfoAsync(claims, subject, client, userInfoEndpoint, accessToken, ct);
        }

        var verified = IsTrue(claims["email_verified"]);
        if (!verified && (_isGoogle || (_options.RequireVerifiedEmail && claims["email"] is not null)))
        {
            throw CustomersException.Unauthorized("Email not verified, cannot proceed with authentication");
        }

        var metadata = new JsonObject();
        foreach (var name in ProfileClaims)
        {
            if (claims[name] is { } value)
            {
                metadata[name] = value.DeepClone();
            }
        }

        return new ProviderUser(subject, metadata);
    }

    private async Task<JsonObject> ValidateIdTokenAsync(string idToken, string expectedNonce, CancellationToken ct)
    {
        var result = await ValidateSignatureAndClaimsAsync(idToken, ct);
        if (!result.IsValid && result.Exception is SecurityTokenSignatureKeyNotFoundException)
        {
            // The provider may have rotated its keys since the JWKS was read: ask for a fresh read (the manager
            // allows one per refresh interval, so unknown key ids cannot make us hammer the provider) and try again.
            _discovery.RequestRefresh();
            result = await ValidateSignatureAndClaimsAsync(idToken, ct);
        }

        if (!result.IsValid)
        {
            LogIdTokenRejected(_logger, result.Exception, Id);
            throw NotVerified(Reason(result.Exception));
        }

        var token = (JsonWebToken)result.SecurityToken;
        var claims = JsonNode.Parse(Base64Url.DecodeFromChars(token.EncodedPayload)) as JsonObject
            ?? throw NotVerified("the payload is not a JSON object");

        var nonce = OAuthHttp.GetString(claims, "nonce");
        if (nonce is null || !CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(nonce), Encoding.UTF8.GetBytes(expectedNonce)))
        {
            LogWrongNonce(_logger, Id);
            throw NotVerified("wrong nonce");
        }

        // OpenID Connect Core 3.1.3.7: with several audiences, the authorized party must be this client.
        if (token.Audiences.Count() > 1 && OAuthHttp.GetString(claims, "azp") != _options.ClientId)
        {
            throw NotVerified("wrong authorized party");
        }

        return claims;
    }

    private async Task<TokenValidationResult> ValidateSignatureAndClaimsAsync(string idToken, CancellationToken ct)
    {
        var configuration = await DiscoverAsync(ct);
        return await IdTokens.ValidateTokenAsync(idToken, new TokenValidationParameters
        {
            ValidIssuers = _validIssuers,
            ValidAudience = _options.ClientId,
            IssuerSigningKeys = configuration.SigningKeys,
            ValidAlgorithms = SignatureAlgorithms,
            RequireSignedTokens = true,
            RequireExpirationTime = true,
            ValidateLifetime = true,
            ClockSkew = ClockSkew,
            TryAllIssuerSigningKeys = true,
        });
    }

    private async Task MergeUserInfoAsync(JsonObject claims, string subject, HttpClient client, Uri endpoint, string accessToken, CancellationToken ct)
    {
        if (await OAuthHttp.GetWithTokenAsync(client, endpoint, accessToken, "application/json", Id, _logger, ct) is not JsonObject userInfo)
        {
            return;
        }

        // OpenID Connect Core 5.3.2: a userinfo answer for another subject must not be used.
        if (OAuthHttp.GetString(userInfo, "sub") != subject)
        {
            throw NotVerified("the userinfo subject differs from the token's");
        }

        foreach (var name in ProfileClaims.Append("email_verified"))
        {
            if (userInfo[name] is { } value)
            {
                claims[name] = value.DeepClone();
            }
        }
    }

    /// <summary>Discovery (cached by the configuration manager, refreshed daily); its issuer must be ours.</summary>
    private async Task<OpenIdConnectConfiguration> DiscoverAsync(CancellationToken ct)
    {
        OpenIdConnectConfiguration configuration;
        try
        {
            configuration = await _discovery.GetConfigurationAsync(ct);
        }
        catch (Exception error) when (error is InvalidOperationException or IOException or HttpRequestException)
        {
            LogDiscoveryFailed(_logger, error, Id, _discovery.MetadataAddress);
            throw AuthProviderErrors.Unreachable();
        }

        if (!_validIssuers.Contains(configuration.Issuer?.TrimEnd('/'), StringComparer.Ordinal)
            || !IsAcceptableEndpoint(configuration.AuthorizationEndpoint)
            || !IsAcceptableEndpoint(configuration.TokenEndpoint))
        {
            LogDiscoveryUnusable(_logger, Id, configuration.Issuer);
            throw AuthProviderErrors.AuthenticationFailed();
        }

        return configuration;
    }

    private bool UsesBasicAuthentication(OpenIdConnectConfiguration configuration)
    {
        if (string.IsNullOrEmpty(_options.ClientSecret) || _isGoogle)
        {
            // Public clients send only client_id; Google is called as Medusa calls it (secret in the body).
            return false;
        }

        var methods = configuration.TokenEndpointAuthMethodsSupported;
        return methods.Count == 0 || methods.Contains("client_secret_basic") || !methods.Contains("client_secret_post");
    }

    private static bool IsAcceptableEndpoint(string? address) =>
        Uri.TryCreate(address, UriKind.Absolute, out var url) && OAuthProviderOptionsValidator.IsAcceptableEndpoint(url);

    private CustomersException NotVerified(string reason) =>
        CustomersException.Unauthorized($"Could not verify {_title} id_token: {reason}");

    private static string Reason(Exception? error) => error switch
    {
        SecurityTokenInvalidIssuerException => "wrong issuer",
        SecurityTokenInvalidAudienceException => "wrong audience",
        SecurityTokenExpiredException => "token expired",
        SecurityTokenNotYetValidException => "token not yet valid",
        SecurityTokenNoExpirationException => "token has no expiry",
        SecurityTokenInvalidAlgorithmException => "signing algorithm not allowed",
        SecurityTokenSignatureKeyNotFoundException or SecurityTokenInvalidSignatureException => "invalid signature",
        SecurityTokenMalformedException => "malformed token",
        _ => "invalid token",
    };

    private static bool IsTrue(JsonNode? value) => value is JsonValue v
        && ((v.TryGetValue<bool>(out var flag) && flag) || (v.TryGetValue<string>(out var text) && text == "true"));

    private static string Capitalize(string id) =>
        id.Length == 0 ? id : char.ToUpper(id[0], CultureInfo.InvariantCulture) + id[1..];

    /// <summary>Reads discovery and JWKS documents through the client factory; HTTPS only, except on loopback.</summary>
    private sealed class DocumentRetriever(IHttpClientFactory http) : IDocumentRetriever
    {
        public async Task<string> GetDocumentAsync(string address, CancellationToken cancel)
        {
            if (!Uri.TryCreate(address, UriKind.Absolute, out var url) || !OAuthProviderOptionsValidator.IsAcceptableEndpoint(url))
            {
                throw new InvalidOperationException($"Refusing to read {address}: only https (or http on loopback) is allowed.");
            }

            using var response = await http.CreateClient(OAuthHttp.ClientName).GetAsync(url, cancel);
            if (!response.IsSuccessStatusCode)
            {
                throw new IOException($"{url.GetLeftPart(UriPartial.Path)} answered {(int)response.StatusCode}.");
            }

            return await response.Content.ReadAsStringAsync(cancel);
        }
    }
}
