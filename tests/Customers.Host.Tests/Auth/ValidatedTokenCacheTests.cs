using Customers.Host.Auth;
using Microsoft.Extensions.Options;
using Xunit;

namespace Customers.Host.Tests.Auth;

/// <summary>The validated-token cache stays bounded, keeps tokens in use, and never answers for a token it did not
/// validate.</summary>
public sealed class ValidatedTokenCacheTests
{
    private static readonly DateTimeOffset InAnHour = DateTimeOffset.UtcNow.AddHours(1);

    [Fact]
    public void Holds_at_most_two_generations()
    {
        var cache = Cache(size: 4);

        for (var i = 0; i < 50; i++)
        {
            cache.Add(Token(i), Customer(i), InAnHour);
        }

        Assert.InRange(cache.Count, 1, 8);
        Assert.Null(cache.Find(Token(0)));
        Assert.Equal("cus_49", cache.Find(Token(49))?.ActorId);
    }

    [Fact]
    public void A_token_in_use_survives_rotations()
    {
        var cache = Cache(size: 4);
        cache.Add(Token(0), Customer(0), InAnHour);

        for (var i = 1; i < 50; i++)
        {
            cache.Add(Token(i), Customer(i), InAnHour);
            Assert.Equal("cus_0", cache.Find(Token(0))?.ActorId);
        }
    }

    [Fact]
    public void Another_token_with_the_same_signature_is_not_found()
    {
        var cache = Cache(size: 4);
        cache.Add(Token(1), Customer(1), InAnHour);

        Assert.Null(cache.Find("eyJhbGciOiJIUzI1NiJ9.eyJvdGhlciI6dHJ1ZX0." + Signature(1)));
        Assert.Equal("cus_1", cache.Find(Token(1))?.ActorId);
    }

    [Fact]
    public void Expired_tokens_are_not_found()
    {
        var cache = Cache(size: 4);
        cache.Add(Token(1), Customer(1), DateTimeOffset.UtcNow.AddSeconds(-1));

        Assert.Null(cache.Find(Token(1)));
    }

    [Fact]
    public void Size_zero_turns_it_off()
    {
        var cache = Cache(size: 0);
        cache.Add(Token(1), Customer(1), InAnHour);

        Assert.Null(cache.Find(Token(1)));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void A_token_whose_signature_is_not_base64url_is_not_cached()
    {
        var cache = Cache(size: 4);
        var token = "eyJhbGciOiJIUzI1NiJ9.eyJpIjoxfQ.not*base64url*at*all*0123456789abcdefghijk";
        cache.Add(token, Customer(1), InAnHour);

        Assert.Null(cache.Find(token));
        Assert.Equal(0, cache.Count);
    }

    [Fact]
    public void Tokens_differing_after_the_key_prefix_are_told_apart()
    {
        // Same first 24 signature characters (the 16-byte key), different rest: the whole-token check tells them apart.
        var cache = Cache(size: 4);
        var first = "eyJhbGciOiJIUzI1NiJ9.eyJpIjoxfQ.AAAAAAAAAAAAAAAAAAAAAAAAxxxxxxxxxxxxxxxxxxx";
        var second = "eyJhbGciOiJIUzI1NiJ9.eyJpIjoxfQ.AAAAAAAAAAAAAAAAAAAAAAAAyyyyyyyyyyyyyyyyyyy";
        cache.Add(first, Customer(1), InAnHour);

        Assert.Null(cache.Find(second));
        Assert.Equal("cus_1", cache.Find(first)?.ActorId);
    }

    [Fact]
    public void A_revoked_token_is_not_found_unless_the_revocation_kept_it()
    {
        var (cache, revocations) = CacheWithRevocations(size: 4);
        cache.Add(Token(1), Customer(1), InAnHour);
        cache.Add(Token(2), Customer(2), InAnHour);

        // Customer(i) tokens carry iat 0: a revocation now voids them, except the one credential it keeps.
        revocations.Record("authid_1", DateTimeOffset.UtcNow);
        revocations.Record("authid_2", DateTimeOffset.UtcNow, CallerCredential.FingerprintOfToken(Token(2)));

        Assert.Null(cache.Find(Token(1)));
        Assert.Equal("cus_2", cache.Find(Token(2))?.ActorId);
    }

    [Fact]
    public void A_token_fingerprint_is_that_of_its_claims()
    {
        // Sessions keep the claims of the token they were made from: both name the same credential.
        var claims = """{"actor_id":"cus_1","iat":1}""";
        var token = "eyJhbGciOiJIUzI1NiJ9." + System.Buffers.Text.Base64Url.EncodeToString(System.Text.Encoding.UTF8.GetBytes(claims)) + "." + Signature(1);

        Assert.Equal(CallerCredential.Fingerprint(claims), CallerCredential.FingerprintOfToken(token));
        Assert.NotEqual(CallerCredential.Fingerprint("{}"), CallerCredential.FingerprintOfToken(token));
        Assert.Null(CallerCredential.FingerprintOfToken("no-dots"));
    }

    private static ValidatedTokenCache Cache(int size) => CacheWithRevocations(size).Cache;

    private static (ValidatedTokenCache Cache, TokenRevocations Revocations) CacheWithRevocations(int size)
    {
        var revocations = TokenRevocationsTests.Revocations(TimeProvider.System);
        return (new ValidatedTokenCache(revocations, TimeProvider.System, Options.Create(new JwtOptions { ValidatedTokenCacheSize = size })), revocations);
    }

    // HMAC signatures differ from their first bytes on, which are the key: so do these.
    private static string Signature(int i) => $"{i:D4}-signature-of-token-0123456789abcdefghijk";

    private static string Token(int i) => $"eyJhbGciOiJIUzI1NiJ9.eyJpIjp7{i}fQ.{Signature(i)}";

    private static Actor Customer(int i) => new($"cus_{i}", Actor.CustomerActorType, $"authid_{i}", "emailpass", 0);
}
