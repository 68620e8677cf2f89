using System.Buffers.Binary;
using System.Buffers.Text;
using System.Collections.Concurrent;
using System.Runtime.InteropServices;
using Microsoft.Extensions.Options;

namespace Customers.Host.Auth;

/// <summary>
/// Remembers bearer tokens that passed full validation, so a storefront's repeated calls with one token skip the
/// signature check and claim parsing. What can change over a token's life is still checked on every use: expiry
/// (against the clock) and revocation.
/// <para>
/// Memory (about 0.3 KiB per token): an entry is keyed by the first 16 bytes of the token's HMAC signature (a struct,
/// no string), and a lookup must also match the whole token's length and two per-process randomized hashes of it. The
/// actor holds the ids and flags a request needs, not the token's claim set (<see cref="CallerCredential"/> reads that
/// from the request). Lookups read the <c>Authorization</c> header's characters in place (no copy).
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
        if (_capacity == 0 || !TrySplit(token, out var key, out var check))
        {
            return null;
        }

        var current = _current;
        if (!current.TryGet(key, check, out var entry))
        {
            var previous = _previous;
            if (!previous.TryGet(key, check, out entry))
            {
                return null;
            }

            Store(key, entry);
        }

        if (entry.ExpiresAt <= time.GetUtcNow().ToUnixTimeSeconds() || revocations.IsTokenRevoked(entry.Actor, token))
        {
            current.Remove(key);
            return null;
        }

        return entry.Actor;
    }

    public void Add(ReadOnlySpan<char> token, Actor actor, DateTimeOffset expiresAt)
    {
        if (_capacity > 0 && TrySplit(token, out var key, out var check))
        {
            Store(key, new Entry(actor, expiresAt.ToUnixTimeSeconds(), check));
        }
    }

    /// <summary>How many tokens are held (both generations; a token may be in both for a moment).</summary>
    public int Count => _current.Count + _previous.Count;

    private void Store(SignatureKey key, Entry entry)
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

        current.Set(key, entry);
    }

    /// <summary>The key (from the signature segment) and a check over the whole token that a lookup must also match.</summary>
    private static bool TrySplit(ReadOnlySpan<char> token, out SignatureKey key, out TokenCheck check)
    {
        check = default;
        var dot = token.LastIndexOf('.');
        if (dot < 0 || !SignatureKey.TryRead(token[(dot + 1)..], out key))
        {
            key = default;
            return false;
        }

        check = TokenCheck.Of(token);
        return true;
    }

    /// <summary>
    /// What a lookup must match besides the key: the whole token's length and two hashes of it under independent
    /// per-process random seeds (64 bits together). Someone who pastes the signature of a token of theirs onto another
    /// payload hits that token's key; the entry is used only if both hashes match too, which, without seeing them, takes
    /// about 2^63 tries, each of which is otherwise validated in full and refused.
    /// </summary>
    private readonly record struct TokenCheck(int Length, int First, int Second)
    {
        public static TokenCheck Of(ReadOnlySpan<char> token)
        {
            var second = new HashCode();
            second.AddBytes(MemoryMarshal.AsBytes(token));
            return new TokenCheck(token.Length, string.GetHashCode(token, StringComparison.Ordinal), second.ToHashCode());
        }
    }

    /// <summary>The first 16 bytes of an HMAC-SHA256 signature: unique among the tokens this host issued (128 bits of
    /// a keyed hash) and fixed-size, so an entry needs no key string.</summary>
    private readonly record struct SignatureKey(ulong High, ulong Low)
    {
        // 24 base64url characters decode to exactly 18 bytes (no partial final group); HS256 signatures have 43.
        private const int EncodedPrefix = 24;

        public static bool TryRead(ReadOnlySpan<char> signature, out SignatureKey key)
        {
            key = default;
            Span<byte> bytes = stackalloc byte[18];
            if (signature.Length < EncodedPrefix
                || Base64Url.DecodeFromChars(signature[..EncodedPrefix], bytes, out var consumed, out var written) != System.Buffers.OperationStatus.Done
                || consumed != EncodedPrefix || written != bytes.Length)
            {
                return false;
            }

            key = new SignatureKey(BinaryPrimitives.ReadUInt64LittleEndian(bytes), BinaryPrimitives.ReadUInt64LittleEndian(bytes[8..]));
            return true;
        }
    }

    private readonly record struct Entry(Actor Actor, long ExpiresAt, TokenCheck Check);

    private sealed class Generation
    {
        private readonly ConcurrentDictionary<SignatureKey, Entry> _entries = new();

        public int Count => _entries.Count;

        public bool TryGet(SignatureKey key, TokenCheck check, out Entry entry) =>
            _entries.TryGetValue(key, out entry) && entry.Check == check;

        public void Set(SignatureKey key, Entry entry) => _entries[key] = entry;

        public void Remove(SignatureKey key) => _entries.TryRemove(key, out _);
    }
}
