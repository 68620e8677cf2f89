using Customers.Testing;
using System.Text.Json.Nodes;
using Customers.Abstractions.Auth;
using Customers.Abstractions.Customers;
using Customers.Abstractions.Errors;
using Customers.Grains.Storage;
using Xunit;
using static Customers.Grains.Tests.CustomerGrainTests;

namespace Customers.Grains.Tests;

[Collection(GrainClusterCollection.Name)]
public sealed class AuthIdentityGrainTests(GrainClusterFixture fixture)
{
    private const string WrongPassword = "not-the-right-one-71";

    private IAuthIdentityGrain NewIdentityGrain() => fixture.Client.GetGrain<IAuthIdentityGrain>(TestData.NewIdentityId());

    private async Task<IAuthIdentityGrain> RegisteredAsync(string? email = null)
    {
        var identity = NewIdentityGrain();
        await identity.RegisterEmailPasswordAsync(email ?? TestData.NewEmail(), TestData.Password);
        return identity;
    }

    [Fact]
    public async Task Register_creates_an_unlinked_identity_with_an_emailpass_login()
    {
        var identity = NewIdentityGrain();
        var email = TestData.NewEmail();

        var registered = await identity.RegisterEmailPasswordAsync(email, TestData.Password);

        Assert.Equal(identity.GetPrimaryKeyString(), registered.Id);
        Assert.Equal("{}", registered.AppMetadataJson);
        Assert.Null(registered.TokensValidAfter);
        Assert.Equal(fixture.Clock.GetUtcNow(), registered.CreatedAt);
        var login = Assert.Single(registered.ProviderIdentities);
        Assert.Equal(("emailpass", email), (login.Provider, login.EntityId));
        Assert.Equal(registered.Id, await Db.ScalarAsync<string>(fixture.ConnectionString,
            "SELECT auth_identity_id FROM provider_identity WHERE provider = 'emailpass' AND entity_id = $1", email));
        Assert.Equal(registered.ProviderIdentities.AsEnumerable(), (await identity.GetAsync())!.ProviderIdentities.AsEnumerable());
    }

    [Theory]
    [InlineData("short", "Password must be between 8 and 128 characters long.")]
    [InlineData("password", "This password is too common. Please choose a password that is harder to guess.")]
    public async Task Register_refuses_a_password_that_breaks_policy(string password, string message)
    {
        var identity = NewIdentityGrain();

        var error = await Assert.ThrowsAsync<CustomersException>(() => identity.RegisterEmailPasswordAsync(TestData.NewEmail(), password));

        Assert.Equal(ErrorKind.InvalidData, error.Kind);
        Assert.Equal(message, error.Message);
        Assert.Null(await identity.GetAsync());
    }

    [Fact]
    public async Task Registering_an_existing_identity_again_is_a_conflict()
    {
        var identity = await RegisteredAsync();

        var error = await Assert.ThrowsAsync<CustomersException>(() => identity.RegisterEmailPasswordAsync(TestData.NewEmail(), TestData.Password));

        Assert.Equal(ErrorKind.Conflict, error.Kind);
    }

    [Fact]
    public async Task Registering_a_taken_email_is_unauthorized_and_leaves_no_identity()
    {
        var email = TestData.NewEmail();
        var first = await RegisteredAsync(email);
        var second = NewIdentityGrain();

        var error = await Assert.ThrowsAsync<CustomersException>(() => second.RegisterEmailPasswordAsync(email, TestData.Password));

        Assert.Equal(ErrorKind.Unauthorized, error.Kind);
        Assert.Equal("Identity with email already exists", error.Message);
        Assert.Null(await second.GetAsync());
        Assert.Null(await Db.StoredStateAsync(fixture.ConnectionString, StateNames.AuthIdentity, second.GetPrimaryKeyString()));
        Assert.Equal(first.GetPrimaryKeyString(), await Db.ScalarAsync<string>(fixture.ConnectionString,
            "SELECT string_agg(auth_identity_id, ',') FROM provider_identity WHERE entity_id = $1", email));
    }

    [Fact]
    public async Task Verify_accepts_the_right_password_only()
    {
        var identity = await RegisteredAsync();

        var wrong = await identity.VerifyPasswordAsync(WrongPassword);
        var right = await identity.VerifyPasswordAsync(TestData.Password);

        Assert.False(wrong.Succeeded);
        Assert.Null(wrong.Identity);
        Assert.True(right.Succeeded);
        Assert.Equal(identity.GetPrimaryKeyString(), right.Identity!.Id);
        Assert.False((await identity.VerifyPasswordAsync(TestData.Password + " ")).Succeeded); // verified exactly as typed
    }

    [Fact]
    public async Task Verify_on_an_unknown_identity_fails()
    {
        var result = await NewIdentityGrain().VerifyPasswordAsync(TestData.Password);

        Assert.False(result.Succeeded);
        Assert.Null(result.Identity);
    }

    [Fact]
    public async Task Ten_failures_lock_the_account_for_60_seconds_even_for_the_right_password()
    {
        var identity = await RegisteredAsync();

        await FailAsync(identity, 10);

        var locked = await identity.VerifyPasswordAsync(TestData.Password);
        Assert.False(locked.Succeeded);
        Assert.True(locked.Locked); // for the host's metrics only: the client's answer is the same
        Assert.Null(locked.Identity);
        fixture.Clock.Advance(TimeSpan.FromSeconds(59));
        Assert.False((await identity.VerifyPasswordAsync(TestData.Password)).Succeeded);
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        Assert.True((await identity.VerifyPasswordAsync(TestData.Password)).Succeeded);
    }

    [Fact]
    public async Task Nine_failures_do_not_lock()
    {
        var identity = await RegisteredAsync();

        await FailAsync(identity, 9);

        Assert.True((await identity.VerifyPasswordAsync(TestData.Password)).Succeeded);
    }

    [Fact]
    public async Task A_successful_login_resets_the_failure_count()
    {
        var identity = await RegisteredAsync();
        await FailAsync(identity, 9);
        Assert.True((await identity.VerifyPasswordAsync(TestData.Password)).Succeeded);

        await FailAsync(identity, 9);

        Assert.True((await identity.VerifyPasswordAsync(TestData.Password)).Succeeded);
    }

    [Fact]
    public async Task Each_further_failure_doubles_the_lock_up_to_15_minutes()
    {
        var identity = await RegisteredAsync();
        await FailAsync(identity, 10);

        TimeSpan[] locks = [TimeSpan.FromSeconds(60), TimeSpan.FromSeconds(120), TimeSpan.FromSeconds(240), TimeSpan.FromSeconds(480), TimeSpan.FromMinutes(15)];
        for (var i = 0; i < locks.Length; i++)
        {
            fixture.Clock.Advance(locks[i] - TimeSpan.FromSeconds(1));
            Assert.False((await identity.VerifyPasswordAsync(TestData.Password)).Succeeded, $"still locked 1 s before the end of lock {i + 1}");
            fixture.Clock.Advance(TimeSpan.FromSeconds(1));
            if (i < locks.Length - 1)
            {
                await FailAsync(identity, 1); // the first failure after a lock locks again, twice as long
            }
        }

        Assert.True((await identity.VerifyPasswordAsync(TestData.Password)).Succeeded);
    }

    [Fact]
    public async Task The_lock_is_persisted_and_survives_deactivation()
    {
        var identity = await RegisteredAsync();
        await FailAsync(identity, 10);

        await fixture.DeactivateAsync(identity);

        Assert.False((await identity.VerifyPasswordAsync(TestData.Password)).Succeeded);
        fixture.Clock.Advance(TimeSpan.FromSeconds(60));
        Assert.True((await identity.VerifyPasswordAsync(TestData.Password)).Succeeded);
    }

    [Fact]
    public async Task Failures_counted_before_deactivation_still_count_after_it()
    {
        var identity = await RegisteredAsync();
        await FailAsync(identity, 5);
        await fixture.DeactivateAsync(identity);

        await FailAsync(identity, 5);

        Assert.False((await identity.VerifyPasswordAsync(TestData.Password)).Succeeded);
    }

    [Fact]
    public async Task Create_customer_makes_an_account_customer_and_links_it()
    {
        var identity = await RegisteredAsync();
        var email = TestData.NewEmail();

        var customer = await identity.CreateCustomerAsync(TestData.Customer(email, hasAccount: true));

        Assert.StartsWith("cus_", customer.Id);
        Assert.True(customer.HasAccount);
        AssertJsonEqual($$"""{"customer_id":"{{customer.Id}}"}""", (await identity.GetAsync())!.AppMetadataJson);
        Assert.Equal(email, (await fixture.Client.GetGrain<ICustomerGrain>(customer.Id).GetAsync())!.Email);
        Assert.Equal(customer.Id, await Db.ScalarAsync<string>(fixture.ConnectionString,
            "SELECT app_metadata ->> 'customer_id' FROM auth_identity WHERE id = $1", identity.GetPrimaryKeyString()));
    }

    [Fact]
    public async Task A_second_create_customer_is_invalid_data_and_creates_nothing()
    {
        var identity = await RegisteredAsync();
        var first = await identity.CreateCustomerAsync(TestData.Customer(hasAccount: true));
        var email = TestData.NewEmail();

        var error = await Assert.ThrowsAsync<CustomersException>(() => identity.CreateCustomerAsync(TestData.Customer(email, hasAccount: true)));

        Assert.Equal(ErrorKind.InvalidData, error.Kind);
        Assert.Equal("Identity is already linked to a customer.", error.Message);
        Assert.Equal(0L, await Db.ScalarAsync<long>(fixture.ConnectionString, "SELECT count(*) FROM customer WHERE email = $1", email));
        AssertJsonEqual($$"""{"customer_id":"{{first.Id}}"}""", (await identity.GetAsync())!.AppMetadataJson);
    }

    [Fact]
    public async Task Create_customer_for_an_unknown_identity_is_not_found_and_creates_nothing()
    {
        var identity = NewIdentityGrain();
        var email = TestData.NewEmail();

        var error = await Assert.ThrowsAsync<CustomersException>(() => identity.CreateCustomerAsync(TestData.Customer(email, hasAccount: true)));

        Assert.Equal(ErrorKind.NotFound, error.Kind);
        Assert.Equal($"AuthIdentity with id: {identity.GetPrimaryKeyString()} was not found", error.Message);
        Assert.Equal(0L, await Db.ScalarAsync<long>(fixture.ConnectionString, "SELECT count(*) FROM customer WHERE email = $1", email));
    }

    [Fact]
    public async Task Create_customer_with_a_taken_account_email_fails_and_leaves_the_identity_unlinked()
    {
        var email = TestData.NewEmail();
        await (await RegisteredAsync()).CreateCustomerAsync(TestData.Customer(email, hasAccount: true));
        var identity = await RegisteredAsync();

        var error = await Assert.ThrowsAsync<CustomersException>(() => identity.CreateCustomerAsync(TestData.Customer(email, hasAccount: true)));

        Assert.Equal(ErrorKind.UniqueViolation, error.Kind);
        Assert.Equal("{}", (await identity.GetAsync())!.AppMetadataJson);
        Assert.Equal(1L, await Db.ScalarAsync<long>(fixture.ConnectionString, "SELECT count(*) FROM customer WHERE email = $1", email));
    }

    [Fact]
    public async Task Sign_up_is_linked_by_the_customer_write_alone_and_the_link_survives_reactivation()
    {
        var identity = await RegisteredAsync();
        var versionBefore = await StoredVersionAsync(identity);

        var customer = await identity.CreateCustomerAsync(TestData.Customer(hasAccount: true));

        Assert.Equal(versionBefore, await StoredVersionAsync(identity));
        Assert.Equal(customer.Id, await Db.ScalarAsync<string>(fixture.ConnectionString,
            "SELECT app_metadata ->> 'customer_id' FROM auth_identity WHERE id = $1", identity.GetPrimaryKeyString()));
        await fixture.DeactivateAsync(identity);
        AssertJsonEqual($$"""{"customer_id":"{{customer.Id}}"}""", (await identity.GetAsync())!.AppMetadataJson);
        var error = await Assert.ThrowsAsync<CustomersException>(() => identity.CreateCustomerAsync(TestData.Customer(hasAccount: true)));
        Assert.Equal(ErrorKind.InvalidData, error.Kind);
    }

    /// <summary>
    /// The identity's write is made to fail for real: its stored row is moved to a newer version behind the grain's
    /// back (as another activation's write would), so the write hits a stale ETag and the grain re-reads a state that
    /// does not hold the link yet.
    /// </summary>
    [Fact]
    public async Task A_failed_identity_write_after_sign_up_keeps_the_link_and_the_next_write_stores_it()
    {
        var identity = await RegisteredAsync();
        var customer = await identity.CreateCustomerAsync(TestData.Customer(hasAccount: true));
        var bumped = await Db.ExecuteAsync(fixture.ConnectionString,
            "UPDATE orleansstorage SET version = version + 1 WHERE graintypestring = $1 AND grainidextensionstring = $2",
            StateNames.AuthIdentity, identity.GetPrimaryKeyString());
        Assert.Equal(1, bumped);

        var error = await Assert.ThrowsAsync<CustomersException>(() => identity.VerifyPasswordAsync("wrong-password"));

        Assert.Equal(ErrorKind.Conflict, error.Kind);
        AssertJsonEqual($$"""{"customer_id":"{{customer.Id}}"}""", (await identity.GetAsync())!.AppMetadataJson);

        Assert.False((await identity.VerifyPasswordAsync("wrong-password")).Succeeded);
        var stored = JsonNode.Parse((await Db.StoredStateAsync(fixture.ConnectionString, StateNames.AuthIdentity, identity.GetPrimaryKeyString()))!)!;
        Assert.Equal(customer.Id, (string?)stored["app_metadata"]?["customer_id"]);
    }

    [Fact]
    public async Task Unlinking_a_deleted_sign_up_customer_after_reactivation_deletes_the_identity()
    {
        var identity = await RegisteredAsync();
        var customer = await identity.CreateCustomerAsync(TestData.Customer(hasAccount: true));
        await fixture.Client.GetGrain<ICustomerGrain>(customer.Id).DeleteAsync();
        await fixture.DeactivateAsync(identity);

        Assert.Null(await identity.UnlinkActorAsync("customer", customer.Id));

        Assert.Null(await identity.GetAsync());
        Assert.Equal(0L, await Db.ScalarAsync<long>(fixture.ConnectionString,
            "SELECT count(*) FROM auth_identity WHERE id = $1", identity.GetPrimaryKeyString()));
    }

    private Task<int?> StoredVersionAsync(IAuthIdentityGrain identity) =>
        Db.StoredVersionAsync(fixture.ConnectionString, StateNames.AuthIdentity, identity.GetPrimaryKeyString());

    [Fact]
    public async Task Revoke_tokens_sets_tokens_valid_after_and_publishes_a_revocation()
    {
        var identity = await RegisteredAsync();
        fixture.Clock.Advance(TimeSpan.FromSeconds(3));

        var validAfter = await identity.RevokeTokensAsync();

        Assert.Equal(fixture.Clock.GetUtcNow(), validAfter);
        Assert.Equal(validAfter, (await identity.GetAsync())!.TokensValidAfter);
        var firstSequence = await RevocationSequenceAsync(identity);
        Assert.NotNull(firstSequence);
        Assert.Equal(validAfter.UtcDateTime, await Db.ScalarAsync<DateTime>(fixture.ConnectionString,
            "SELECT tokens_valid_after FROM auth_identity WHERE id = $1", identity.GetPrimaryKeyString()));

        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        await identity.RevokeTokensAsync();

        Assert.True(await RevocationSequenceAsync(identity) > firstSequence);
    }

    [Fact]
    public async Task Revoke_tokens_of_an_unknown_identity_is_not_found()
    {
        var identity = NewIdentityGrain();

        var error = await Assert.ThrowsAsync<CustomersException>(identity.RevokeTokensAsync);

        Assert.Equal(ErrorKind.NotFound, error.Kind);
    }

    private static async Task FailAsync(IAuthIdentityGrain identity, int times)
    {
        for (var i = 0; i < times; i++)
        {
            Assert.False((await identity.VerifyPasswordAsync(WrongPassword)).Succeeded);
        }
    }

    private Task<long?> RevocationSequenceAsync(IAuthIdentityGrain identity) => Db.ScalarAsync<long?>(
        fixture.ConnectionString, "SELECT revocation_seq FROM auth_identity WHERE id = $1", identity.GetPrimaryKeyString());
}
