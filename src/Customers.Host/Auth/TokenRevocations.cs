using System.Collections.Concurrent;

namespace Customers.Host.Auth;

/// <summary>
/// Per-silo view of "tokens of identity X issued before T are void". Logout and password changes write T with the
/// identity grain; <see cref="TokenRevocationFeed"/> pulls new values from PostgreSQL every second, so every silo
/// refuses old tokens within the poll interval without a grain call per request.
/// </summary>
internal sealed class TokenRevocations
{
    private readonly ConcurrentDictionary<string, long> _firstValidIssuedAt = new(StringComparer.Ordinal);

    /// <summary>
    /// JWT <c>iat</c> has whole seconds, so the revocation second is rounded up: every token from before the
    /// revocation has a smaller <c>iat</c>, and tokens issued afterwards are stamped with at least this value.
    /// </summary>
    public static long FirstValidIssuedAt(DateTimeOffset validAfter) =>
        (validAfter.ToUnixTimeMilliseconds() + 999) / 1000;

    public void Record(string authIdentityId, DateTimeOffset validAfter)
    {
        var first = FirstValidIssuedAt(validAfter);
        _firstValidIssuedAt.AddOrUpdate(authIdentityId, first, (_, existing) => Math.Max(existing, first));
    }

    public bool IsRevoked(string authIdentityId, long issuedAt) =>
        _firstValidIssuedAt.TryGetValue(authIdentityId, out var first) && issuedAt < first;
}
