using Customers.Testing;
using System.Text.Json.Nodes;
using Customers.Abstractions;
using Customers.Abstractions.Auth;
using Customers.Abstractions.Customers;
using Customers.Grains.Storage;
using Xunit;

namespace Customers.Grains.Tests;

/// <summary>
/// The stored JSON is a contract twice over: the grains read it back after deactivation, and the read-model trigger in
/// deploy/sql reads its key names. Changing serializer or naming would silently blank old rows, so both are pinned.
/// </summary>
[Collection(GrainClusterCollection.Name)]
public sealed class StoredStateTests(GrainClusterFixture fixture)
{
    private static readonly string[] CustomerKeys =
    [
        "id", "email", "company_name", "first_name", "last_name", "phone", "has_account", "metadata", "created_by",
        "sign_up_identity_id", "created_at", "updated_at", "deleted_at", "addresses",
    ];

    private static readonly string[] AddressKeys =
    [
        "id", "address_name", "is_default_shipping", "is_default_billing", "company", "first_name", "last_name",
        "address_1", "address_2", "city", "country_code", "province", "postal_code", "phone", "metadata", "created_at",
        "updated_at",
    ];

    private static readonly string[] IdentityKeys =
    [
        "id", "app_metadata", "provider_identities", "failed_logins", "locked_until", "tokens_valid_after", "created_at",
        "updated_at", "password_reset", "kept_credential", "mfa", "verifications", "pending_customer_id",
    ];

    private static readonly string[] ProviderIdentityKeys = ["id", "provider", "entity_id", "user_metadata", "password_hash"];

    [Fact]
    public async Task A_customer_reads_back_unchanged_after_deactivation()
    {
        var grain = fixture.Client.GetGrain<ICustomerGrain>(TestData.NewCustomerId());
        await grain.CreateAsync(TestData.Customer(hasAccount: true, metadataJson: """{"tier":"gold","n":1.5,"nested":{"x":[1,"y",null]},"empty":""}"""));
        fixture.Clock.Advance(TimeSpan.FromMilliseconds(1234));
        await grain.AddAddressAsync(TestData.Address("Aarhus", defaultShipping: true, metadataJson: Optional<string>.Of("""{"gate":"B"}""")));
        fixture.Clock.Advance(TimeSpan.FromMilliseconds(1));
        await grain.AddAddressAsync(TestData.Address("Odense", defaultBilling: true));
        var before = (await grain.GetAsync())!;

        await fixture.DeactivateAsync(grain);
        var after = (await grain.GetAsync())!;

        Assert.Equal(before, after, SnapshotComparer.Instance);
        Assert.Equal(before.Addresses, after.Addresses, SnapshotComparer.Address);
        Assert.Equal(2, after.Addresses.Length);
    }

    [Fact]
    public async Task Customer_state_is_stored_as_snake_case_json()
    {
        var grain = fixture.Client.GetGrain<ICustomerGrain>(TestData.NewCustomerId());
        var customer = await grain.CreateAsync(TestData.Customer(hasAccount: true, metadataJson: """{"a":1}"""));
        await grain.AddAddressAsync(TestData.Address(defaultShipping: true));

        var stored = JsonNode.Parse((await Db.StoredStateAsync(fixture.ConnectionString, StateNames.Customer, customer.Id))!)!.AsObject();

        Assert.Equal(CustomerKeys.Order(), stored.Select(p => p.Key).Order());
        Assert.Equal(customer.Id, (string?)stored["id"]);
        Assert.True((bool)stored["has_account"]!);
        Assert.IsType<JsonObject>(stored["metadata"]); // an object, not a JSON string inside JSON
        var address = Assert.Single(stored["addresses"]!.AsArray())!.AsObject();
        Assert.Equal(AddressKeys.Order(), address.Select(p => p.Key).Order());
        Assert.True((bool)address["is_default_shipping"]!);
        Assert.Equal("Main street 1", (string?)address["address_1"]);
    }

    [Fact]
    public async Task Identity_state_is_stored_as_snake_case_json_and_its_hash_stays_out_of_the_read_model()
    {
        var identity = fixture.Client.GetGrain<IAuthIdentityGrain>(TestData.NewIdentityId());
        var email = TestData.NewEmail();
        await identity.RegisterEmailPasswordAsync(email, TestData.Password);
        await identity.VerifyPasswordAsync("wrong password here");

        var stored = JsonNode.Parse((await Db.StoredStateAsync(
            fixture.ConnectionString, StateNames.AuthIdentity, identity.GetPrimaryKeyString()))!)!.AsObject();

        Assert.Equal(IdentityKeys.Order(), stored.Select(p => p.Key).Order());
        Assert.Equal(1, (int)stored["failed_logins"]!);
        var provider = Assert.Single(stored["provider_identities"]!.AsArray())!.AsObject();
        Assert.Equal(ProviderIdentityKeys.Order(), provider.Select(p => p.Key).Order());
        Assert.Equal(("emailpass", email), ((string?)provider["provider"], (string?)provider["entity_id"]));
        Assert.StartsWith("$2", (string?)provider["password_hash"]); // bcrypt
        Assert.DoesNotContain(TestData.Password, stored.ToJsonString());
        Assert.Equal(0L, await Db.ScalarAsync<long>(
            fixture.ConnectionString,
            "SELECT count(*) FROM information_schema.columns WHERE table_name IN ('provider_identity', 'auth_identity') AND column_name LIKE '%password%'"));
    }

    [Fact]
    public async Task An_identity_reads_back_unchanged_after_deactivation()
    {
        var identity = fixture.Client.GetGrain<IAuthIdentityGrain>(TestData.NewIdentityId());
        await identity.RegisterEmailPasswordAsync(TestData.NewEmail(), TestData.Password);
        await identity.CreateCustomerAsync(TestData.Customer(hasAccount: true));
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        await identity.RevokeTokensAsync();
        var before = (await identity.GetAsync())!;

        await fixture.DeactivateAsync(identity);
        var after = (await identity.GetAsync())!;

        Assert.Equal((before.Id, before.AppMetadataJson, before.TokensValidAfter, before.CreatedAt, before.UpdatedAt),
            (after.Id, after.AppMetadataJson, after.TokensValidAfter, after.CreatedAt, after.UpdatedAt));
        Assert.Equal(before.ProviderIdentities.AsEnumerable(), after.ProviderIdentities.AsEnumerable());
        Assert.True((await identity.VerifyPasswordAsync(TestData.Password)).Succeeded); // the hash survived too
    }

    /// <summary>Records hold ImmutableArrays, which compare by reference; compare the scalar parts by value.</summary>
    private sealed class SnapshotComparer : IEqualityComparer<CustomerSnapshot>
    {
        public static readonly SnapshotComparer Instance = new();
        public static readonly IEqualityComparer<AddressSnapshot> Address = EqualityComparer<AddressSnapshot>.Default;

        public bool Equals(CustomerSnapshot? x, CustomerSnapshot? y) =>
            x is not null && y is not null
            && (x.Id, x.Email, x.CompanyName, x.FirstName, x.LastName, x.Phone, x.HasAccount, x.CreatedBy, x.SignUpIdentityId, x.CreatedAt, x.UpdatedAt, x.DeletedAt)
            == (y.Id, y.Email, y.CompanyName, y.FirstName, y.LastName, y.Phone, y.HasAccount, y.CreatedBy, y.SignUpIdentityId, y.CreatedAt, y.UpdatedAt, y.DeletedAt)
            && JsonNode.DeepEquals(x.MetadataJson is null ? null : JsonNode.Parse(x.MetadataJson), y.MetadataJson is null ? null : JsonNode.Parse(y.MetadataJson));

        public int GetHashCode(CustomerSnapshot obj) => obj.Id.GetHashCode(StringComparison.Ordinal);
    }
}
