using System.Collections.Concurrent;
using Customers.Host.Telemetry;

namespace Customers.Host.Auth;

/// <summary>
/// Per-silo view of "tokens of identity X issued before T are void". Logout and password changes write T with the
/// identity grain; <see cref="TokenRevocationFeed"/> pulls new values from PostgreSQL every second, so every silo
/// refuses old tokens within the poll interval without a grain call per request.
/// </summary>
internal sealed class TokenRevocations(CustomersMetrics metrics)
{
    public const string Logout = "logout";
    public const string PasswordChange = "password_change";
    public const string PasswordReset = "password_reset";
    public const string CustomerDeleted = "customer_deleted";

    private readonly ConcurrentDictionary<string, long> _firstValidIssuedAt = new(StringComparer.Ordinal);

    /// <summary>
    /// JWT <c>iat</c> has whole seconds, so the revocation second is rounded up: every token from before the
    /// revocation has a smaller <c>iat</c>, and tokens issued afterwards are stamped with at least this value.
    /// </summary>
    public static long FirstValidIssuedAt(DateTimeOffset validAfter) =>
        (validAfter.ToUnixTimeMilliseconds() + 999) / 1000;

    /// <summary>A revocation made on this silo: recorded, and counted under <paramref name="reason"/>.</summary>
    public void Revoke(string authIdentityId, DateTimeOffset validAfter, string reason)
    {
        Record(authIdentityId, validAfter);
        metrics.TokenRevocation(reason);
    }

    /// <summary>A revocation learnt from the feed (made here or on another silo): recorded only.</summary>
    public void Record(string authIdentityId, DateTimeOffset validAfter)
    {
        var first = FirstValidIssuedAt(validAfter);
        _firstValidIssuedAt.AddOrUpdate(authIdentityId, first, (_, existing) => Math.Max(existing, first));
    }

    public bool IsRevoked(string authIdentityId, long issuedAt) =>
        _firstValidIssuedAt.TryGetValue(authIdentityId, out var first) && issuedAt < first;
}
