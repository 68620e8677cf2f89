using Customers.Testing;
using System.Text.Json.Nodes;
using Customers.Abstractions;
using Customers.Abstractions.CustomerGroups;
using Customers.Abstractions.Errors;
using Customers.Abstractions.Ids;
using Customers.Grains.Storage;
using Xunit;

namespace Customers.Grains.Tests;

[Collection(GrainClusterCollection.Name)]
public sealed class CustomerGroupGrainTests(GrainClusterFixture fixture)
{
    private ICustomerGroupGrain NewGroupGrain() =>
        fixture.Client.GetGrain<ICustomerGroupGrain>(EntityId.New(EntityId.CustomerGroup, DateTimeOffset.UtcNow));

    private static string NewName() => $"group-{Guid.NewGuid():N}";

    [Fact]
    public async Task Create_then_get_returns_the_group_stamped_with_the_grain_clock()
    {
        var grain = NewGroupGrain();
        var name = NewName();
        var now = fixture.Clock.GetUtcNow();

        var created = await grain.CreateAsync(new CreateCustomerGroup(name, """{"a":"","b":null,"c":{"d":1}}""", "user_1"));
        var read = await grain.GetAsync();

        Assert.NotNull(read);
        Assert.Equal(created, read);
        Assert.Equal((grain.GetPrimaryKeyString(), name, "user_1", now, now, (DateTimeOffset?)null),
            (read.Id, read.Name, read.CreatedBy, read.CreatedAt, read.UpdatedAt, read.DeletedAt));
        AssertJsonEqual("""{"a":"","b":null,"c":{"d":1}}""", read.MetadataJson);
    }

    [Fact]
    public async Task Create_projects_the_group_into_the_read_model_in_the_same_write()
    {
        var grain = NewGroupGrain();
        var name = NewName();

        await grain.CreateAsync(new CreateCustomerGroup(name, """{"tier":"gold"}""", "apk_1"));

        var id = grain.GetPrimaryKeyString();
        Assert.Equal(name, await Db.ScalarAsync<string>(fixture.ConnectionString, "SELECT name FROM customer_group WHERE id = $1", id));
        Assert.Equal("apk_1", await Db.ScalarAsync<string>(fixture.ConnectionString, "SELECT created_by FROM customer_group WHERE id = $1", id));
        Assert.Equal("""{"tier": "gold"}""",
            await Db.ScalarAsync<string>(fixture.ConnectionString, "SELECT metadata::text FROM customer_group WHERE id = $1", id));
    }

    [Fact]
    public async Task State_is_stored_as_snake_case_json_under_its_own_state_name_and_survives_deactivation()
    {
        var grain = NewGroupGrain();
        var name = NewName();
        await grain.CreateAsync(new CreateCustomerGroup(name, null, null));

        var stored = JsonNode.Parse((await Db.StoredStateAsync(fixture.ConnectionString, StateNames.CustomerGroup, grain.GetPrimaryKeyString()))!)!;
        Assert.Equal(
            ["id", "name", "metadata", "created_by", "created_at", "updated_at", "deleted_at"],
            stored.AsObject().Select(p => p.Key));
        Assert.Equal("customergroup", StateNames.CustomerGroup);

        await fixture.DeactivateAsync(grain);
        Assert.Equal(name, (await grain.GetAsync())!.Name);
    }

    [Fact]
    public async Task An_empty_name_is_a_name()
    {
        // The only test that uses the empty name (every fixture has its own database).
        var grain = NewGroupGrain();

        var created = await grain.CreateAsync(new CreateCustomerGroup("", null, null));

        Assert.Equal("", created.Name);
    }

    [Fact]
    public async Task Create_on_an_existing_key_is_invalid_data()
    {
        var grain = NewGroupGrain();
        await grain.CreateAsync(new CreateCustomerGroup(NewName(), null, null));

        var error = await Assert.ThrowsAsync<CustomersException>(() => grain.CreateAsync(new CreateCustomerGroup(NewName(), null, null)));

        Assert.Equal(ErrorKind.InvalidData, error.Kind);
        Assert.Equal($"Customer group with id: {grain.GetPrimaryKeyString()} already exists.", error.Message);
    }

    [Fact]
    public async Task A_name_taken_by_a_live_group_fails_with_medusas_message_and_stores_nothing()
    {
        var name = NewName();
        await NewGroupGrain().CreateAsync(new CreateCustomerGroup(name, null, null));
        var second = NewGroupGrain();

        var error = await Assert.ThrowsAsync<CustomersException>(() => second.CreateAsync(new CreateCustomerGroup(name, null, null)));

        Assert.Equal(ErrorKind.UniqueViolation, error.Kind);
        Assert.Equal($"Customer group with name: {name}, already exists.", error.Message);
        Assert.Null(await second.GetAsync());
        Assert.Null(await Db.StoredStateAsync(fixture.ConnectionString, StateNames.CustomerGroup, second.GetPrimaryKeyString()));
        Assert.Equal(1L, await Db.ScalarAsync<long>(fixture.ConnectionString, "SELECT count(*) FROM customer_group WHERE name = $1", name));
    }

    [Fact]
    public async Task Names_are_case_sensitive()
    {
        var name = NewName();
        await NewGroupGrain().CreateAsync(new CreateCustomerGroup(name, null, null));

        var other = await NewGroupGrain().CreateAsync(new CreateCustomerGroup(name.ToUpperInvariant(), null, null));

        Assert.Equal(name.ToUpperInvariant(), other.Name);
    }

    [Fact]
    public async Task Update_renames_and_merges_metadata_with_medusas_rules()
    {
        var grain = NewGroupGrain();
        await grain.CreateAsync(new CreateCustomerGroup(NewName(), """{"data1":"value1","gone":"x","nested":{"a":1}}""", null));
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));
        var renamed = NewName();

        var updated = await grain.UpdateAsync(new UpdateCustomerGroup(
            Optional<string>.Of(renamed), Optional<string>.Of("""{"gone":"","kept_null":null,"nested":{"b":2},"metaKey1":"metaValue1"}""")));

        Assert.Equal(renamed, updated.Name);
        AssertJsonEqual("""{"data1":"value1","nested":{"b":2},"kept_null":null,"metaKey1":"metaValue1"}""", updated.MetadataJson);
        Assert.Equal(fixture.Clock.GetUtcNow(), updated.UpdatedAt);
        Assert.True(updated.UpdatedAt > updated.CreatedAt);
        Assert.Equal(renamed, await Db.ScalarAsync<string>(fixture.ConnectionString, "SELECT name FROM customer_group WHERE id = $1", updated.Id));
    }

    [Fact]
    public async Task An_update_that_changes_nothing_keeps_updated_at()
    {
        var grain = NewGroupGrain();
        var created = await grain.CreateAsync(new CreateCustomerGroup(NewName(), """{"a":1}""", null));
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));

        var same = await grain.UpdateAsync(new UpdateCustomerGroup(Optional<string>.Of(created.Name), Optional<string>.Of("{}")));
        var sameValue = await grain.UpdateAsync(new UpdateCustomerGroup(Optional<string>.Unset, Optional<string>.Of("""{"a":1}""")));

        Assert.Equal(created.UpdatedAt, same.UpdatedAt);
        Assert.Equal(created.UpdatedAt, sameValue.UpdatedAt);
    }

    [Fact]
    public async Task Metadata_null_clears_everything()
    {
        var grain = NewGroupGrain();
        await grain.CreateAsync(new CreateCustomerGroup(NewName(), """{"a":1}""", null));

        var updated = await grain.UpdateAsync(new UpdateCustomerGroup(Optional<string>.Unset, Optional<string>.Of(null)));

        Assert.Null(updated.MetadataJson);
        Assert.Null(await Db.ScalarAsync<string>(fixture.ConnectionString, "SELECT metadata::text FROM customer_group WHERE id = $1", updated.Id));
    }

    [Fact]
    public async Task Renaming_to_a_taken_name_fails_and_keeps_the_old_name_in_grain_and_read_model()
    {
        var taken = NewName();
        await NewGroupGrain().CreateAsync(new CreateCustomerGroup(taken, null, null));
        var grain = NewGroupGrain();
        var original = await grain.CreateAsync(new CreateCustomerGroup(NewName(), null, null));

        var error = await Assert.ThrowsAsync<CustomersException>(
            () => grain.UpdateAsync(new UpdateCustomerGroup(Optional<string>.Of(taken), Optional<string>.Unset)));

        Assert.Equal(ErrorKind.UniqueViolation, error.Kind);
        Assert.Equal($"Customer group with name: {taken}, already exists.", error.Message);
        Assert.Equal(original, await grain.GetAsync());
        Assert.Equal(original.Name, await Db.ScalarAsync<string>(fixture.ConnectionString, "SELECT name FROM customer_group WHERE id = $1", original.Id));
    }

    [Fact]
    public async Task A_null_name_is_invalid_data()
    {
        var grain = NewGroupGrain();
        await grain.CreateAsync(new CreateCustomerGroup(NewName(), null, null));

        var error = await Assert.ThrowsAsync<CustomersException>(
            () => grain.UpdateAsync(new UpdateCustomerGroup(Optional<string>.Of(null), Optional<string>.Unset)));

        Assert.Equal(ErrorKind.InvalidData, error.Kind);
    }

    [Fact]
    public async Task Delete_is_soft_frees_the_name_and_makes_the_group_unknown()
    {
        var grain = NewGroupGrain();
        var name = NewName();
        var created = await grain.CreateAsync(new CreateCustomerGroup(name, null, null));
        fixture.Clock.Advance(TimeSpan.FromSeconds(1));

        await grain.DeleteAsync();

        Assert.Null(await grain.GetAsync());
        var deletedAt = await Db.ScalarAsync<DateTime?>(fixture.ConnectionString, "SELECT deleted_at FROM customer_group WHERE id = $1", created.Id);
        Assert.Equal(fixture.Clock.GetUtcNow().UtcDateTime, deletedAt);
        var error = await Assert.ThrowsAsync<CustomersException>(
            () => grain.UpdateAsync(new UpdateCustomerGroup(Optional<string>.Of(NewName()), Optional<string>.Unset)));
        Assert.Equal(ErrorKind.NotFound, error.Kind);
        Assert.Equal($"Customer group with id: {created.Id} not found", error.Message);

        var reused = await NewGroupGrain().CreateAsync(new CreateCustomerGroup(name, null, null));
        Assert.Equal(name, reused.Name);
    }

    [Fact]
    public async Task Deleting_twice_or_deleting_a_missing_group_does_nothing()
    {
        var grain = NewGroupGrain();
        await grain.CreateAsync(new CreateCustomerGroup(NewName(), null, null));
        await grain.DeleteAsync();
        var version = await Db.StoredVersionAsync(fixture.ConnectionString, StateNames.CustomerGroup, grain.GetPrimaryKeyString());

        await grain.DeleteAsync();
        var missing = NewGroupGrain();
        await missing.DeleteAsync();

        Assert.Equal(version, await Db.StoredVersionAsync(fixture.ConnectionString, StateNames.CustomerGroup, grain.GetPrimaryKeyString()));
        Assert.Null(await Db.StoredStateAsync(fixture.ConnectionString, StateNames.CustomerGroup, missing.GetPrimaryKeyString()));
    }

    [Fact]
    public async Task Updating_a_missing_group_is_not_found()
    {
        var grain = NewGroupGrain();

        var error = await Assert.ThrowsAsync<CustomersException>(
            () => grain.UpdateAsync(new UpdateCustomerGroup(Optional<string>.Unset, Optional<string>.Of("""{"a":1}"""))));

        Assert.Equal(ErrorKind.NotFound, error.Kind);
        Assert.Null(await grain.GetAsync());
    }

    private static void AssertJsonEqual(string expected, string? actual) =>
        Assert.True(JsonNode.DeepEquals(JsonNode.Parse(expected), actual is null ? null : JsonNode.Parse(actual)), $"expected {expected}, got {actual}");
}
