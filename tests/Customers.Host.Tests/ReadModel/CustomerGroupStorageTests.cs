using System.Text.Json.Nodes;
using Customers.Abstractions.Errors;
using Customers.Host.Stores;
using Customers.Host.Tests.OrleansStorage;
using Customers.Testing;
using Npgsql;
using Xunit;
using static Customers.Host.Tests.OrleansStorage.StateJson;

namespace Customers.Host.Tests.ReadModel;

/// <summary>
/// <c>deploy/sql/0008_customer_groups.sql</c>: the trigger keeps <c>customer_group</c> equal to the group grains' state
/// in the grain write's transaction, and the membership functions keep their promises, concurrency included. Lock
/// waits are shown with <c>lock_timeout</c> on the waiting side (it fails instead of waiting), never with sleeps.
/// </summary>
public sealed class CustomerGroupStorageTests(MigratedDatabaseFixture database) : IClassFixture<MigratedDatabaseFixture>, IDisposable
{
    private readonly OrleansStorageQueries _storage = new(database.ConnectionString);
    private readonly List<NpgsqlDataSource> _dataSources = [];

    private string ConnectionString => database.ConnectionString;

    [Fact]
    public async Task Group_state_is_projected_and_cleared_state_removes_the_group_with_its_memberships()
    {
        var group = NewId("cusgroup");
        var customer = await CustomerAsync();
        var key = GrainKey.ForString("customergroup", group);
        var version = await _storage.WriteAsync(key, null, Group(group, NewName(), metadata: new JsonObject { ["a"] = 1 }).ToJsonString());
        await Membership().ChangeCustomersOfGroupAsync(group, [customer], [], CancellationToken.None);

        var row = Assert.Single(await Db.RowsAsync(ConnectionString, "SELECT * FROM customer_group WHERE id = $1", group));
        Assert.Equal("user_1", row["created_by"]);
        Assert.Equal(Created.UtcDateTime, row["created_at"]);
        Assert.Null(row["deleted_at"]);
        Assert.Equal("""{"a": 1}""", await Db.ScalarAsync<string>(ConnectionString, "SELECT metadata::text FROM customer_group WHERE id = $1", group));

        await _storage.ClearAsync(key, version);

        Assert.Equal(0L, await Db.ScalarAsync<long>(ConnectionString, "SELECT count(*) FROM customer_group WHERE id = $1", group));
        Assert.Equal(0L, await Db.ScalarAsync<long>(ConnectionString, "SELECT count(*) FROM customer_group_customer WHERE customer_group_id = $1", group));
    }

    [Fact]
    public async Task A_customer_that_is_removed_outright_takes_its_memberships_along()
    {
        // A sign-up whose link failed is discarded: its grain state is cleared and the read model row deleted.
        var group = await GroupAsync();
        var customer = NewId("cus");
        var key = GrainKey.ForString("customer", customer);
        var version = await _storage.WriteAsync(key, null, Customer(customer, NewEmail()).ToJsonString());
        await Membership().ChangeCustomersOfGroupAsync(group, [customer], [], CancellationToken.None);

        await _storage.ClearAsync(key, version);

        Assert.Equal(0L, await Db.ScalarAsync<long>(ConnectionString, "SELECT count(*) FROM customer_group_customer WHERE customer_id = $1", customer));
    }

    [Fact]
    public async Task A_duplicate_live_name_rolls_back_the_grain_write()
    {
        var name = NewName();
        await GroupAsync(name);
        var second = NewId("cusgroup");

        var error = await Assert.ThrowsAsync<PostgresException>(
            () => _storage.WriteAsync(GrainKey.ForString("customergroup", second), null, Group(second, name).ToJsonString()));

        Assert.Equal(PostgresErrorCodes.UniqueViolation, error.SqlState);
        Assert.Equal($"Customer group with name: {name}, already exists.", error.MessageText);
        Assert.Null(await _storage.ReadAsync(GrainKey.ForString("customergroup", second)));
    }

    [Fact]
    public async Task Other_grains_writes_do_not_reach_the_group_projection()
    {
        var id = NewId("cusgroup");

        // A customer state under a group-like key: projected as a customer, not as a group.
        await _storage.WriteAsync(GrainKey.ForString("customer", id), null, Customer(id, NewEmail()).ToJsonString());

        Assert.Equal(0L, await Db.ScalarAsync<long>(ConnectionString, "SELECT count(*) FROM customer_group WHERE id = $1", id));
    }

    [Fact]
    public async Task A_group_gaining_members_cannot_be_deleted_until_that_change_commits()
    {
        var group = NewId("cusgroup");
        var key = GrainKey.ForString("customergroup", group);
        var version = await _storage.WriteAsync(key, null, Group(group, NewName()).ToJsonString());
        var customer = await CustomerAsync();

        await using var change = new NpgsqlConnection(ConnectionString);
        await change.OpenAsync();
        await using var transaction = await change.BeginTransactionAsync();
        await using (var add = new NpgsqlCommand("SELECT customer_group_change_customers($1, $2, $3, '{}', now())", change, transaction))
        {
            add.Parameters.Add(new NpgsqlParameter { Value = group });
            add.Parameters.Add(new NpgsqlParameter { Value = new[] { customer } });
            add.Parameters.Add(new NpgsqlParameter { Value = new[] { NewId("cusgc") } });
            await add.ExecuteNonQueryAsync();
        }

        // The grain's delete is a storage write whose trigger updates the group row: it has to wait.
        var impatient = new OrleansStorageQueries(WithLockTimeout(ConnectionString), _storage.ServiceId);
        var error = await Assert.ThrowsAsync<PostgresException>(
            () => impatient.WriteAsync(key, version, Group(group, NewName(), deletedAt: Created.AddMinutes(1)).ToJsonString()));

        Assert.Equal(PostgresErrorCodes.LockNotAvailable, error.SqlState);
        await transaction.CommitAsync();
        Assert.Equal(1L, await Db.ScalarAsync<long>(ConnectionString, "SELECT count(*) FROM customer_group_customer WHERE customer_group_id = $1", group));
    }

    [Fact]
    public async Task Members_wait_for_a_delete_in_flight_and_are_then_refused()
    {
        var group = await GroupAsync();
        var customer = await CustomerAsync();

        await using var delete = new NpgsqlConnection(ConnectionString);
        await delete.OpenAsync();
        await using var transaction = await delete.BeginTransactionAsync();
        await using (var softDelete = new NpgsqlCommand("UPDATE customer_group SET deleted_at = now() WHERE id = $1", delete, transaction))
        {
            softDelete.Parameters.Add(new NpgsqlParameter { Value = group });
            await softDelete.ExecuteNonQueryAsync();
        }

        var waiting = await Assert.ThrowsAsync<PostgresException>(
            () => Membership(WithLockTimeout(ConnectionString)).ChangeCustomersOfGroupAsync(group, [customer], [], CancellationToken.None));
        await transaction.CommitAsync();
        var refused = await Assert.ThrowsAsync<CustomersException>(
            () => Membership().ChangeCustomersOfGroupAsync(group, [customer], [], CancellationToken.None));

        Assert.Equal(PostgresErrorCodes.LockNotAvailable, waiting.SqlState);
        Assert.Equal(ErrorKind.NotFound, refused.Kind);
        Assert.Equal($"You tried to set relationship customer_group_id: {group}, but such entity does not exist", refused.Message);
        Assert.Equal(0L, await Db.ScalarAsync<long>(ConnectionString, "SELECT count(*) FROM customer_group_customer WHERE customer_group_id = $1", group));
    }

    [Fact]
    public async Task Both_directions_write_the_same_rows_stamped_with_the_given_clock()
    {
        var groups = new[] { await GroupAsync(), await GroupAsync() };
        var customer = await CustomerAsync();
        var clock = new Microsoft.Extensions.Time.Testing.FakeTimeProvider(Created.AddDays(1));

        await Membership(time: clock).ChangeGroupsOfCustomerAsync(customer, groups, [], CancellationToken.None);
        await Membership(time: clock).ChangeCustomersOfGroupAsync(groups[0], [customer], [], CancellationToken.None);

        var rows = await Db.RowsAsync(ConnectionString,
            "SELECT customer_group_id, created_at, updated_at FROM customer_group_customer WHERE customer_id = $1 ORDER BY customer_group_id", customer);
        Assert.Equal(groups.Order(StringComparer.Ordinal), rows.Select(r => (string)r["customer_group_id"]!));
        Assert.All(rows, r => Assert.Equal(clock.GetUtcNow().UtcDateTime, r["created_at"]));
        Assert.All(rows, r => Assert.Equal(clock.GetUtcNow().UtcDateTime, r["updated_at"]));
    }

    public void Dispose()
    {
        foreach (var dataSource in _dataSources)
        {
            dataSource.Dispose();
        }
    }

    private CustomerGroupMembership Membership(string? connectionString = null, TimeProvider? time = null)
    {
        var dataSource = NpgsqlDataSource.Create(connectionString ?? ConnectionString);
        _dataSources.Add(dataSource);
        return new CustomerGroupMembership(dataSource, time ?? TimeProvider.System);
    }

    private static string WithLockTimeout(string connectionString) =>
        new NpgsqlConnectionStringBuilder(connectionString) { Options = "-c lock_timeout=200", Pooling = false }.ConnectionString;

    private static string NewName() => $"group-{Guid.NewGuid():N}";

    private async Task<string> GroupAsync(string? name = null)
    {
        var id = NewId("cusgroup");
        await _storage.WriteAsync(GrainKey.ForString("customergroup", id), null, Group(id, name ?? NewName()).ToJsonString());
        return id;
    }

    private async Task<string> CustomerAsync()
    {
        var id = NewId("cus");
        await _storage.WriteAsync(GrainKey.ForString("customer", id), null, Customer(id, NewEmail()).ToJsonString());
        return id;
    }

    private static JsonObject Group(string id, string name, JsonObject? metadata = null, DateTimeOffset? deletedAt = null) => new()
    {
        ["id"] = id,
        ["name"] = name,
        ["metadata"] = metadata,
        ["created_by"] = "user_1",
        ["created_at"] = Iso(Created),
        ["updated_at"] = Iso(deletedAt ?? Created),
        ["deleted_at"] = deletedAt is null ? null : Iso(deletedAt.Value),
    };
}
