using System.Collections.Concurrent;
using Microsoft.Extensions.Options;

namespace Customers.Host.Auth;

/// <summary>
/// Remembers bearer tokens that passed full validation, so a storefront's repeated calls with one token skip the
/// signature check and claim parsing. What can change over a token's life is still checked on every use: expiry
/// (against the clock) and revocation.
/// <para>
/// Memory: an entry is keyed by the token's signature segment (43 characters, not the whole token) plus the whole
/// token's length and a per-process randomized hash, which a lookup must match too; the actor keeps its claims as
/// UTF-8 bytes. About 0.8 KiB per token. Lookups read the <c>Authorization</c> header's characters in place (no copy).
/// </para>
/// <para>
/// Bounded by <see cref="JwtOptions.ValidatedTokenCacheSize"/> per generation, two generations: when the current one is
/// full it becomes the previous one and the one before is dropped; a hit in the previous generation moves the entry
/// into the current one. So tokens in use stay, idle ones age out, and at most twice the size is held.
/// </para>
/// </summary>
internal sealed class ValidatedTokenCache(TokenRevocations revocations, TimeProvider time, IOptions<JwtOptions> options)
{
    private readonly int _capacity = options.Value.ValidatedTokenCacheSize;
    private readonly Lock _rotation = new();
    private Generation _current = new();
    private Generation _previous = new();

    /// <summary>The cached actor of this token (as sent, without the scheme), or null when it must be validated.</summary>
    public Actor? Find(ReadOnlySpan<char> token)
    {
        if (_capacity == 0 || !TrySplit(token, out var signature, out var check))
        {
            return null;
        }

        var current = _current;
        if (!current.TryGet(signature, check, out var entry))
        {
            var previous = _previous;
            if (!previous.TryGet(signature, check, out entry))
            {
                return null;
            }

            Store(new string(signature), entry);
        }

        if (entry.ExpiresAt <= time.GetUtcNow().ToUnixTimeSeconds() || revocations.IsRevoked(entry.Actor))
        {
            current.Remove(signature);
            return null;
        }

        return entry.Actor;
    }

    public void Add(ReadOnlySpan<char> token, Actor actor, DateTimeOffset expiresAt)
    {
        if (_capacity > 0 && TrySplit(token, out var signature, out var check))
        {
            Store(new string(signature), new Entry(actor, expiresAt.ToUnixTimeSeconds(), check));
        }
    }

    /// <summary>How many tokens are held (both generations; a token may be in both for a moment).</summary>
    public int Count => _current.Count + _previous.Count;

    private void Store(string signature, Entry entry)
    {
        var current = _current;
        if (current.Count >= _capacity)
        {
            lock (_rotation)
            {
                if (ReferenceEquals(current, _current))
                {
                    _previous = current;
                    _current = new Generation();
                }

                current = _current;
            }
        }

        current.Set(signature, entry);
    }

    /// <summary>The signature segment (the key) and a check over the whole token that a lookup must also match.</summary>
    private static bool TrySplit(ReadOnlySpan<char> token, out ReadOnlySpan<char> signature, out long check)
    {
        var dot = token.LastIndexOf('.');
        signature = dot < 0 ? default : token[(dot + 1)..];
        check = ((long)token.Length << 32) | (uint)string.GetHashCode(token, StringComparison.Ordinal);
        return signature.Length >= 16;
    }

    private readonly record struct Entry(Actor Actor, long ExpiresAt, long Check);

    private sealed class Generation
    {
        private readonly ConcurrentDictionary<string, Entry> _entries = new(StringComparer.Ordinal);
        private readonly ConcurrentDictionary<string, Entry>.AlternateLookup<ReadOnlySpan<char>> _bySpan;

        public Generation() => _bySpan = _entries.GetAlternateLookup<ReadOnlySpan<char>>();

        public int Count => _entries.Count;

        public bool TryGet(ReadOnlySpan<char> signature, long check, out Entry entry) =>
            _bySpan.TryGetValue(signature, out entry) && entry.Check == check;

        public void Set(string signature, Entry entry) => _entries[signature] = entry;

        public void Remove(ReadOnlySpan<char> signature) => _bySpan.TryRemove(signature, out _);
    }
}
