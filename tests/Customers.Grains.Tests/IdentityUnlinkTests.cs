using Customers.Testing;
using Customers.Abstractions.Auth;
using Xunit;

namespace Customers.Grains.Tests;

/// <summary><see cref="IAuthIdentityGrain.UnlinkActorAsync"/>: what deleting a customer does to its login
/// (docs/medusa-compatibility.md §3.16).</summary>
[Collection(GrainClusterCollection.Name)]
public sealed class IdentityUnlinkTests(GrainClusterFixture fixture)
{
    [Fact]
    public async Task Unlinking_the_only_actor_deletes_the_identity_and_its_logins()
    {
        var email = TestData.NewEmail();
        var identity = fixture.Client.GetGrain<IAuthIdentityGrain>(TestData.NewIdentityId());
        await identity.RegisterEmailPasswordAsync(email, TestData.Password);
        await identity.LinkActorAsync("customer", "cus_1");

        var remaining = await identity.UnlinkActorAsync("customer", "cus_1");

        Assert.Null(remaining);
        Assert.Null(await identity.GetAsync());
        Assert.Equal(0L, await Db.ScalarAsync<long>(fixture.ConnectionString, "SELECT count(*) FROM provider_identity WHERE entity_id = $1", email));
        Assert.Equal(0L, await Db.ScalarAsync<long>(fixture.ConnectionString, "SELECT count(*) FROM auth_identity WHERE id = $1", identity.GetPrimaryKeyString()));
        Assert.False((await identity.VerifyPasswordAsync(TestData.Password)).Succeeded);
    }

    [Fact]
    public async Task Unlinking_keeps_an_identity_that_serves_another_actor_and_revokes_its_tokens()
    {
        var identity = fixture.Client.GetGrain<IAuthIdentityGrain>(TestData.NewIdentityId());
        await identity.RegisterEmailPasswordAsync(TestData.NewEmail(), TestData.Password);
        await identity.LinkActorAsync("user", "user_1");
        await identity.LinkActorAsync("customer", "cus_1");

        var remaining = await identity.UnlinkActorAsync("customer", "cus_1");

        Assert.NotNull(remaining);
        Assert.Equal("""{"user_id":"user_1","customer_id":null}""", remaining.AppMetadataJson);
        Assert.Equal(fixture.Clock.GetUtcNow(), remaining.TokensValidAfter);
        Assert.Equal(
            """{"user_id": "user_1", "customer_id": null}""",
            await Db.ScalarAsync<string>(fixture.ConnectionString, "SELECT app_metadata::text FROM auth_identity WHERE id = $1", remaining.Id));
        Assert.True((await identity.VerifyPasswordAsync(TestData.Password)).Succeeded);

        // The unlinked identity may be linked to a new customer later (a null link counts as unlinked).
        Assert.Contains("cus_2", (await identity.LinkActorAsync("customer", "cus_2")).AppMetadataJson);
    }

    [Fact]
    public async Task Unlinking_another_actor_changes_nothing()
    {
        var identity = fixture.Client.GetGrain<IAuthIdentityGrain>(TestData.NewIdentityId());
        await identity.RegisterEmailPasswordAsync(TestData.NewEmail(), TestData.Password);
        var linked = await identity.LinkActorAsync("customer", "cus_1");

        var remaining = await identity.UnlinkActorAsync("customer", "cus_other");

        Assert.Equal(linked.AppMetadataJson, remaining?.AppMetadataJson);
        Assert.Equal(linked.UpdatedAt, remaining?.UpdatedAt);
        Assert.Null(await fixture.Client.GetGrain<IAuthIdentityGrain>(TestData.NewIdentityId()).UnlinkActorAsync("customer", "cus_1"));
    }
}
