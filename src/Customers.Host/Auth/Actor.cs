namespace Customers.Host.Auth;

/// <summary>
/// Who is calling, from a verified token or session (Medusa's <c>auth_context</c>). Bearer actors are kept in
/// <see cref="ValidatedTokenCache"/> for the token's life, so an actor holds only what a request needs, not the
/// credential's claim set: that is read from the request's own credential (<see cref="CallerCredential"/>).
/// </summary>
/// <param name="ActorId">The linked actor (<c>cus_…</c>), or empty for an identity that has no actor yet.</param>
/// <param name="MfaEnabled">The <c>mfa_enabled</c> claim.</param>
/// <param name="MfaCompletedAt">The <c>mfa_challenge_completed_at</c> claim, as issued (ISO-8601), or null.</param>
internal sealed record Actor(
    string ActorId,
    string ActorType,
    string AuthIdentityId,
    string? AuthProvider,
    long IssuedAt,
    bool MfaEnabled = false,
    string? MfaCompletedAt = null)
{
    /// <summary>The actor type of a storefront's signed-in customer.</summary>
    public const string CustomerActorType = "customer";

    /// <summary>The actor type of a caller authenticated by a secret API key (its id is the key's <c>apk_…</c>).</summary>
    public const string ApiKeyActorType = "api-key";

    public bool IsRegistered => ActorId.Length > 0;

    /// <summary>Signed in with the password but not yet with the second factor: refused wherever MFA is required.</summary>
    public bool IsMfaPending => MfaEnabled && MfaCompletedAt is null;

    /// <summary>A caller authenticated with a secret API key: Medusa's <c>{actor_type: "api-key", actor_id: apk_…}</c>.</summary>
    public static Actor ForApiKey(string keyId) => new(keyId, ApiKeyActorType, "", null, 0);

    /// <summary>One instance of the strings every token repeats (actor type, provider), so cached actors share them.</summary>
    public static string Shared(string value) => value switch
    {
        CustomerActorType => CustomerActorType,
        "user" => "user",
        "emailpass" => "emailpass",
        _ => value,
    };
}

internal static class ActorHttpContextExtensions
{
    /// <summary>The actor the route's <see cref="ActorRequirement"/> filter admitted.</summary>
    public static Actor GetActor(this HttpContext context) =>
        context.Features.Get<Actor>() ?? throw new InvalidOperationException("The route has no actor requirement.");
}
