using Customers.Testing;
using Customers.Abstractions;
using Customers.Abstractions.Customers;
using Xunit;
using static Customers.Grains.Tests.CustomerGrainTests;

namespace Customers.Grains.Tests;

[Collection(GrainClusterCollection.Name)]
public sealed class CustomerAddressTests(GrainClusterFixture fixture)
{
    private async Task<ICustomerGrain> NewCustomerAsync()
    {
        var grain = fixture.Client.GetGrain<ICustomerGrain>(TestData.NewCustomerId());
        await grain.CreateAsync(TestData.Customer(hasAccount: true));
        return grain;
    }

    [Fact]
    public async Task Add_address_stores_its_fields_and_unset_flags_default_to_false()
    {
        var grain = await NewCustomerAsync();
        var customerBefore = (await grain.GetAsync())!;
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));

        var customer = await grain.AddAddressAsync(TestData.Address(metadataJson: Optional<string>.Of("""{"floor":3}""")));

        var address = Assert.Single(customer.Addresses);
        Assert.StartsWith("cuaddr_", address.Id);
        Assert.Equal(grain.GetPrimaryKeyString(), address.CustomerId);
        Assert.Equal(("Home", "Ada", "Lovelace", "Main street 1", "Copenhagen", "dk", "2100"),
            (address.AddressName, address.FirstName, address.LastName, address.Address1, address.City, address.CountryCode, address.PostalCode));
        Assert.Null(address.Address2);
        Assert.False(address.IsDefaultShipping);
        Assert.False(address.IsDefaultBilling);
        AssertJsonEqual("""{"floor":3}""", address.MetadataJson);
        Assert.Equal(fixture.Clock.GetUtcNow(), address.CreatedAt);
        Assert.Equal(fixture.Clock.GetUtcNow(), address.UpdatedAt);
        Assert.Equal(customerBefore.UpdatedAt, customer.UpdatedAt); // an address is its own row
        Assert.Equal(1L, await CountAsync("SELECT count(*) FROM customer_address WHERE id = $1", address.Id));
    }

    [Fact]
    public async Task A_new_default_shipping_address_takes_the_flag_and_billing_is_independent()
    {
        var grain = await NewCustomerAsync();
        var first = (await grain.AddAddressAsync(TestData.Address("Aarhus", defaultShipping: true, defaultBilling: true))).Addresses.Single();

        var customer = await grain.AddAddressAsync(TestData.Address("Odense", defaultShipping: true));

        var second = customer.Addresses.Single(a => a.Id != first.Id);
        Assert.True(second.IsDefaultShipping);
        Assert.False(second.IsDefaultBilling);
        Assert.False(customer.Addresses.Single(a => a.Id == first.Id).IsDefaultShipping);
        Assert.True(customer.Addresses.Single(a => a.Id == first.Id).IsDefaultBilling);
        Assert.Equal(second.Id, await DefaultInReadModelAsync(grain, "is_default_shipping"));
        Assert.Equal(first.Id, await DefaultInReadModelAsync(grain, "is_default_billing"));
    }

    [Fact]
    public async Task Updating_an_address_to_default_moves_the_flag_and_false_touches_no_other_address()
    {
        var grain = await NewCustomerAsync();
        var first = (await grain.AddAddressAsync(TestData.Address("Aarhus", defaultShipping: true, defaultBilling: true))).Addresses.Single();
        var second = (await grain.AddAddressAsync(TestData.Address("Odense"))).Addresses.Single(a => a.Id != first.Id);

        var customer = await grain.UpdateAddressAsync(second.Id, TestData.Address("Vejle", defaultBilling: true));

        Assert.Equal("Vejle", customer.Addresses.Single(a => a.Id == second.Id).City);
        Assert.Equal([second.Id], customer.Addresses.Where(a => a.IsDefaultBilling).Select(a => a.Id));
        Assert.Equal([first.Id], customer.Addresses.Where(a => a.IsDefaultShipping).Select(a => a.Id));
        Assert.Equal(second.Id, await DefaultInReadModelAsync(grain, "is_default_billing"));

        customer = await grain.UpdateAddressAsync(second.Id, TestData.Address("Vejle", defaultShipping: false));

        Assert.Equal([first.Id], customer.Addresses.Where(a => a.IsDefaultShipping).Select(a => a.Id));
        Assert.Equal([second.Id], customer.Addresses.Where(a => a.IsDefaultBilling).Select(a => a.Id));
    }

    [Fact]
    public async Task Address_update_merges_metadata_and_moves_only_its_own_updated_at()
    {
        var grain = await NewCustomerAsync();
        var address = (await grain.AddAddressAsync(TestData.Address(metadataJson: Optional<string>.Of("""{"a":1,"b":2}""")))).Addresses.Single();
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));

        var customer = await grain.UpdateAddressAsync(address.Id, TestData.NoAddressChange() with
        {
            MetadataJson = Optional<string>.Of("""{"a":"","c":{"d":1}}"""),
        });

        var updated = customer.Addresses.Single();
        AssertJsonEqual("""{"b":2,"c":{"d":1}}""", updated.MetadataJson);
        Assert.Equal("Copenhagen", updated.City);
        Assert.Equal(address.CreatedAt, updated.CreatedAt);
        Assert.Equal(fixture.Clock.GetUtcNow(), updated.UpdatedAt);
    }

    /// <summary>docs/medusa-compatibility.md §2.11: <c>updated_at</c> changes only when an update really changes
    /// something.</summary>
    [Fact]
    public async Task Address_update_that_changes_nothing_leaves_updated_at()
    {
        var grain = await NewCustomerAsync();
        var address = (await grain.AddAddressAsync(TestData.Address(metadataJson: Optional<string>.Of("""{"a":1}""")))).Addresses.Single();
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));

        var same = await grain.UpdateAddressAsync(address.Id, TestData.Address(metadataJson: Optional<string>.Of("{}")));

        Assert.Equal(address.UpdatedAt, same.Addresses.Single().UpdatedAt);
    }

    [Fact]
    public async Task Delete_address_removes_it_from_grain_and_read_model()
    {
        var grain = await NewCustomerAsync();
        var keep = (await grain.AddAddressAsync(TestData.Address("Aarhus"))).Addresses.Single();
        var drop = (await grain.AddAddressAsync(TestData.Address("Odense", defaultShipping: true))).Addresses.Single(a => a.Id != keep.Id);

        var customer = await grain.DeleteAddressAsync(drop.Id);

        Assert.Equal([keep.Id], customer.Addresses.Select(a => a.Id));
        Assert.Equal(0L, await CountAsync("SELECT count(*) FROM customer_address WHERE id = $1", drop.Id));
        await AssertNotFound($"Address with id: {drop.Id} was not found", () => grain.DeleteAddressAsync(drop.Id));
    }

    [Fact]
    public async Task Another_customers_address_is_not_found_and_stays_unchanged()
    {
        var owner = await NewCustomerAsync();
        var address = (await owner.AddAddressAsync(TestData.Address("Aarhus"))).Addresses.Single();
        var intruder = await NewCustomerAsync();

        await AssertNotFound($"Address with id: {address.Id} was not found",
            () => intruder.UpdateAddressAsync(address.Id, TestData.Address("Stolen")));
        await AssertNotFound($"Address with id: {address.Id} was not found", () => intruder.DeleteAddressAsync(address.Id));

        Assert.Equal("Aarhus", (await owner.GetAsync())!.Addresses.Single().City);
        Assert.Empty((await intruder.GetAsync())!.Addresses);
        Assert.Equal(owner.GetPrimaryKeyString(), await Db.ScalarAsync<string>(
            fixture.ConnectionString, "SELECT customer_id FROM customer_address WHERE id = $1", address.Id));
    }

    private Task<long> CountAsync(string sql, params object?[] parameters) =>
        Db.ScalarAsync<long>(fixture.ConnectionString, sql, parameters);

    private Task<string?> DefaultInReadModelAsync(ICustomerGrain grain, string flag) => Db.ScalarAsync<string>(
        fixture.ConnectionString,
        $"SELECT string_agg(id, ',') FROM customer_address WHERE customer_id = $1 AND {flag}",
        grain.GetPrimaryKeyString());
}
