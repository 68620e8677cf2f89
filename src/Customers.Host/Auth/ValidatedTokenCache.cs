using System.Collections.Concurrent;

namespace Customers.Host.Auth;

/// <summary>
/// Remembers bearer tokens that passed full validation, so a storefront's repeated calls with one token skip the
/// signature check and claim parsing. What can change over a token's life is still checked on every use: expiry
/// (against the clock) and revocation. Bounded: when full it starts over.
/// </summary>
internal sealed class ValidatedTokenCache(TokenRevocations revocations, TimeProvider time)
{
    private const int Capacity = 10_000;

    private readonly ConcurrentDictionary<string, (Actor Actor, long ExpiresAt)> _tokens = new(StringComparer.Ordinal);

    public Actor? Find(string token)
    {
        if (!_tokens.TryGetValue(token, out var entry))
        {
            return null;
        }

        if (entry.ExpiresAt <= time.GetUtcNow().ToUnixTimeSeconds() || revocations.IsRevoked(entry.Actor))
        {
            _tokens.TryRemove(token, out _);
            return null;
        }

        return entry.Actor;
    }

    public void Add(string token, Actor actor, DateTimeOffset expiresAt)
    {
        if (_tokens.Count >= Capacity)
        {
            _tokens.Clear();
        }

        _tokens[token] = (actor, expiresAt.ToUnixTimeSeconds());
    }
}
