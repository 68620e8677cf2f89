using System.Collections.Concurrent;
using Customers.Host.Telemetry;

namespace Customers.Host.Auth;

/// <summary>
/// Per-silo view of "tokens of identity X issued before T are void, except the one credential K". Logout, password
/// changes and second-factor changes write T (and, for the latter, K: the caller's own token or session) with the
/// identity grain; <see cref="TokenRevocationFeed"/> pulls new values from PostgreSQL every second, so every silo
/// refuses old tokens within the poll interval without a grain call per request.
/// </summary>
internal sealed class TokenRevocations(CustomersMetrics metrics)
{
    public const string Logout = "logout";
    public const string PasswordChange = "password_change";
    public const string PasswordReset = "password_reset";
    public const string CustomerDeleted = "customer_deleted";
    public const string SecondFactorChange = "second_factor_change";

    private readonly ConcurrentDictionary<string, Revocation> _revocations = new(StringComparer.Ordinal);

    /// <summary>
    /// JWT <c>iat</c> has whole seconds, so the revocation second is rounded up: every token from before the
    /// revocation has a smaller <c>iat</c>, and tokens issued afterwards are stamped with at least this value.
    /// </summary>
    public static long FirstValidIssuedAt(DateTimeOffset validAfter) =>
        (validAfter.ToUnixTimeMilliseconds() + 999) / 1000;

    /// <summary>A revocation made on this silo: recorded, and counted under <paramref name="reason"/>.</summary>
    public void Revoke(string authIdentityId, DateTimeOffset validAfter, string reason, string? keptCredential = null)
    {
        Record(authIdentityId, validAfter, keptCredential);
        metrics.TokenRevocation(reason);
    }

    /// <summary>Records a revocation (made here, or learnt from the feed); <paramref name="keptCredential"/> is the
    /// <see cref="Actor.Fingerprint"/> that survives it.</summary>
    public void Record(string authIdentityId, DateTimeOffset validAfter, string? keptCredential = null)
    {
        var revocation = new Revocation(FirstValidIssuedAt(validAfter), keptCredential);
        _revocations.AddOrUpdate(authIdentityId, revocation, (_, existing) =>
            revocation.FirstValidIssuedAt >= existing.FirstValidIssuedAt ? revocation : existing);
    }

    public bool IsRevoked(Actor actor) =>
        _revocations.TryGetValue(actor.AuthIdentityId, out var revocation)
        && actor.IssuedAt < revocation.FirstValidIssuedAt
        && (revocation.KeptCredential is null || revocation.KeptCredential != actor.Fingerprint);

    private sealed record Revocation(long FirstValidIssuedAt, string? KeptCredential);
}
