using Customers.Testing;
using System.Text.Json.Nodes;
using Customers.Abstractions;
using Customers.Abstractions.Customers;
using Customers.Abstractions.Errors;
using Customers.Grains.Storage;
using Xunit;

namespace Customers.Grains.Tests;

[Collection(GrainClusterCollection.Name)]
public sealed class CustomerGrainTests(GrainClusterFixture fixture)
{
    private ICustomerGrain NewCustomerGrain() => fixture.Client.GetGrain<ICustomerGrain>(TestData.NewCustomerId());

    [Fact]
    public async Task Create_then_get_returns_the_customer_stamped_with_the_grain_clock()
    {
        var grain = NewCustomerGrain();
        var email = TestData.NewEmail();
        var now = fixture.Clock.GetUtcNow();

        var created = await grain.CreateAsync(new CreateCustomer(email, "Acme", "Ada", "Lovelace", "+4512345678", null, true, "user_1"));
        var read = await grain.GetAsync();

        Assert.NotNull(read);
        Assert.Equal(grain.GetPrimaryKeyString(), read.Id);
        Assert.Equal((email, "Acme", "Ada", "Lovelace", "+4512345678", true, "user_1"),
            (read.Email, read.CompanyName, read.FirstName, read.LastName, read.Phone, read.HasAccount, read.CreatedBy));
        Assert.Null(read.MetadataJson);
        Assert.Equal(now, read.CreatedAt);
        Assert.Equal(now, read.UpdatedAt);
        Assert.Null(read.DeletedAt);
        Assert.Empty(read.Addresses);
        Assert.Equal(created.Id, read.Id);
    }

    [Fact]
    public async Task Create_stores_metadata_verbatim_including_empty_and_null_values()
    {
        var grain = NewCustomerGrain();

        await grain.CreateAsync(TestData.Customer(metadataJson: """{"a":"","b":null,"c":{"d":1}}"""));

        AssertJsonEqual("""{"a":"","b":null,"c":{"d":1}}""", (await grain.GetAsync())!.MetadataJson);
    }

    [Fact]
    public async Task A_change_after_reads_keeps_every_stored_field()
    {
        // Between changes the grain keeps only its snapshot and rebuilds its state from it: nothing may be lost.
        var grain = NewCustomerGrain();
        await grain.CreateAsync(TestData.Customer(metadataJson: """{"a":"é","n":[1,2.50],"o":{"p":null}}"""));
        await grain.AddAddressAsync(TestData.Address(defaultShipping: true, metadataJson: Optional<string>.Of("""{"door":"B"}""")));
        await grain.AddAddressAsync(TestData.Address(city: "Aarhus", defaultBilling: true));
        var before = (await grain.GetAsync())!;
        await grain.GetAsync();

        var unchanged = await grain.UpdateAsync(TestData.Update(firstName: Optional<string>.Of("Ada")));
        await grain.GetAsync();
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var changed = await grain.UpdateAsync(TestData.Update(firstName: Optional<string>.Of("Grace")));
        await fixture.DeactivateAsync(grain);
        var reloaded = (await grain.GetAsync())!;

        Assert.Equal(before with { Addresses = unchanged.Addresses }, unchanged);
        Assert.Equal(before.Addresses.ToArray(), unchanged.Addresses.ToArray());
        Assert.Equal("Grace", reloaded.FirstName);
        Assert.Equal(changed.UpdatedAt, reloaded.UpdatedAt);
        Assert.Equal(before with { FirstName = "Grace", UpdatedAt = changed.UpdatedAt, Addresses = reloaded.Addresses }, reloaded);
        Assert.Equal(before.Addresses.ToArray(), reloaded.Addresses.ToArray());
        AssertJsonEqual(before.MetadataJson, reloaded.MetadataJson);
        AssertJsonEqual("""{"door":"B"}""", reloaded.Addresses[0].MetadataJson);
    }

    [Fact]
    public async Task Create_on_an_existing_key_is_invalid_data()
    {
        var grain = NewCustomerGrain();
        await grain.CreateAsync(TestData.Customer());

        var error = await Assert.ThrowsAsync<CustomersException>(() => grain.CreateAsync(TestData.Customer()));

        Assert.Equal(ErrorKind.InvalidData, error.Kind);
        Assert.Equal($"Customer with id: {grain.GetPrimaryKeyString()} already exists.", error.Message);
    }

    [Fact]
    public async Task Unknown_customer_reads_as_null_and_every_change_is_not_found()
    {
        var grain = NewCustomerGrain();
        var expected = $"Customer with id: {grain.GetPrimaryKeyString()} was not found";

        Assert.Null(await grain.GetAsync());
        await AssertNotFound(expected, () => grain.UpdateAsync(TestData.Update(firstName: Optional<string>.Of("x"))));
        await AssertNotFound(expected, () => grain.AddAddressAsync(TestData.Address()));
        await AssertNotFound(expected, () => grain.UpdateAddressAsync("cuaddr_x", TestData.Address()));
        await AssertNotFound(expected, () => grain.DeleteAddressAsync("cuaddr_x"));
        await grain.DeleteAsync(); // deleting a missing customer does nothing
        Assert.Null(await grain.GetAsync());
        Assert.Null(await Db.StoredStateAsync(fixture.ConnectionString, StateNames.Customer, grain.GetPrimaryKeyString()));
    }

    [Fact]
    public async Task Update_of_a_field_moves_updated_at_and_keeps_created_at()
    {
        var grain = NewCustomerGrain();
        var created = await grain.CreateAsync(TestData.Customer());
        fixture.Clock.Advance(TimeSpan.FromSeconds(5));

        var updated = await grain.UpdateAsync(TestData.Update(firstName: Optional<string>.Of("Grace")));

        Assert.Equal("Grace", updated.FirstName);
        Assert.Equal("Lovelace", updated.LastName); // unset fields stay
        Assert.Equal(created.CreatedAt, updated.CreatedAt);
        Assert.Equal(fixture.Clock.GetUtcNow(), updated.UpdatedAt);
        Assert.Equal(updated.UpdatedAt, (await grain.GetAsync())!.UpdatedAt);
    }

    [Fact]
    public async Task Update_to_null_clears_a_field()
    {
        var grain = NewCustomerGrain();
        await grain.CreateAsync(TestData.Customer());

        var updated = await grain.UpdateAsync(new UpdateCustomer(default, Optional<string>.Of(null), default, default, Optional<string>.Of(null), default));

        Assert.Null(updated.CompanyName);
        Assert.Null(updated.Phone);
        Assert.Equal("Ada", updated.FirstName);
    }

    [Fact]
    public async Task Update_that_changes_nothing_leaves_updated_at_and_writes_nothing()
    {
        var grain = NewCustomerGrain();
        var created = await grain.CreateAsync(TestData.Customer(metadataJson: """{"a":1}"""));
        var version = await StoredVersionAsync(grain);
        fixture.Clock.Advance(TimeSpan.FromSeconds(5));

        var updated = await grain.UpdateAsync(new UpdateCustomer(
            Optional<string>.Of(created.Email), default, Optional<string>.Of("Ada"), default, default, Optional<string>.Of("""{"a":1}""")));
        var empty = await grain.UpdateAsync(TestData.Update(metadataJson: Optional<string>.Of("{}")));

        Assert.Equal(created.UpdatedAt, updated.UpdatedAt);
        Assert.Equal(created.UpdatedAt, empty.UpdatedAt);
        Assert.Equal(version, await StoredVersionAsync(grain));
    }

    /// <summary>docs/medusa-compatibility.md §2.13: the shallow merge, and whether <c>updated_at</c> moves.</summary>
    [Theory]
    [InlineData("""{"a":1}""", "{}", """{"a":1}""", false)]
    [InlineData(null, "{}", null, false)]
    [InlineData("""{"a":1,"b":2}""", """{"a":""}""", """{"b":2}""", true)]
    [InlineData("""{"a":1}""", """{"b":null}""", """{"a":1,"b":null}""", true)]
    [InlineData("""{"data1":"x"}""", """{"data1":null,"data2":"val2"}""", """{"data1":null,"data2":"val2"}""", true)]
    [InlineData("""{"b":{"c":1}}""", """{"b":{"d":2}}""", """{"b":{"d":2}}""", true)]
    [InlineData("""{"a":[1,2]}""", """{"a":[3]}""", """{"a":[3]}""", true)]
    [InlineData(null, """{"a":1}""", """{"a":1}""", true)]
    [InlineData(null, """{"a":""}""", "{}", true)]
    [InlineData("""{"a":1}""", null, null, true)]
    [InlineData(null, null, null, false)]
    [InlineData("""{"a":1,"b":"x"}""", """{"b":"x"}""", """{"a":1,"b":"x"}""", false)]
    [InlineData("""{"a":1}""", """{"missing":""}""", """{"a":1}""", false)]
    public async Task Metadata_update_merges_per_medusa_rules(string? initial, string? patch, string? expected, bool moves)
    {
        var grain = NewCustomerGrain();
        var created = await grain.CreateAsync(TestData.Customer(metadataJson: initial));
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));

        var updated = await grain.UpdateAsync(TestData.Update(metadataJson: Optional<string>.Of(patch)));

        AssertJsonEqual(expected, updated.MetadataJson);
        AssertJsonEqual(expected, (await grain.GetAsync())!.MetadataJson);
        Assert.Equal(moves ? fixture.Clock.GetUtcNow() : created.UpdatedAt, updated.UpdatedAt);
    }

    [Fact]
    public async Task Metadata_left_out_of_an_update_is_unchanged()
    {
        var grain = NewCustomerGrain();
        await grain.CreateAsync(TestData.Customer(metadataJson: """{"a":1}"""));

        var updated = await grain.UpdateAsync(TestData.Update(firstName: Optional<string>.Of("Grace")));

        AssertJsonEqual("""{"a":1}""", updated.MetadataJson);
    }

    [Fact]
    public async Task Soft_delete_hides_the_customer_and_frees_its_email()
    {
        var grain = NewCustomerGrain();
        var email = TestData.NewEmail();
        var created = await grain.CreateAsync(TestData.Customer(email, hasAccount: true));
        await grain.AddAddressAsync(TestData.Address());
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));

        await grain.DeleteAsync();

        Assert.Null(await grain.GetAsync());
        await AssertNotFound($"Customer with id: {created.Id} was not found",
            () => grain.UpdateAsync(TestData.Update(firstName: Optional<string>.Of("x"))));
        await AssertNotFound($"Customer with id: {created.Id} was not found", () => grain.AddAddressAsync(TestData.Address()));
        await grain.DeleteAsync(); // a second delete changes nothing
        Assert.Equal(fixture.Clock.GetUtcNow().UtcDateTime, await Db.ScalarAsync<DateTime>(
            fixture.ConnectionString, "SELECT deleted_at FROM customer WHERE id = $1", created.Id));
        Assert.Equal(0L, await Db.ScalarAsync<long>(fixture.ConnectionString,
            "SELECT count(*) FROM customer_address WHERE customer_id = $1 AND deleted_at IS NULL", created.Id));

        // Survives reactivation: the deletion was stored, not just remembered.
        await fixture.DeactivateAsync(grain);
        Assert.Null(await grain.GetAsync());

        // The unique (email, has_account) applies to live customers only.
        var again = NewCustomerGrain();
        Assert.Equal(email, (await again.CreateAsync(TestData.Customer(email, hasAccount: true))).Email);
    }

    [Fact]
    public async Task Duplicate_account_email_is_a_unique_violation_and_leaves_the_grain_empty()
    {
        var email = TestData.NewEmail();
        await NewCustomerGrain().CreateAsync(TestData.Customer(email, hasAccount: true));
        var second = NewCustomerGrain();

        var error = await Assert.ThrowsAsync<CustomersException>(() => second.CreateAsync(TestData.Customer(email, hasAccount: true)));

        Assert.Equal(ErrorKind.UniqueViolation, error.Kind);
        Assert.Equal($"Customer with email: {email}, has_account: true, already exists.", error.Message);
        Assert.Null(await second.GetAsync());
        Assert.Null(await Db.StoredStateAsync(fixture.ConnectionString, StateNames.Customer, second.GetPrimaryKeyString()));

        // The grain is usable afterwards: nothing of the refused create stuck to it.
        var other = TestData.NewEmail();
        Assert.Equal(other, (await second.CreateAsync(TestData.Customer(other, hasAccount: true))).Email);
    }

    [Fact]
    public async Task A_guest_and_an_account_may_share_an_email()
    {
        var email = TestData.NewEmail();
        await NewCustomerGrain().CreateAsync(TestData.Customer(email, hasAccount: true));

        var guest = await NewCustomerGrain().CreateAsync(TestData.Customer(email, hasAccount: false));

        Assert.False(guest.HasAccount);
        Assert.Equal(2L, await Db.ScalarAsync<long>(fixture.ConnectionString, "SELECT count(*) FROM customer WHERE email = $1", email));
    }

    [Fact]
    public async Task Update_to_a_taken_email_fails_and_keeps_the_previous_state_in_memory()
    {
        var taken = TestData.NewEmail();
        await NewCustomerGrain().CreateAsync(TestData.Customer(taken, hasAccount: true));
        var grain = NewCustomerGrain();
        var before = await grain.CreateAsync(TestData.Customer(hasAccount: true, metadataJson: """{"a":1}"""));
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));

        var error = await Assert.ThrowsAsync<CustomersException>(() => grain.UpdateAsync(new UpdateCustomer(
            Optional<string>.Of(taken), default, Optional<string>.Of("Grace"), default, default, Optional<string>.Of("""{"b":2}"""))));

        Assert.Equal(ErrorKind.UniqueViolation, error.Kind);
        Assert.Equal($"Customer with email: {taken}, has_account: true, already exists.", error.Message);
        var after = (await grain.GetAsync())!;
        Assert.Equal((before.Email, before.FirstName, before.UpdatedAt), (after.Email, after.FirstName, after.UpdatedAt));
        AssertJsonEqual("""{"a":1}""", after.MetadataJson);

        // A later, valid change is based on the stored state, not on the refused one.
        var next = await grain.UpdateAsync(TestData.Update(metadataJson: Optional<string>.Of("""{"c":3}""")));
        Assert.Equal(before.Email, next.Email);
        Assert.Equal("Ada", next.FirstName);
        AssertJsonEqual("""{"a":1,"c":3}""", next.MetadataJson);
    }

    [Fact]
    public async Task Was_created_holds_from_the_create_on_through_deletion_and_reactivation()
    {
        var grain = NewCustomerGrain();
        Assert.False(await grain.WasCreatedAsync());

        await grain.CreateAsync(TestData.Customer());
        Assert.True(await grain.WasCreatedAsync());

        await grain.DeleteAsync();
        await fixture.DeactivateAsync(grain);
        Assert.Null(await grain.GetAsync());
        Assert.True(await grain.WasCreatedAsync());

        var refused = NewCustomerGrain();
        var taken = TestData.NewEmail();
        await NewCustomerGrain().CreateAsync(TestData.Customer(taken, hasAccount: true));
        await Assert.ThrowsAsync<CustomersException>(() => refused.CreateAsync(TestData.Customer(taken, hasAccount: true)));
        Assert.False(await refused.WasCreatedAsync());
    }

    internal static void AssertJsonEqual(string? expected, string? actual)
    {
        if (expected is null || actual is null)
        {
            Assert.Equal(expected, actual);
            return;
        }

        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), JsonNode.Parse(actual)), $"expected {expected}, got {actual}");
    }

    internal static async Task AssertNotFound(string message, Func<Task> action)
    {
        var error = await Assert.ThrowsAsync<CustomersException>(action);
        Assert.Equal(ErrorKind.NotFound, error.Kind);
        Assert.Equal(message, error.Message);
    }

    private Task<int?> StoredVersionAsync(ICustomerGrain grain) =>
        Db.StoredVersionAsync(fixture.ConnectionString, StateNames.Customer, grain.GetPrimaryKeyString());
}
