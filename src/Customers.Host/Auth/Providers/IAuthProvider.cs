using System.Text.Json.Nodes;
using Customers.Abstractions.Auth;

namespace Customers.Host.Auth.Providers;

/// <summary>
/// An auth provider: one way of proving who someone is, reachable as <c>/auth/{actor_type}/{Id}</c>. This is the
/// role Medusa's <c>AbstractAuthModuleProvider</c> plays; <c>docs/auth-providers.md</c> shows how to write one.
/// </summary>
/// <remarks>
/// <para>
/// A <see cref="AuthProviderFlow.Credentials"/> provider checks what the client sends (e-mail and password, a one-time
/// code...) and answers the identity itself, through the auth identity grain.
/// </para>
/// <para>
/// A <see cref="AuthProviderFlow.Redirect"/> provider (OAuth 2 / OpenID Connect) only speaks to its identity
/// provider. Everything that must be the same for every such provider is done around it, by the host: the provider
/// allow-list, the exact callback-URL allowlist, <c>state</c> (128+ random bits, single use, 10 minutes, kept in
/// PostgreSQL), the PKCE S256 verifier, the OIDC <c>nonce</c>, the provider's <c>?error=</c> answer, and finding or
/// creating the identity by (provider, subject), never by e-mail. The provider gets those values in
/// <see cref="AuthenticationRequest.Authorization"/> and <see cref="CallbackRequest"/> and must use them as given.
/// </para>
/// <para>
/// Refusals are thrown as <see cref="Customers.Abstractions.Errors.CustomersException"/>:
/// <c>CustomersException.Unauthorized(message)</c> answers 401 <c>{"type":"unauthorized","message":message}</c>,
/// which is how Medusa's providers fail. Providers are singletons and are called concurrently.
/// </para>
/// </remarks>
public interface IAuthProvider
{
    /// <summary>The provider id: the URL segment, <c>auth_provider</c> in tokens and <c>provider</c> of the
    /// identities it creates (<c>emailpass</c>, <c>google</c>, <c>github</c>, or a configured name).</summary>
    string Id { get; }

    /// <summary>Shown by <c>GET /auth/{actor_type}/providers</c>, e.g. <c>Google Authentication</c>.</summary>
    string DisplayName { get; }

    /// <summary>Credentials (answers a token at once) or redirect (answers a location, then a callback).</summary>
    AuthProviderFlow Flow { get; }

    /// <summary>
    /// Redirect providers: the exact URLs the identity provider may send the browser back to (the storefront's
    /// callback pages). The first is the default; a <c>callback_url</c> in the request must be one of them.
    /// Credentials providers: empty.
    /// </summary>
    IReadOnlyList<string> CallbackUrls { get; }

    /// <summary>
    /// <c>GET|POST /auth/{actor_type}/{Id}</c>. Credentials providers verify <see cref="AuthenticationRequest.Body"/>
    /// and answer <see cref="AuthenticationResult.Authenticated"/>. Redirect providers answer
    /// <see cref="AuthenticationResult.Redirect"/> with the identity provider's authorization URL, built from
    /// <see cref="AuthenticationRequest.Authorization"/>.
    /// </summary>
    Task<AuthenticationResult> AuthenticateAsync(AuthenticationRequest request, CancellationToken ct);

    /// <summary>
    /// <c>POST /auth/{actor_type}/{Id}/register</c>: creates an identity (credentials providers). Providers without
    /// sign-up throw <see cref="AuthProviderErrors.RegistrationNotSupported"/>.
    /// </summary>
    Task<AuthenticationResult> RegisterAsync(AuthenticationRequest request, CancellationToken ct);

    /// <summary>
    /// <c>GET|POST /auth/{actor_type}/{Id}/callback</c>, after the host has consumed the <c>state</c>: exchanges
    /// <see cref="CallbackRequest.Code"/> (with the PKCE verifier) and answers who the user is at the provider.
    /// Credentials providers throw <see cref="AuthProviderErrors.CallbackNotSupported"/>.
    /// </summary>
    Task<ProviderUser> CallbackAsync(CallbackRequest request, CancellationToken ct);
}

/// <summary>How a provider signs people in (the <c>flow</c> of <c>GET /auth/{actor_type}/providers</c>).</summary>
public enum AuthProviderFlow
{
    /// <summary>The client sends credentials and gets a token (<c>"credentials"</c>).</summary>
    Credentials,

    /// <summary>The client is sent to an identity provider and comes back to a callback (<c>"redirect"</c>).</summary>
    Redirect,
}

/// <summary>What the client sent to <c>/auth/{actor_type}/{provider}</c> (or <c>/register</c>).</summary>
/// <param name="ActorType">The <c>{actor_type}</c> path segment (<c>customer</c>, <c>user</c>...).</param>
/// <param name="Body">The request body as a JSON object (<c>{}</c> when there is none). Not schema-checked.</param>
/// <param name="Query">The query string, one value per key (the first when repeated).</param>
/// <param name="ClientAddress">The key of the caller's address (forwarded by a trusted proxy; IPv6 per /64), for per-client limits.</param>
/// <param name="Authorization">For redirect providers: what the authorization URL must carry. Null otherwise.</param>
public sealed record AuthenticationRequest(
    string ActorType,
    JsonObject Body,
    IReadOnlyDictionary<string, string> Query,
    string ClientAddress,
    AuthorizationParameters? Authorization);

/// <summary>
/// Values the host made for one redirect sign-in; the provider puts each into its authorization URL as named.
/// </summary>
/// <param name="State">The <c>state</c> parameter (256 random bits, base64url), single use, kept server-side.</param>
/// <param name="CodeChallenge">The PKCE <c>code_challenge</c>: base64url(SHA-256(verifier)).</param>
/// <param name="Nonce">The OpenID Connect <c>nonce</c> (plain OAuth 2 providers ignore it).</param>
/// <param name="RedirectUri">The <c>redirect_uri</c>: one of the provider's allowed callback URLs.</param>
public sealed record AuthorizationParameters(string State, string CodeChallenge, string Nonce, string RedirectUri)
{
    /// <summary>The PKCE <c>code_challenge_method</c>; always S256.</summary>
    public const string CodeChallengeMethod = "S256";
}

/// <summary>The return leg, after the host has checked and spent the <c>state</c>.</summary>
/// <param name="ActorType">The <c>{actor_type}</c> path segment, the same as at the start.</param>
/// <param name="Code">The authorization code.</param>
/// <param name="CodeVerifier">The PKCE verifier to send with the code exchange.</param>
/// <param name="Nonce">The nonce the ID token must carry (OpenID Connect).</param>
/// <param name="RedirectUri">The <c>redirect_uri</c> used at the start; the code exchange must repeat it.</param>
/// <param name="Query">The callback's query string, one value per key.</param>
public sealed record CallbackRequest(
    string ActorType,
    string Code,
    string CodeVerifier,
    string Nonce,
    string RedirectUri,
    IReadOnlyDictionary<string, string> Query);

/// <summary>Who the user is at the identity provider.</summary>
/// <param name="Subject">The provider's stable, unique id for the user (OIDC <c>sub</c>, GitHub's numeric id). The
/// identity is (provider, subject): an e-mail is never used to find one.</param>
/// <param name="UserMetadata">Profile data (e-mail, name...), stored as the provider identity's
/// <c>user_metadata</c> when the identity is created and copied into its tokens.</param>
public sealed record ProviderUser(string Subject, JsonObject UserMetadata);

/// <summary>The outcome of <see cref="IAuthProvider.AuthenticateAsync"/> or <see cref="IAuthProvider.RegisterAsync"/>.</summary>
public abstract record AuthenticationResult
{
    private AuthenticationResult()
    {
    }

    /// <summary>The caller proved this identity; the host answers <c>{"token": …}</c>.</summary>
    public sealed record Authenticated(IdentitySnapshot Identity) : AuthenticationResult;

    /// <summary>Send the browser here; the host answers <c>{"location": …}</c>.</summary>
    public sealed record Redirect(Uri Location) : AuthenticationResult;
}
