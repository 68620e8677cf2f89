using Customers.Testing;
using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Customers.Abstractions.Auth;
using Customers.Abstractions.Errors;
using Customers.Grains.Storage;
using Xunit;

namespace Customers.Grains.Tests;

/// <summary>
/// Reset tokens and password changes in the identity grain on the two-silo cluster: hash-only storage, newest token
/// only, expiry on the grains' clock, single use under concurrent calls, the per-identity request budget.
/// </summary>
[Collection(GrainClusterCollection.Name)]
public sealed class PasswordResetGrainTests(GrainClusterFixture fixture)
{
    private const string Provider = "emailpass";
    private const string NewPassword = "amber-lantern-river-58";

    private async Task<(IAuthIdentityGrain Identity, string Email)> RegisteredAsync()
    {
        var identity = fixture.Client.GetGrain<IAuthIdentityGrain>(TestData.NewIdentityId());
        var email = TestData.NewEmail();
        await identity.RegisterEmailPasswordAsync(email, TestData.Password);
        return (identity, email);
    }

    [Fact]
    public async Task A_ticket_carries_256_random_bits_and_only_their_hash_is_stored()
    {
        var (identity, email) = await RegisteredAsync();

        var ticket = (await identity.RequestPasswordResetAsync(new RequestPasswordReset(Provider, email)))!;

        Assert.Equal(32, Base64Url.DecodeFromChars(ticket.TokenId).Length);
        Assert.Equal(fixture.Clock.GetUtcNow(), ticket.IssuedAt);
        Assert.Equal(ticket.IssuedAt + TimeSpan.FromMinutes(15), ticket.ExpiresAt);
        var stored = (await Db.StoredStateAsync(fixture.ConnectionString, StateNames.AuthIdentity, identity.GetPrimaryKeyString()))!;
        Assert.DoesNotContain(ticket.TokenId, stored, StringComparison.Ordinal);
        var reset = JsonNode.Parse(stored)!["password_reset"]!;
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(ticket.TokenId))), (string?)reset["token_hash"]);
    }

    [Fact]
    public async Task No_ticket_for_a_login_the_identity_does_not_have()
    {
        var (identity, email) = await RegisteredAsync();
        var unknown = fixture.Client.GetGrain<IAuthIdentityGrain>(TestData.NewIdentityId());

        Assert.Null(await identity.RequestPasswordResetAsync(new RequestPasswordReset(Provider, email.ToUpperInvariant())));
        Assert.Null(await identity.RequestPasswordResetAsync(new RequestPasswordReset("google", email)));
        Assert.Null(await unknown.RequestPasswordResetAsync(new RequestPasswordReset(Provider, email)));
        Assert.Null(await unknown.GetAsync());
    }

    [Fact]
    public async Task Completing_replaces_the_password_revokes_tokens_and_works_once()
    {
        var (identity, email) = await RegisteredAsync();
        var ticket = (await identity.RequestPasswordResetAsync(new RequestPasswordReset(Provider, email)))!;
        fixture.Clock.Advance(TimeSpan.FromMinutes(1));

        var completed = await identity.CompletePasswordResetAsync(new CompletePasswordReset(ticket.TokenId, Provider, email, NewPassword));
        var again = await identity.CompletePasswordResetAsync(new CompletePasswordReset(ticket.TokenId, Provider, email, NewPassword + "x"));

        Assert.Equal(PasswordResetStatus.Completed, completed.Status);
        Assert.Equal(fixture.Clock.GetUtcNow(), completed.Identity!.TokensValidAfter);
        Assert.Equal(new PasswordResetResult(PasswordResetStatus.InvalidToken, null), again);
        Assert.False((await identity.VerifyPasswordAsync(TestData.Password)).Succeeded);
        Assert.True((await identity.VerifyPasswordAsync(NewPassword)).Succeeded);
    }

    [Fact]
    public async Task Concurrent_completions_from_both_silos_succeed_exactly_once()
    {
        var (identity, email) = await RegisteredAsync();
        var ticket = (await identity.RequestPasswordResetAsync(new RequestPasswordReset(Provider, email)))!;

        var results = await Task.WhenAll(Enumerable.Range(0, 8).Select(i =>
            identity.CompletePasswordResetAsync(new CompletePasswordReset(ticket.TokenId, Provider, email, $"{NewPassword}-{i}"))));

        Assert.Single(results, r => r.Status == PasswordResetStatus.Completed);
        Assert.Equal(7, results.Count(r => r.Status == PasswordResetStatus.InvalidToken));
    }

    [Fact]
    public async Task Only_the_newest_ticket_works()
    {
        var (identity, email) = await RegisteredAsync();
        var first = (await identity.RequestPasswordResetAsync(new RequestPasswordReset(Provider, email)))!;
        var second = (await identity.RequestPasswordResetAsync(new RequestPasswordReset(Provider, email)))!;

        var withFirst = await identity.CompletePasswordResetAsync(new CompletePasswordReset(first.TokenId, Provider, email, NewPassword));
        var withSecond = await identity.CompletePasswordResetAsync(new CompletePasswordReset(second.TokenId, Provider, email, NewPassword));

        Assert.Equal(PasswordResetStatus.InvalidToken, withFirst.Status);
        Assert.Equal(PasswordResetStatus.Completed, withSecond.Status);
    }

    [Fact]
    public async Task A_ticket_expires_after_15_minutes()
    {
        var (identity, email) = await RegisteredAsync();
        var ticket = (await identity.RequestPasswordResetAsync(new RequestPasswordReset(Provider, email)))!;

        fixture.Clock.Advance(TimeSpan.FromMinutes(15));
        var result = await identity.CompletePasswordResetAsync(new CompletePasswordReset(ticket.TokenId, Provider, email, NewPassword));

        Assert.Equal(PasswordResetStatus.InvalidToken, result.Status);
        Assert.True((await identity.VerifyPasswordAsync(TestData.Password)).Succeeded);
    }

    [Fact]
    public async Task A_ticket_for_another_login_is_refused()
    {
        var (identity, email) = await RegisteredAsync();
        var ticket = (await identity.RequestPasswordResetAsync(new RequestPasswordReset(Provider, email)))!;

        var otherEmail = await identity.CompletePasswordResetAsync(new CompletePasswordReset(ticket.TokenId, Provider, TestData.NewEmail(), NewPassword));
        var otherProvider = await identity.CompletePasswordResetAsync(new CompletePasswordReset(ticket.TokenId, "github", email, NewPassword));

        Assert.Equal(PasswordResetStatus.InvalidToken, otherEmail.Status);
        Assert.Equal(PasswordResetStatus.InvalidToken, otherProvider.Status);
        Assert.Equal(PasswordResetStatus.Completed,
            (await identity.CompletePasswordResetAsync(new CompletePasswordReset(ticket.TokenId, Provider, email, NewPassword))).Status);
    }

    [Fact]
    public async Task A_weak_password_fails_and_keeps_the_ticket_while_a_missing_one_spends_it()
    {
        var (identity, email) = await RegisteredAsync();
        var ticket = (await identity.RequestPasswordResetAsync(new RequestPasswordReset(Provider, email)))!;

        var weak = await Assert.ThrowsAsync<CustomersException>(() =>
            identity.CompletePasswordResetAsync(new CompletePasswordReset(ticket.TokenId, Provider, email, "password")));
        var missing = await identity.CompletePasswordResetAsync(new CompletePasswordReset(ticket.TokenId, Provider, email, null));
        var afterwards = await identity.CompletePasswordResetAsync(new CompletePasswordReset(ticket.TokenId, Provider, email, NewPassword));

        Assert.Equal(ErrorKind.InvalidData, weak.Kind);
        Assert.Equal(PasswordResetStatus.PasswordMissing, missing.Status);
        Assert.Equal(PasswordResetStatus.InvalidToken, afterwards.Status);
        Assert.True((await identity.VerifyPasswordAsync(TestData.Password)).Succeeded);
    }

    [Fact]
    public async Task At_most_three_tickets_a_minute()
    {
        var (identity, email) = await RegisteredAsync();
        for (var i = 0; i < 3; i++)
        {
            Assert.NotNull(await identity.RequestPasswordResetAsync(new RequestPasswordReset(Provider, email)));
            fixture.Clock.Advance(TimeSpan.FromSeconds(10));
        }

        Assert.Null(await identity.RequestPasswordResetAsync(new RequestPasswordReset(Provider, email)));
        fixture.Clock.Advance(TimeSpan.FromSeconds(31)); // the first request is now more than a minute old
        Assert.NotNull(await identity.RequestPasswordResetAsync(new RequestPasswordReset(Provider, email)));
        Assert.Null(await identity.RequestPasswordResetAsync(new RequestPasswordReset(Provider, email)));
    }

    [Fact]
    public async Task Changing_the_password_invalidates_a_pending_ticket_and_revokes_tokens()
    {
        var (identity, email) = await RegisteredAsync();
        var ticket = (await identity.RequestPasswordResetAsync(new RequestPasswordReset(Provider, email)))!;
        fixture.Clock.Advance(TimeSpan.FromSeconds(5));

        var changed = await identity.ChangePasswordAsync(new ChangePassword(TestData.Password, NewPassword));
        var reset = await identity.CompletePasswordResetAsync(new CompletePasswordReset(ticket.TokenId, Provider, email, NewPassword + "x"));

        Assert.True(changed.Succeeded);
        Assert.Equal(fixture.Clock.GetUtcNow(), changed.Identity!.TokensValidAfter);
        Assert.Equal(PasswordResetStatus.InvalidToken, reset.Status);
        Assert.True((await identity.VerifyPasswordAsync(NewPassword)).Succeeded);
    }

    [Fact]
    public async Task Changing_with_a_wrong_current_password_fails_and_counts_as_a_failed_login()
    {
        var (identity, _) = await RegisteredAsync();

        var changed = await identity.ChangePasswordAsync(new ChangePassword("not-the-right-one-71", NewPassword));

        Assert.False(changed.Succeeded);
        Assert.Null((await identity.GetAsync())!.TokensValidAfter);
        var stored = JsonNode.Parse((await Db.StoredStateAsync(fixture.ConnectionString, StateNames.AuthIdentity, identity.GetPrimaryKeyString()))!)!;
        Assert.Equal(1, (int)stored["failed_logins"]!);
        Assert.True((await identity.VerifyPasswordAsync(TestData.Password)).Succeeded);
    }
}
