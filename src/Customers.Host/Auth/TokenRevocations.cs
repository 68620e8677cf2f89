using System.Collections.Concurrent;
using Customers.Host.Telemetry;
using Microsoft.Extensions.Options;

namespace Customers.Host.Auth;

/// <summary>
/// Per-silo view of "tokens of identity X issued before T are void, except the one credential K". Logout, password
/// changes and second-factor changes write T (and, for the latter, K: the caller's own token or session) with the
/// identity grain; <see cref="TokenRevocationFeed"/> pulls new values from PostgreSQL every second, so every silo
/// refuses old tokens within the poll interval without a grain call per request.
/// <para>
/// Bounded: a revocation only voids credentials issued before T, and the last of those is gone once
/// <see cref="LongestCredentialLifetime"/> has passed since T, so older entries are dropped (at most once a minute,
/// from <see cref="Record"/> and the feed's polls). The map holds the identities revoked within that lifetime.
/// </para>
/// </summary>
internal sealed class TokenRevocations(
    CustomersMetrics metrics, IOptions<JwtOptions> jwt, IOptions<SessionCookieOptions> sessions, TimeProvider time)
{
    public const string Logout = "logout";
    public const string PasswordChange = "password_change";
    public const string PasswordReset = "password_reset";
    public const string CustomerDeleted = "customer_deleted";
    public const string SecondFactorChange = "second_factor_change";

    private static readonly TimeSpan PruneInterval = TimeSpan.FromMinutes(1);

    private readonly ConcurrentDictionary<string, Revocation> _revocations = new(StringComparer.Ordinal);
    private long _nextPruneAt;

    /// <summary>
    /// How long a credential can be used after its <c>iat</c>: a token lives <see cref="JwtOptions.ExpiresIn"/> (plus
    /// the clock skew allowed), and a session started with it just before it expired carries its <c>iat</c> for
    /// another <see cref="SessionCookieOptions.Ttl"/>.
    /// </summary>
    public TimeSpan LongestCredentialLifetime => jwt.Value.ExpiresIn + jwt.Value.ClockSkew + sessions.Value.Ttl;

    /// <summary>How many identities have a revocation held (tests and the benchmark notes).</summary>
    public int Count => _revocations.Count;

    /// <summary>
    /// JWT <c>iat</c> has whole seconds, so the revocation second is rounded up: every token from before the
    /// revocation has a smaller <c>iat</c>, and tokens issued afterwards are stamped with at least this value.
    /// </summary>
    public static long FirstValidIssuedAt(DateTimeOffset validAfter) =>
        (validAfter.ToUnixTimeMilliseconds() + 999) / 1000;

    /// <summary>Whether a revocation made at <paramref name="validAfter"/> can still void a live credential.</summary>
    public bool CanStillMatter(DateTimeOffset validAfter) => !IsPast(FirstValidIssuedAt(validAfter), Now);

    /// <summary>A revocation made on this silo: recorded, and counted under <paramref name="reason"/>.</summary>
    public void Revoke(string authIdentityId, DateTimeOffset validAfter, string reason, string? keptCredential = null)
    {
        Record(authIdentityId, validAfter, keptCredential);
        metrics.TokenRevocation(reason);
    }

    /// <summary>Records a revocation (made here, or learnt from the feed); <paramref name="keptCredential"/> is the
    /// <see cref="CallerCredential.Fingerprint(string)"/> of the credential that survives it.</summary>
    public void Record(string authIdentityId, DateTimeOffset validAfter, string? keptCredential = null)
    {
        PruneIfDue();
        var revocation = new Revocation(FirstValidIssuedAt(validAfter), keptCredential);
        _revocations.AddOrUpdate(authIdentityId, revocation, (_, existing) =>
            revocation.FirstValidIssuedAt >= existing.FirstValidIssuedAt ? revocation : existing);
    }

    /// <summary>Whether a bearer token's actor is void; the token (as sent) is read only when a revocation kept one
    /// credential, to compare fingerprints.</summary>
    public bool IsTokenRevoked(Actor actor, ReadOnlySpan<char> token) =>
        Voids(actor, out var kept) && (kept is null || kept != CallerCredential.FingerprintOfToken(token));

    /// <summary>Whether a session's actor is void; <paramref name="claims"/> is the session's stored claim set.</summary>
    public bool IsSessionRevoked(Actor actor, string claims) =>
        Voids(actor, out var kept) && (kept is null || kept != CallerCredential.Fingerprint(claims));

    /// <summary>Drops the revocations that can no longer void anything, at most once per minute.</summary>
    public void PruneIfDue()
    {
        var now = Now;
        var due = Volatile.Read(ref _nextPruneAt);
        if (now >= due && Interlocked.CompareExchange(ref _nextPruneAt, now + (long)PruneInterval.TotalSeconds, due) == due)
        {
            Prune();
        }
    }

    /// <summary>Drops the revocations that can no longer void anything.</summary>
    public void Prune()
    {
        var now = Now;
        foreach (var (identityId, revocation) in _revocations)
        {
            if (IsPast(revocation.FirstValidIssuedAt, now))
            {
                // Only this value: a newer revocation recorded meanwhile stays.
                _revocations.TryRemove(new KeyValuePair<string, Revocation>(identityId, revocation));
            }
        }
    }

    private long Now => time.GetUtcNow().ToUnixTimeSeconds();

    // Every credential with an iat before firstValidIssuedAt has expired (the latest had iat = firstValidIssuedAt - 1).
    private bool IsPast(long firstValidIssuedAt, long now) =>
        firstValidIssuedAt - 1 + (long)Math.Ceiling(LongestCredentialLifetime.TotalSeconds) < now;

    private bool Voids(Actor actor, out string? keptCredential)
    {
        keptCredential = null;
        if (!_revocations.TryGetValue(actor.AuthIdentityId, out var revocation) || actor.IssuedAt >= revocation.FirstValidIssuedAt)
        {
            return false;
        }

        keptCredential = revocation.KeptCredential;
        return true;
    }

    private sealed record Revocation(long FirstValidIssuedAt, string? KeptCredential);
}
