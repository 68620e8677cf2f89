using Customers.Host.Tests.OrleansStorage;
using Customers.Testing;
using Npgsql;
using Xunit;
using static Customers.Host.Tests.OrleansStorage.StateJson;

namespace Customers.Host.Tests.ReadModel;

/// <summary>The storage trigger keeps <c>auth_identity</c> and <c>provider_identity</c> equal to the auth identity
/// grains' state, minus password hashes, in the grain write's own transaction.</summary>
public sealed class AuthIdentityReadModelTests(MigratedDatabaseFixture database) : IClassFixture<MigratedDatabaseFixture>
{
    private readonly OrleansStorageQueries _storage = new(database.ConnectionString);

    private string ConnectionString => database.ConnectionString;

    [Fact]
    public async Task Auth_identity_state_is_projected_into_identity_and_provider_rows()
    {
        var id = NewId("authid");
        var email = NewEmail();
        var provider = Provider(email, passwordHash: "$2a$11$abcdefghijklmnopqrstuv");

        await _storage.WriteAsync(GrainKey.ForString("authidentity", id), null, AuthIdentity(id, null, provider).ToJsonString());

        var identity = Assert.Single(await Db.RowsAsync(ConnectionString, "SELECT * FROM auth_identity WHERE id = $1", id));
        Assert.Null(identity["tokens_valid_after"]);
        Assert.Null(identity["revocation_seq"]);
        Assert.Equal(Created.UtcDateTime, identity["created_at"]);
        Assert.Equal("cus_x", await Db.ScalarAsync<string>(ConnectionString, "SELECT app_metadata ->> 'customer_id' FROM auth_identity WHERE id = $1", id));
        var row = Assert.Single(await Db.RowsAsync(ConnectionString, "SELECT * FROM provider_identity WHERE auth_identity_id = $1", id));
        Assert.Equal((string)provider["id"]!, row["id"]);
        Assert.Equal("emailpass", row["provider"]);
        Assert.Equal(email, row["entity_id"]);
        Assert.Equal("Ada", await Db.ScalarAsync<string>(ConnectionString, "SELECT user_metadata ->> 'name' FROM provider_identity WHERE auth_identity_id = $1", id));
    }

    [Fact]
    public async Task Duplicate_provider_identity_rolls_back_the_grain_write()
    {
        var email = NewEmail();
        var first = NewId("authid");
        var second = NewId("authid");
        await _storage.WriteAsync(GrainKey.ForString("authidentity", first), null, AuthIdentity(first, null, Provider(email)).ToJsonString());

        var error = await Assert.ThrowsAsync<PostgresException>(() =>
            _storage.WriteAsync(GrainKey.ForString("authidentity", second), null,
                AuthIdentity(second, Created, Provider(email)).ToJsonString()));

        Assert.Equal(PostgresErrorCodes.UniqueViolation, error.SqlState);
        Assert.Equal($"Provider identity with entity_id: {email}, provider: emailpass, already exists.", error.MessageText);
        Assert.Equal("ix_provider_identity_entity_provider", error.ConstraintName);
        Assert.Null(await _storage.ReadAsync(GrainKey.ForString("authidentity", second)));
        Assert.Equal(0L, await Db.ScalarAsync<long>(ConnectionString, "SELECT count(*) FROM auth_identity WHERE id = $1", second));
        Assert.Equal(0L, await Db.ScalarAsync<long>(ConnectionString, "SELECT count(*) FROM provider_identity WHERE auth_identity_id = $1", second));
    }

    [Fact]
    public async Task Duplicate_provider_identity_committed_by_a_concurrent_write_still_gets_the_medusa_message()
    {
        var email = NewEmail();
        var first = NewId("authid");
        var second = NewId("authid");
        await using var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();
        await using (var write = new NpgsqlCommand("SELECT orleans_storage_write($1, 'authidentity', 0, 0, 0, 0, $2, NULL, $3)", connection, transaction))
        {
            write.Parameters.Add(new NpgsqlParameter { Value = _storage.ServiceId });
            write.Parameters.Add(new NpgsqlParameter { Value = first });
            write.Parameters.Add(new NpgsqlParameter { Value = System.Text.Encoding.UTF8.GetBytes(AuthIdentity(first, null, Provider(email)).ToJsonString()) });
            await write.ExecuteScalarAsync();
        }

        var racing = _storage.WriteAsync(GrainKey.ForString("authidentity", second), null, AuthIdentity(second, null, Provider(email)).ToJsonString());
        await transaction.CommitAsync();

        var error = await Assert.ThrowsAsync<PostgresException>(() => racing);
        Assert.Equal($"Provider identity with entity_id: {email}, provider: emailpass, already exists.", error.MessageText);
        Assert.Equal(0L, await Db.ScalarAsync<long>(ConnectionString, "SELECT count(*) FROM auth_identity WHERE id = $1", second));
    }

    [Fact]
    public async Task The_same_provider_identity_twice_in_one_state_is_refused()
    {
        var id = NewId("authid");
        var email = NewEmail();

        var error = await Assert.ThrowsAsync<PostgresException>(() =>
            _storage.WriteAsync(GrainKey.ForString("authidentity", id), null, AuthIdentity(id, null, Provider(email), Provider(email)).ToJsonString()));

        Assert.Equal($"Provider identity with entity_id: {email}, provider: emailpass, already exists.", error.MessageText);
        Assert.Null(await _storage.ReadAsync(GrainKey.ForString("authidentity", id)));
    }

    [Fact]
    public async Task Same_entity_id_with_another_provider_or_other_case_is_a_different_identity()
    {
        var email = NewEmail();
        var first = NewId("authid");
        var second = NewId("authid");
        var third = NewId("authid");

        await _storage.WriteAsync(GrainKey.ForString("authidentity", first), null, AuthIdentity(first, null, Provider(email)).ToJsonString());
        await _storage.WriteAsync(GrainKey.ForString("authidentity", second), null, AuthIdentity(second, null, Provider(email, "google")).ToJsonString());
        await _storage.WriteAsync(GrainKey.ForString("authidentity", third), null, AuthIdentity(third, null, Provider(email.ToUpperInvariant())).ToJsonString());

        Assert.Equal(3L, await Db.ScalarAsync<long>(
            ConnectionString, "SELECT count(*) FROM provider_identity WHERE lower(entity_id) = $1", email));
    }

    [Fact]
    public async Task Password_hash_never_reaches_the_read_model()
    {
        var id = NewId("authid");
        var key = GrainKey.ForString("authidentity", id);
        var hash = $"HASH-{Guid.NewGuid():N}";
        var version = await _storage.WriteAsync(key, null, AuthIdentity(id, null, Provider(NewEmail(), passwordHash: hash)).ToJsonString());
        await _storage.WriteAsync(key, version, AuthIdentity(id, Created, Provider(NewEmail(), passwordHash: hash + "-changed")).ToJsonString());

        Assert.Contains(hash, (await _storage.ReadAsync(key))!.Json);
        var tables = await Db.RowsAsync(ConnectionString,
            "SELECT table_name FROM information_schema.tables WHERE table_schema = 'public' AND table_type = 'BASE TABLE' AND table_name <> 'orleansstorage'");
        Assert.Contains(tables, t => (string)t["table_name"]! == "provider_identity");
        foreach (var table in tables.Select(t => (string)t["table_name"]!))
        {
            var leaks = await Db.ScalarAsync<long>(ConnectionString, $"SELECT count(*) FROM \"{table}\" t WHERE t::text LIKE '%' || $1 || '%'", hash);
            Assert.True(leaks == 0, $"{table} holds the password hash");
        }
    }

    [Fact]
    public async Task Revocation_seq_advances_only_when_tokens_valid_after_changes()
    {
        var id = NewId("authid");
        var key = GrainKey.ForString("authidentity", id);
        var provider = Provider(NewEmail());
        var v1 = await _storage.WriteAsync(key, null, AuthIdentity(id, null, provider).ToJsonString());
        Assert.Null(await Seq());

        var v2 = await _storage.WriteAsync(key, v1, AuthIdentity(id, Created.AddMinutes(1), provider).ToJsonString());
        var afterFirstRevocation = await Seq();
        Assert.NotNull(afterFirstRevocation);

        var unrelated = AuthIdentity(id, Created.AddMinutes(1), provider);
        unrelated["failed_logins"] = 3;
        unrelated["updated_at"] = Iso(Created.AddMinutes(2));
        var v3 = await _storage.WriteAsync(key, v2, unrelated.ToJsonString());
        Assert.Equal(afterFirstRevocation, await Seq());

        await _storage.WriteAsync(key, v3, AuthIdentity(id, Created.AddMinutes(5), provider).ToJsonString());
        var afterSecondRevocation = await Seq();
        Assert.True(afterSecondRevocation > afterFirstRevocation);
        Assert.Equal(
            Created.AddMinutes(5).UtcDateTime,
            await Db.ScalarAsync<DateTime>(ConnectionString, "SELECT tokens_valid_after FROM auth_identity WHERE revocation_seq > $1 AND id = $2", afterFirstRevocation, id));

        Task<long?> Seq() => Db.ScalarAsync<long?>(ConnectionString, "SELECT revocation_seq FROM auth_identity WHERE id = $1", id);
    }

    [Fact]
    public async Task A_new_identity_created_with_tokens_valid_after_gets_a_revocation_seq()
    {
        var id = NewId("authid");

        await _storage.WriteAsync(GrainKey.ForString("authidentity", id), null, AuthIdentity(id, Created, Provider(NewEmail())).ToJsonString());

        Assert.NotNull(await Db.ScalarAsync<long?>(ConnectionString, "SELECT revocation_seq FROM auth_identity WHERE id = $1", id));
    }

    [Fact]
    public async Task Clearing_auth_identity_state_removes_identity_and_provider_rows()
    {
        var id = NewId("authid");
        var key = GrainKey.ForString("authidentity", id);
        var email = NewEmail();
        var version = await _storage.WriteAsync(key, null, AuthIdentity(id, null, Provider(email)).ToJsonString());

        await _storage.ClearAsync(key, version);

        Assert.Equal(0L, await Db.ScalarAsync<long>(ConnectionString, "SELECT count(*) FROM auth_identity WHERE id = $1", id));
        Assert.Equal(0L, await Db.ScalarAsync<long>(ConnectionString, "SELECT count(*) FROM provider_identity WHERE entity_id = $1", email));
        // The e-mail is free again for a new identity.
        var successor = NewId("authid");
        Assert.Equal(1, await _storage.WriteAsync(GrainKey.ForString("authidentity", successor), null, AuthIdentity(successor, null, Provider(email)).ToJsonString()));
    }

    [Fact]
    public async Task Removing_a_provider_identity_from_the_state_deletes_its_row()
    {
        var id = NewId("authid");
        var key = GrainKey.ForString("authidentity", id);
        var kept = Provider(NewEmail());
        var removed = Provider(NewEmail(), "google");
        var version = await _storage.WriteAsync(key, null, AuthIdentity(id, null, kept, removed).ToJsonString());

        await _storage.WriteAsync(key, version, AuthIdentity(id, null, Provider((string)kept["entity_id"]!, id: (string)kept["id"]!)).ToJsonString());

        var row = Assert.Single(await Db.RowsAsync(ConnectionString, "SELECT id FROM provider_identity WHERE auth_identity_id = $1", id));
        Assert.Equal((string)kept["id"]!, row["id"]);
    }
}
