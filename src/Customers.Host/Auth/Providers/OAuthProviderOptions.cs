using System.Text.RegularExpressions;
using Microsoft.Extensions.Options;

namespace Customers.Host.Auth.Providers;

/// <summary>
/// One configured redirect provider, <c>Customers:Auth:Providers:&lt;name&gt;</c>. The name is the provider id in
/// URLs and tokens; several providers of one type may be configured under different names.
/// </summary>
/// <remarks><see cref="ClientSecret"/> is never logged: <see cref="ToString"/> redacts it and nothing logs options.</remarks>
public sealed class OAuthProviderOptions
{
    public const string Section = "Customers:Auth:Providers";

    /// <summary><c>oidc</c> (any OpenID Connect provider, by issuer URL), <c>google</c> or <c>github</c>.</summary>
    public string? Type { get; set; }

    /// <summary>OpenID Connect issuer; discovery is read from <c>{Issuer}/.well-known/openid-configuration</c>.
    /// Required for <c>oidc</c>; <c>google</c> defaults to <c>https://accounts.google.com</c>.</summary>
    public string? Issuer { get; set; }

    public string? ClientId { get; set; }

    /// <summary>Required for google and github; an <c>oidc</c> provider without one is a public client (PKCE only).</summary>
    public string? ClientSecret { get; set; }

    /// <summary>The exact storefront callback URLs the provider may redirect to; the first is the default.</summary>
    public string[] CallbackUrls { get; set; } = [];

    /// <summary>Scopes to ask for. Defaults: <c>openid email profile</c>; github <c>read:user user:email</c>.</summary>
    public string[]? Scopes { get; set; }

    /// <summary>Shown by <c>GET /auth/{actor}/providers</c>; default <c>&lt;Name&gt; Authentication</c>.</summary>
    public string? DisplayName { get; set; }

    /// <summary>OIDC (oidc, google): where to read discovery instead of the issuer's well-known address.</summary>
    public string? DiscoveryUrl { get; set; }

    /// <summary>github: the authorize page (default <c>https://github.com/login/oauth/authorize</c>).</summary>
    public string? AuthorizationEndpoint { get; set; }

    /// <summary>github: the token endpoint (default <c>https://github.com/login/oauth/access_token</c>).</summary>
    public string? TokenEndpoint { get; set; }

    /// <summary>github: the REST API root serving <c>/user</c> and <c>/user/emails</c> (default <c>https://api.github.com</c>).</summary>
    public string? ApiBaseUrl { get; set; }

    /// <summary>oidc: refuse a sign-in whose e-mail the provider does not mark verified (google always does).</summary>
    public bool RequireVerifiedEmail { get; set; } = true;

    public override string ToString() =>
        $"{{ Type = {Type}, Issuer = {Issuer}, ClientId = {ClientId}, ClientSecret = {(string.IsNullOrEmpty(ClientSecret) ? "(none)" : "(redacted)")}, CallbackUrls = [{string.Join(", ", CallbackUrls)}] }}";
}

/// <summary>The provider types a configuration may name.</summary>
internal static class OAuthProviderTypes
{
    public const string Oidc = "oidc";
    public const string Google = "google";
    public const string GitHub = "github";
}

/// <summary>
/// Checks each configured provider at startup and names the offending key. Identity-provider addresses must be
/// HTTPS, except on loopback (development and tests); callback URLs must be absolute http(s) URLs.
/// </summary>
internal sealed partial class OAuthProviderOptionsValidator(IReadOnlySet<string> configuredNames) : IValidateOptions<OAuthProviderOptions>
{
    public ValidateOptionsResult Validate(string? name, OAuthProviderOptions options)
    {
        if (name is null || !configuredNames.Contains(name))
        {
            return ValidateOptionsResult.Skip;
        }

        var key = $"{OAuthProviderOptions.Section}:{name}";
        var failures = new List<string>();
        if (!ProviderName().IsMatch(name) || name is EmailPasswordFlow.Provider or "providers")
        {
            failures.Add($"{key}: the provider name must be lowercase letters, digits, '-' or '_', and not 'emailpass' or 'providers'.");
        }

        var type = options.Type?.ToLowerInvariant();
        if (type is not (OAuthProviderTypes.Oidc or OAuthProviderTypes.Google or OAuthProviderTypes.GitHub))
        {
            failures.Add($"{key}:Type must be oidc, google or github.");
        }

        if (string.IsNullOrWhiteSpace(options.ClientId))
        {
            failures.Add($"{key}:ClientId is required.");
        }

        if (type is OAuthProviderTypes.Google or OAuthProviderTypes.GitHub && string.IsNullOrEmpty(options.ClientSecret))
        {
            failures.Add($"{key}:ClientSecret is required.");
        }

        if (options.CallbackUrls.Length == 0)
        {
            failures.Add($"{key}:CallbackUrls needs at least one URL.");
        }

        for (var i = 0; i < options.CallbackUrls.Length; i++)
        {
            if (!Uri.TryCreate(options.CallbackUrls[i], UriKind.Absolute, out var url)
                || url.Scheme is not ("http" or "https") || url.Fragment.Length > 0)
            {
                failures.Add($"{key}:CallbackUrls:{i} must be an absolute http(s) URL without a fragment.");
            }
        }

        if (type == OAuthProviderTypes.Oidc && string.IsNullOrEmpty(options.Issuer))
        {
            failures.Add($"{key}:Issuer is required.");
        }

        CheckEndpoint(failures, key, "Issuer", options.Issuer);
        CheckEndpoint(failures, key, "DiscoveryUrl", options.DiscoveryUrl);
        CheckEndpoint(failures, key, "AuthorizationEndpoint", options.AuthorizationEndpoint);
        CheckEndpoint(failures, key, "TokenEndpoint", options.TokenEndpoint);
        CheckEndpoint(failures, key, "ApiBaseUrl", options.ApiBaseUrl);
        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }

    /// <summary>HTTPS, or plain HTTP to a loopback address.</summary>
    public static bool IsAcceptableEndpoint(Uri url) =>
        url.IsAbsoluteUri && (url.Scheme == Uri.UriSchemeHttps || (url.Scheme == Uri.UriSchemeHttp && url.IsLoopback));

    private static void CheckEndpoint(List<string> failures, string key, string setting, string? value)
    {
        if (value is not null && (!Uri.TryCreate(value, UriKind.Absolute, out var url) || !IsAcceptableEndpoint(url)))
        {
            failures.Add($"{key}:{setting} must be an absolute https URL (http only on loopback).");
        }
    }

    [GeneratedRegex("^[a-z0-9][a-z0-9_-]*$")]
    private static partial Regex ProviderName();
}
