namespace Customers.Host.Auth;

/// <summary>Who is calling, from a verified token or session (Medusa's <c>auth_context</c>).</summary>
/// <param name="ActorId">The linked actor (<c>cus_…</c>), or empty for an identity that has no actor yet.</param>
/// <param name="Claims">The token's full claim set, read only by <c>POST /auth/session</c> (so decoded lazily).</param>
internal sealed record Actor(
    string ActorId,
    string ActorType,
    string AuthIdentityId,
    string? AuthProvider,
    long IssuedAt,
    Lazy<string> Claims)
{
    /// <summary>The actor type of a storefront's signed-in customer.</summary>
    public const string CustomerActorType = "customer";

    /// <summary>The actor type of a caller authenticated by a secret API key (its id is the key's <c>apk_…</c>).</summary>
    public const string ApiKeyActorType = "api-key";

    private static readonly Lazy<string> NoClaims = new("{}");

    public bool IsRegistered => ActorId.Length > 0;

    /// <summary>A caller authenticated with a secret API key: Medusa's <c>{actor_type: "api-key", actor_id: apk_…}</c>.</summary>
    public static Actor ForApiKey(string keyId) => new(keyId, ApiKeyActorType, "", null, 0, NoClaims);
}

internal static class ActorHttpContextExtensions
{
    /// <summary>The actor the route's <see cref="ActorRequirement"/> filter admitted.</summary>
    public static Actor GetActor(this HttpContext context) =>
        context.Features.Get<Actor>() ?? throw new InvalidOperationException("The route has no actor requirement.");
}
