using System.Diagnostics.Metrics;
using Customers.Host.Auth;
using Customers.Host.Telemetry;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;
using Xunit;

namespace Customers.Host.Tests.Auth;

/// <summary>Revocations void earlier credentials of an identity, and are dropped once no credential they could void
/// can still be alive (tokens and the sessions made from them), so the map stays bounded.</summary>
public sealed class TokenRevocationsTests
{
    private static readonly DateTimeOffset Start = new(2026, 12, 6, 12, 0, 0, TimeSpan.Zero);

    // Token lifetime 1 day + 30 s skew + session lifetime 10 hours (the defaults).
    private static readonly TimeSpan Lifetime = TimeSpan.FromDays(1) + TimeSpan.FromSeconds(30) + TimeSpan.FromHours(10);

    [Fact]
    public void The_longest_credential_lifetime_counts_sessions_made_from_a_token()
    {
        Assert.Equal(Lifetime, Revocations(TimeProvider.System).LongestCredentialLifetime);
    }

    [Fact]
    public void A_revocation_voids_earlier_credentials_only()
    {
        var revocations = Revocations(new FakeTimeProvider(Start));
        revocations.Record("authid_1", Start);

        Assert.True(revocations.IsSessionRevoked(Actor("authid_1", Start.AddSeconds(-1)), "{}"));
        Assert.False(revocations.IsSessionRevoked(Actor("authid_1", Start), "{}"));
        Assert.False(revocations.IsSessionRevoked(Actor("authid_2", Start.AddSeconds(-1)), "{}"));
    }

    [Fact]
    public void A_kept_credential_survives_its_revocation()
    {
        var revocations = Revocations(new FakeTimeProvider(Start));
        revocations.Record("authid_1", Start, CallerCredential.Fingerprint("""{"kept":true}"""));

        Assert.False(revocations.IsSessionRevoked(Actor("authid_1", Start.AddSeconds(-1)), """{"kept":true}"""));
        Assert.True(revocations.IsSessionRevoked(Actor("authid_1", Start.AddSeconds(-1)), """{"kept":false}"""));
    }

    [Fact]
    public void Revocations_are_kept_while_a_credential_they_void_can_be_alive()
    {
        var clock = new FakeTimeProvider(Start);
        var revocations = Revocations(clock);
        revocations.Record("authid_1", Start);

        // A session started just before its token expired can still carry an iat from before the revocation.
        clock.Advance(Lifetime - TimeSpan.FromSeconds(2));
        revocations.Prune();

        Assert.Equal(1, revocations.Count);
        Assert.True(revocations.CanStillMatter(Start));
        Assert.True(revocations.IsSessionRevoked(Actor("authid_1", Start.AddSeconds(-1)), "{}"));
    }

    [Fact]
    public void Revocations_no_credential_can_outlive_are_dropped()
    {
        var clock = new FakeTimeProvider(Start);
        var revocations = Revocations(clock);
        revocations.Record("authid_old", Start);
        clock.Advance(TimeSpan.FromHours(20));
        revocations.Record("authid_recent", clock.GetUtcNow());

        clock.Advance(Lifetime - TimeSpan.FromHours(20) + TimeSpan.FromMinutes(2));
        revocations.PruneIfDue();

        Assert.Equal(1, revocations.Count);
        Assert.False(revocations.CanStillMatter(Start));
        Assert.False(revocations.IsSessionRevoked(Actor("authid_old", Start.AddSeconds(-1)), "{}"));
        Assert.True(revocations.IsSessionRevoked(Actor("authid_recent", Start), "{}"));
    }

    [Fact]
    public void Pruning_runs_at_most_once_a_minute()
    {
        var clock = new FakeTimeProvider(Start);
        var revocations = Revocations(clock);
        revocations.PruneIfDue();
        revocations.Record("authid_1", Start - Lifetime - TimeSpan.FromMinutes(1));

        clock.Advance(TimeSpan.FromSeconds(30));
        revocations.PruneIfDue();
        Assert.Equal(1, revocations.Count);

        clock.Advance(TimeSpan.FromSeconds(31));
        revocations.PruneIfDue();
        Assert.Equal(0, revocations.Count);
    }

    internal static TokenRevocations Revocations(TimeProvider time)
    {
        var meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
        return new TokenRevocations(
            new CustomersMetrics(meters, time), Options.Create(new JwtOptions()), Options.Create(new SessionCookieOptions()), time);
    }

    private static Actor Actor(string identityId, DateTimeOffset issuedAt) =>
        new("cus_1", Host.Auth.Actor.CustomerActorType, identityId, "emailpass", issuedAt.ToUnixTimeSeconds());
}
