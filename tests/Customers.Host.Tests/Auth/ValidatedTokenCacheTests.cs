using System.Diagnostics.Metrics;
using Customers.Host.Auth;
using Customers.Host.Telemetry;
using Microsoft.Extensions.DependencyInjection;
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

    private static ValidatedTokenCache Cache(int size)
    {
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
        var revocations = new TokenRevocations(new CustomersMetrics(meters, TimeProvider.System));
        return new ValidatedTokenCache(revocations, TimeProvider.System, Options.Create(new JwtOptions { ValidatedTokenCacheSize = size }));
    }

    private static string Signature(int i) => $"signature-of-token-{i:D4}-0123456789abcdefghijk";

    private static string Token(int i) => $"eyJhbGciOiJIUzI1NiJ9.eyJpIjp7{i}fQ.{Signature(i)}";

    private static Actor Customer(int i) => new($"cus_{i}", Actor.CustomerActorType, $"authid_{i}", "emailpass", 0, new Lazy<string>("{}"));
}
