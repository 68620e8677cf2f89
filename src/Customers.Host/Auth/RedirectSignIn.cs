using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Customers.Abstractions.Auth;
using Customers.Abstractions.Errors;
using Customers.Abstractions.Ids;
using Customers.Host.Auth.Providers;
using Customers.Host.ReadModel;
using Customers.Host.Stores;
using Microsoft.Extensions.Options;

namespace Customers.Host.Auth;

/// <summary>
/// The parts of an OAuth / OpenID Connect sign-in that are the same for every redirect provider
/// (docs/medusa-compatibility.md §3.13, with the stricter rules of docs/security.md): the callback-URL allowlist,
/// <c>state</c> (256 random bits, stored hashed in PostgreSQL, single use, <see cref="SignInLimitOptions.StateLifetime"/> (10 minutes), bound to the provider and actor
/// type), the PKCE S256 verifier, the OIDC <c>nonce</c>, the provider's error answer, and finding or creating the
/// identity by (provider, subject) only.
/// </summary>
internal sealed partial class RedirectSignIn(
    OAuthStateStore states,
    IdentityLookup lookup,
    IGrainFactory grains,
    TimeProvider time,
    IOptions<SignInLimitOptions> limits,
    ILogger<RedirectSignIn> logger)
{
    public const string StateExpiredMessage = "No state provided, or session expired";

    /// <summary>Longest subject id accepted from a provider (the input policy's string limit).</summary>
    private const int MaxSubjectLength = 1000;

    /// <summary>Largest user_metadata kept from a provider (the metadata limit).</summary>
    private const int MaxUserMetadataBytes = 16 * 1024;

    private const int MaxProviderMessageLength = 500;

    /// <summary>
    /// Starts a sign-in and answers where to send the browser. The request body's <c>callback_url</c> (POST
    /// only, as in Medusa) picks one of the provider's allowed callback URLs; any other value is refused.
    /// </summary>
    public async Task<Uri> StartAsync(IAuthProvider provider, AuthenticationRequest request, bool isPost, CancellationToken ct)
    {
        ThrowOnProviderError(request.Query);
        var callbackUrl = provider.CallbackUrls[0];
        if (isPost && request.Body.ContainsKey("callback_url"))
        {
            var requested = request.Body["callback_url"] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;
            callbackUrl = provider.CallbackUrls.FirstOrDefault(allowed => string.Equals(allowed, requested, StringComparison.Ordinal))
                ?? throw new CustomersException(ErrorKind.NotAllowed, CallbackNotAllowedMessage(provider.Id));
        }

        var state = RandomToken();
        var verifier = RandomToken();
        var nonce = RandomToken();
        var now = time.GetUtcNow();
        await states.SaveAsync(
            new OAuthState(Hash(state), provider.Id, request.ActorType, callbackUrl, verifier, nonce, now + limits.Value.StateLifetime), now, ct);

        var authorization = new AuthorizationParameters(state, Challenge(verifier), nonce, callbackUrl);
        return await provider.AuthenticateAsync(request with { Authorization = authorization }, ct) switch
        {
            AuthenticationResult.Redirect redirect => redirect.Location,
            _ => throw new InvalidOperationException($"The redirect auth provider '{provider.Id}' answered no location."),
        };
    }

    /// <summary>
    /// Finishes a sign-in. Checks in Medusa's order: the provider's <c>error</c>, the <c>code</c> (query, or body for
    /// POST), then the <c>state</c> (query only), which is spent here whatever happens next. Answers the identity of
    /// (provider, subject), created when new, never found by e-mail.
    /// </summary>
    public async Task<IdentitySnapshot> CompleteAsync(
        IAuthProvider provider, string actorType, IReadOnlyDictionary<string, string> query, JsonObject body, CancellationToken ct)
    {
        var stateValue = query.GetValueOrDefault("state");
        if (!string.IsNullOrEmpty(query.GetValueOrDefault("error")))
        {
            // The sign-in is over either way; do not leave its state usable.
            if (!string.IsNullOrEmpty(stateValue))
            {
                await states.TakeAsync(Hash(stateValue), ct);
            }

            ThrowOnProviderError(query);
        }

        var code = query.GetValueOrDefault("code");
        if (string.IsNullOrEmpty(code) && body["code"] is JsonValue codeValue && codeValue.TryGetValue<string>(out var bodyCode))
        {
            code = bodyCode;
        }

        if (string.IsNullOrEmpty(code))
        {
            throw CustomersException.Unauthorized("No code provided");
        }

        var saved = string.IsNullOrEmpty(stateValue) ? null : await states.TakeAsync(Hash(stateValue), ct);
        if (saved is null || saved.ExpiresAt <= time.GetUtcNow() || saved.Provider != provider.Id || saved.ActorType != actorType)
        {
            LogStateRefused(logger, provider.Id, saved is null ? "unknown or spent" : saved.ExpiresAt <= time.GetUtcNow() ? "expired" : "for another provider or actor type");
            throw CustomersException.Unauthorized(StateExpiredMessage);
        }

        var user = await provider.CallbackAsync(
            new CallbackRequest(actorType, code, saved.CodeVerifier, saved.Nonce, saved.CallbackUrl, query), ct);
        if (string.IsNullOrEmpty(user.Subject) || user.Subject.Length > MaxSubjectLength
            || Encoding.UTF8.GetByteCount(user.UserMetadata.ToJsonString()) > MaxUserMetadataBytes)
        {
            LogUnusableUser(logger, provider.Id);
            throw AuthProviderErrors.AuthenticationFailed();
        }

        return await FindOrCreateAsync(provider.Id, user, ct);
    }

    public static string CallbackNotAllowedMessage(string providerId) =>
        $"The callback_url is not an allowed callback URL of the auth provider {providerId}";

    private async Task<IdentitySnapshot> FindOrCreateAsync(string providerId, ProviderUser user, CancellationToken ct)
    {
        for (var attempt = 0; ; attempt++)
        {
            if (await lookup.FindAsync(providerId, user.Subject, ct) is { } identityId
                && await grains.GetGrain<IAuthIdentityGrain>(identityId).GetAsync() is { } existing)
            {
                return existing;
            }

            try
            {
                var identity = grains.GetGrain<IAuthIdentityGrain>(EntityId.New(EntityId.AuthIdentity, time.GetUtcNow()));
                var created = await identity.RegisterExternalAsync(providerId, user.Subject, user.UserMetadata.ToJsonString());
                LogIdentityCreated(logger, providerId, created.Id);
                return created;
            }
            catch (CustomersException error) when (error.Kind == ErrorKind.UniqueViolation && attempt == 0)
            {
                // A concurrent callback of the same new user created the identity first: sign in to that one.
            }
        }
    }

    /// <summary>The provider's refusal (<c>?error=access_denied&amp;error_description=…&amp;error_uri=…</c>) as Medusa
    /// words it: <c>&lt;error_description&gt;, read more at: &lt;error_uri&gt;</c>.</summary>
    private static void ThrowOnProviderError(IReadOnlyDictionary<string, string> query)
    {
        // As in Medusa, an empty error parameter is no error.
        if (query.GetValueOrDefault("error") is not { Length: > 0 } error)
        {
            return;
        }

        var description = query.GetValueOrDefault("error_description") is { Length: > 0 } d ? d : error;
        var message = query.GetValueOrDefault("error_uri") is { Length: > 0 } uri ? $"{description}, read more at: {uri}" : description;
        throw CustomersException.Unauthorized(message.Length > MaxProviderMessageLength ? message[..MaxProviderMessageLength] : message);
    }

    private static string RandomToken() => Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32));

    private static string Challenge(string verifier) => Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier)));

    private static byte[] Hash(string state) => SHA256.HashData(Encoding.UTF8.GetBytes(state));
}
