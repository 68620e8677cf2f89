using Customers.Host.Tests.OrleansStorage;
using Customers.Testing;
using Npgsql;
using Xunit;
using static Customers.Host.Tests.OrleansStorage.StateJson;

namespace Customers.Host.Tests.ReadModel;

/// <summary>The storage trigger keeps <c>customer</c> and <c>customer_address</c> equal to the customer grains' state,
/// in the grain write's own transaction.</summary>
public sealed class CustomerReadModelTests(MigratedDatabaseFixture database) : IClassFixture<MigratedDatabaseFixture>
{
    private readonly OrleansStorageQueries _storage = new(database.ConnectionString);

    private string ConnectionString => database.ConnectionString;

    [Fact]
    public async Task Customer_state_is_projected_into_customer_and_address_rows()
    {
        var id = NewId("cus");
        var email = NewEmail();
        var home = NewId("cuaddr");
        var work = NewId("cuaddr");
        var state = Customer(id, email, hasAccount: true, deletedAt: null,
            Address(home, defaultShipping: true), Address(work, defaultBilling: true, city: "Aarhus"));

        var version = await _storage.WriteAsync(GrainKey.ForString("customer", id), null, state.ToJsonString());

        Assert.Equal(1, version);
        var customer = Assert.Single(await Db.RowsAsync(ConnectionString, "SELECT * FROM customer WHERE id = $1", id));
        Assert.Equal(email, customer["email"]);
        Assert.Equal(true, customer["has_account"]);
        Assert.Equal("Acme", customer["company_name"]);
        Assert.Equal("Ada", customer["first_name"]);
        Assert.Equal("Lovelace", customer["last_name"]);
        Assert.Null(customer["phone"]);
        Assert.Null(customer["created_by"]);
        Assert.Null(customer["deleted_at"]);
        Assert.Equal(Created.UtcDateTime, customer["created_at"]);
        Assert.Equal("""{"tier": "gold"}""", await Db.ScalarAsync<string>(ConnectionString, "SELECT metadata::text FROM customer WHERE id = $1", id));

        var addresses = await Db.RowsAsync(ConnectionString, "SELECT * FROM customer_address WHERE customer_id = $1 ORDER BY city", id);
        Assert.Equal(new[] { work, home }, addresses.Select(a => (string)a["id"]!));
        Assert.Equal(new[] { false, true }, addresses.Select(a => (bool)a["is_default_shipping"]!));
        Assert.Equal(new[] { true, false }, addresses.Select(a => (bool)a["is_default_billing"]!));
        Assert.All(addresses, a =>
        {
            Assert.Equal("Main street 1", a["address_1"]);
            Assert.Equal("dk", a["country_code"]);
            Assert.Null(a["metadata"]);
            Assert.Null(a["deleted_at"]);
        });
    }

    [Fact]
    public async Task Updating_customer_state_replaces_its_address_set_and_moves_defaults()
    {
        var id = NewId("cus");
        var key = GrainKey.ForString("customer", id);
        var kept = NewId("cuaddr");
        var dropped = NewId("cuaddr");
        var added = NewId("cuaddr");
        var v1 = await _storage.WriteAsync(key, null,
            Customer(id, NewEmail(), false, null, Address(kept), Address(dropped, defaultShipping: true, defaultBilling: true)).ToJsonString());

        // The default moves from the dropped address to the kept one and a new address joins.
        var v2 = await _storage.WriteAsync(key, v1,
            Customer(id, NewEmail(), false, null, Address(kept, defaultShipping: true, defaultBilling: true, city: "Odense"), Address(added)).ToJsonString());

        Assert.Equal(2, v2);
        var addresses = await Db.RowsAsync(
            ConnectionString, "SELECT id, city, is_default_shipping, is_default_billing FROM customer_address WHERE customer_id = $1 ORDER BY id", id);
        Assert.Equal(new[] { kept, added }.Order(StringComparer.Ordinal), addresses.Select(a => (string)a["id"]!));
        var keptRow = addresses.Single(a => (string)a["id"]! == kept);
        Assert.Equal("Odense", keptRow["city"]);
        Assert.Equal(true, keptRow["is_default_shipping"]);
        Assert.Equal(true, keptRow["is_default_billing"]);
        Assert.Equal(0L, await Db.ScalarAsync<long>(ConnectionString, "SELECT count(*) FROM customer_address WHERE id = $1", dropped));
    }

    [Fact]
    public async Task Duplicate_account_email_rolls_back_the_grain_write()
    {
        var email = NewEmail();
        var first = NewId("cus");
        var second = NewId("cus");
        await _storage.WriteAsync(GrainKey.ForString("customer", first), null, Customer(first, email, hasAccount: true).ToJsonString());

        var error = await Assert.ThrowsAsync<PostgresException>(() =>
            _storage.WriteAsync(GrainKey.ForString("customer", second), null,
                Customer(second, email, true, null, Address(NewId("cuaddr"))).ToJsonString()));

        Assert.Equal(PostgresErrorCodes.UniqueViolation, error.SqlState);
        Assert.Equal($"Customer with email: {email}, has_account: true, already exists.", error.MessageText);
        Assert.Equal("ix_customer_email_has_account", error.ConstraintName);
        Assert.Null(await _storage.ReadAsync(GrainKey.ForString("customer", second)));
        Assert.Equal(0L, await Db.ScalarAsync<long>(ConnectionString, "SELECT count(*) FROM customer WHERE id = $1", second));
        Assert.Equal(0L, await Db.ScalarAsync<long>(ConnectionString, "SELECT count(*) FROM customer_address WHERE customer_id = $1", second));
    }

    [Fact]
    public async Task Duplicate_email_committed_by_a_concurrent_write_still_gets_the_medusa_message()
    {
        var email = NewEmail();
        var first = NewId("cus");
        var second = NewId("cus");
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var write = new NpgsqlCommand("SELECT orleans_storage_write($1, 'customer', 0, 0, 0, 0, $2, NULL, $3)", connection, transaction))
        {
            write.Parameters.Add(new NpgsqlParameter { Value = _storage.ServiceId });
            write.Parameters.Add(new NpgsqlParameter { Value = first });
            write.Parameters.Add(new NpgsqlParameter { Value = System.Text.Encoding.UTF8.GetBytes(Customer(first, email, true).ToJsonString()) });
            await write.ExecuteScalarAsync();
        }

        // Whether it arrives before or after the commit, the second write must fail the same way.
        var racing = _storage.WriteAsync(GrainKey.ForString("customer", second), null, Customer(second, email, true).ToJsonString());
        await transaction.CommitAsync();

        var error = await Assert.ThrowsAsync<PostgresException>(() => racing);
        Assert.Equal($"Customer with email: {email}, has_account: true, already exists.", error.MessageText);
        Assert.Null(await _storage.ReadAsync(GrainKey.ForString("customer", second)));
    }

    [Fact]
    public async Task Changing_email_to_a_taken_one_rolls_back_the_update()
    {
        var taken = NewEmail();
        var own = NewEmail();
        var other = NewId("cus");
        var id = NewId("cus");
        var key = GrainKey.ForString("customer", id);
        await _storage.WriteAsync(GrainKey.ForString("customer", other), null, Customer(other, taken).ToJsonString());
        var version = await _storage.WriteAsync(key, null, Customer(id, own).ToJsonString());

        var error = await Assert.ThrowsAsync<PostgresException>(() =>
            _storage.WriteAsync(key, version, Customer(id, taken).ToJsonString()));

        Assert.Equal($"Customer with email: {taken}, has_account: false, already exists.", error.MessageText);
        var stored = await _storage.ReadAsync(key);
        Assert.Equal(version, stored!.Version);
        Assert.Contains(own, stored.Json);
        Assert.Equal(own, await Db.ScalarAsync<string>(ConnectionString, "SELECT email FROM customer WHERE id = $1", id));
    }

    [Fact]
    public async Task Guest_and_account_customers_may_share_an_email_and_null_emails_never_collide()
    {
        var email = NewEmail();
        var guest = NewId("cus");
        var account = NewId("cus");
        var anonymous1 = NewId("cus");
        var anonymous2 = NewId("cus");

        await _storage.WriteAsync(GrainKey.ForString("customer", guest), null, Customer(guest, email, hasAccount: false).ToJsonString());
        await _storage.WriteAsync(GrainKey.ForString("customer", account), null, Customer(account, email, hasAccount: true).ToJsonString());
        await _storage.WriteAsync(GrainKey.ForString("customer", anonymous1), null, Customer(anonymous1, null).ToJsonString());
        await _storage.WriteAsync(GrainKey.ForString("customer", anonymous2), null, Customer(anonymous2, null).ToJsonString());

        Assert.Equal(4L, await Db.ScalarAsync<long>(
            ConnectionString, "SELECT count(*) FROM customer WHERE id = ANY($1)", (object)new[] { guest, account, anonymous1, anonymous2 }));
    }

    [Fact]
    public async Task Soft_deleting_a_customer_frees_its_email_and_soft_deletes_its_addresses()
    {
        var email = NewEmail();
        var id = NewId("cus");
        var key = GrainKey.ForString("customer", id);
        var address = NewId("cuaddr");
        var deletedAt = Created.AddDays(1);
        var version = await _storage.WriteAsync(key, null, Customer(id, email, true, null, Address(address)).ToJsonString());

        await _storage.WriteAsync(key, version, Customer(id, email, true, deletedAt, Address(address)).ToJsonString());

        Assert.Equal(deletedAt.UtcDateTime, await Db.ScalarAsync<DateTime>(ConnectionString, "SELECT deleted_at FROM customer WHERE id = $1", id));
        Assert.Equal(deletedAt.UtcDateTime, await Db.ScalarAsync<DateTime>(ConnectionString, "SELECT deleted_at FROM customer_address WHERE id = $1", address));
        var successor = NewId("cus");
        Assert.Equal(1, await _storage.WriteAsync(GrainKey.ForString("customer", successor), null, Customer(successor, email, true).ToJsonString()));
    }

    [Fact]
    public async Task Clearing_customer_state_removes_its_read_model_rows()
    {
        var id = NewId("cus");
        var key = GrainKey.ForString("customer", id);
        var version = await _storage.WriteAsync(key, null, Customer(id, NewEmail(), true, null, Address(NewId("cuaddr"))).ToJsonString());

        var cleared = await _storage.ClearAsync(key, version);

        Assert.Equal(version + 1, cleared);
        Assert.Null((await _storage.ReadAsync(key))!.Json);
        Assert.Equal(0L, await Db.ScalarAsync<long>(ConnectionString, "SELECT count(*) FROM customer WHERE id = $1", id));
        Assert.Equal(0L, await Db.ScalarAsync<long>(ConnectionString, "SELECT count(*) FROM customer_address WHERE customer_id = $1", id));
    }

    [Fact]
    public async Task Deleting_the_storage_row_removes_its_read_model_rows()
    {
        var id = NewId("cus");
        var key = GrainKey.ForString("customer", id);
        var version = await _storage.WriteAsync(key, null, Customer(id, NewEmail(), true, null, Address(NewId("cuaddr"))).ToJsonString());

        var result = await _storage.DeleteAsync(key, version);

        Assert.NotEqual(version, result);
        Assert.Null(await _storage.ReadAsync(key));
        Assert.Equal(0L, await Db.ScalarAsync<long>(ConnectionString, "SELECT count(*) FROM customer WHERE id = $1", id));
        Assert.Equal(0L, await Db.ScalarAsync<long>(ConnectionString, "SELECT count(*) FROM customer_address WHERE customer_id = $1", id));
    }

    [Fact]
    public async Task A_state_without_an_id_means_no_customer()
    {
        var id = NewId("cus");
        var key = GrainKey.ForString("customer", id);
        var version = await _storage.WriteAsync(key, null, Customer(id, NewEmail()).ToJsonString());
        var empty = Customer(id, null);
        empty["id"] = null;

        await _storage.WriteAsync(key, version, empty.ToJsonString());

        Assert.Equal(0L, await Db.ScalarAsync<long>(ConnectionString, "SELECT count(*) FROM customer WHERE id = $1", id));
    }
}
