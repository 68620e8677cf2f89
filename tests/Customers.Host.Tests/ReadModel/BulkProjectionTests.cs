using System.Text;
using System.Text.Json.Nodes;
using Customers.Host.Tests.OrleansStorage;
using Customers.Testing;
using Npgsql;
using NpgsqlTypes;
using Xunit;
using static Customers.Host.Tests.OrleansStorage.StateJson;

namespace Customers.Host.Tests.ReadModel;

/// <summary>
/// A transaction with <c>customers.bulk = 'on'</c> (the importer's batches) has the customer and auth identity states
/// it inserts projected once per statement; the read model it leaves must be the one the row-by-row projection leaves.
/// </summary>
public sealed class BulkProjectionTests(MigratedDatabaseFixture database) : IClassFixture<MigratedDatabaseFixture>
{
    private readonly OrleansStorageQueries _storage = new(database.ConnectionString);

    private string ConnectionString => database.ConnectionString;

    [Fact]
    public async Task A_bulk_insert_leaves_the_read_model_a_row_by_row_write_leaves()
    {
        var states = new[]
        {
            Customer(NewId("cus"), NewEmail(), hasAccount: true, deletedAt: null,
                Address(NewId("cuaddr"), defaultShipping: true), Address(NewId("cuaddr"), defaultBilling: true, city: "Aarhus")),
            Customer(NewId("cus"), NewEmail(), hasAccount: false, deletedAt: Created.AddDays(3), Address(NewId("cuaddr"))),
            WithoutOptionalFields(Customer(NewId("cus"), email: null)),
        };
        var ids = states.Select(s => (string)s["id"]!).ToArray();

        string bulk;
        await using (var connection = await OpenAsync())
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await InsertInOneStatementAsync(connection, transaction, bulk: true, states.Select(s => ((string)s["id"]!, s)));
            bulk = await ReadModelAsync(connection, transaction, ids);
            await transaction.RollbackAsync();
        }

        foreach (var state in states)
        {
            await _storage.WriteAsync(GrainKey.ForString("customer", (string)state["id"]!), null, state.ToJsonString());
        }

        await using (var connection = await OpenAsync())
        {
            var rowByRow = await ReadModelAsync(connection, null, ids);
            Assert.Contains(ids[2], rowByRow, StringComparison.Ordinal);
            Assert.Equal(3, rowByRow.Split('\n').Count(line => line.StartsWith("customer ", StringComparison.Ordinal)));
            Assert.Equal(3, rowByRow.Split('\n').Count(line => line.StartsWith("address ", StringComparison.Ordinal)));
            Assert.Equal(rowByRow, bulk);
        }
    }

    [Fact]
    public async Task A_bulk_insert_of_auth_identities_leaves_what_row_by_row_writes_leave()
    {
        var plain = NewId("authid");
        var secured = NewId("authid");
        var revoked = NewId("authid");
        var states = new[]
        {
            AuthIdentity(plain, null, Provider(NewEmail()), Provider(Guid.NewGuid().ToString("N"), provider: "google")),
            WithSecondFactor(AuthIdentity(secured, null, Provider(NewEmail()))),
            AuthIdentity(revoked, Created.AddHours(1), Provider(NewEmail())),
        };
        var ids = states.Select(s => (string)s["id"]!).ToArray();

        string bulk;
        await using (var connection = await OpenAsync())
        {
            await using var transaction = await connection.BeginTransactionAsync();
            await InsertInOneStatementAsync(connection, transaction, bulk: true, states.Select(s => ((string)s["id"]!, s)), "authidentity");
            bulk = await IdentityReadModelAsync(connection, transaction, ids);
            await transaction.RollbackAsync();
        }

        foreach (var state in states)
        {
            await _storage.WriteAsync(GrainKey.ForString("authidentity", (string)state["id"]!), null, state.ToJsonString());
        }

        await using (var connection = await OpenAsync())
        {
            var rowByRow = await IdentityReadModelAsync(connection, null, ids);
            Assert.Equal(3, rowByRow.Split('\n').Count(line => line.StartsWith("identity ", StringComparison.Ordinal)));
            Assert.Equal(4, rowByRow.Split('\n').Count(line => line.StartsWith("provider ", StringComparison.Ordinal)));
            Assert.Single(rowByRow.Split('\n'), line => line.StartsWith("code ", StringComparison.Ordinal));
            Assert.Contains("\"has_mfa_secret\": true", rowByRow, StringComparison.Ordinal);
            Assert.Contains("\"kept_credential\": \"kept-fingerprint\"", rowByRow, StringComparison.Ordinal);
            Assert.Contains($"identity {revoked} revocation numbered", rowByRow, StringComparison.Ordinal);
            Assert.Equal(rowByRow, bulk);
        }
    }

    [Fact]
    public async Task A_state_filed_under_another_key_fails_the_whole_batch()
    {
        var good = NewId("cus");
        var stray = NewId("cus");
        await using var connection = await OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();

        var error = await Assert.ThrowsAsync<PostgresException>(() => InsertInOneStatementAsync(connection, transaction, bulk: true,
            [(good, Customer(good, NewEmail())), (NewId("cus"), Customer(stray, NewEmail()))]));

        Assert.Equal(PostgresErrorCodes.InvalidParameterValue, error.SqlState);
        await transaction.RollbackAsync();
        Assert.Equal(0L, await Db.ScalarAsync<long>(ConnectionString, "SELECT count(*) FROM customer WHERE id = ANY($1)", (object)new[] { good, stray }));
    }

    [Fact]
    public async Task A_duplicate_email_in_a_batch_fails_it_with_nothing_written()
    {
        var email = NewEmail();
        var first = NewId("cus");
        var second = NewId("cus");
        await using var connection = await OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();

        var error = await Assert.ThrowsAsync<PostgresException>(() => InsertInOneStatementAsync(connection, transaction, bulk: true,
            [(first, Customer(first, email, hasAccount: true)), (second, Customer(second, email, hasAccount: true))]));

        Assert.Equal(PostgresErrorCodes.UniqueViolation, error.SqlState);
        Assert.Equal("ix_customer_email_has_account", error.ConstraintName);
        await transaction.RollbackAsync();
        Assert.Equal(0L, await Db.ScalarAsync<long>(ConnectionString, "SELECT count(*) FROM customer WHERE email = $1", email));
    }

    [Fact]
    public async Task Without_the_switch_a_batch_is_projected_row_by_row_with_Medusas_message()
    {
        var email = NewEmail();
        var first = NewId("cus");
        var second = NewId("cus");
        await using var connection = await OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();

        var error = await Assert.ThrowsAsync<PostgresException>(() => InsertInOneStatementAsync(connection, transaction, bulk: false,
            [(first, Customer(first, email, hasAccount: true)), (second, Customer(second, email, hasAccount: true))]));

        Assert.Equal($"Customer with email: {email}, has_account: true, already exists.", error.MessageText);
    }

    private static JsonObject WithoutOptionalFields(JsonObject state)
    {
        foreach (var name in new[] { "company_name", "metadata", "updated_at", "addresses", "has_account" })
        {
            state.Remove(name);
        }

        return state;
    }

    private static JsonObject WithSecondFactor(JsonObject state)
    {
        state["kept_credential"] = "kept-fingerprint";
        state["mfa"] = new JsonObject { ["factors"] = new JsonArray(new JsonObject { ["sealed_secret"] = "sealed" }) };
        state["verifications"] = new JsonArray(new JsonObject { ["code_hash"] = Guid.NewGuid().ToString("N") });
        return state;
    }

    /// <summary>These identities' rows, their provider identities and verification codes, one line per row; the
    /// revocation number (a sequence value, different in each run) only as whether it is set.</summary>
    private static async Task<string> IdentityReadModelAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string[] ids)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT 'identity ' || i.id || CASE WHEN i.revocation_seq IS NULL THEN ' ' ELSE ' revocation numbered ' END
                   || (row_to_json(i)::jsonb - 'revocation_seq')::text
            FROM auth_identity i WHERE i.id = ANY($1)
            UNION ALL
            SELECT 'provider ' || row_to_json(p)::text FROM provider_identity p WHERE p.auth_identity_id = ANY($1)
            UNION ALL
            SELECT 'code ' || row_to_json(c)::text FROM auth_verification_code c WHERE c.auth_identity_id = ANY($1)
            ORDER BY 1
            """, connection, transaction);
        return await LinesAsync(command, ids);
    }

    private async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    /// <summary>One multi-row insert of grain state rows, as the importer writes them.</summary>
    private async Task InsertInOneStatementAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, bool bulk, IEnumerable<(string Key, JsonObject State)> rows,
        string stateName = "customer")
    {
        var list = rows.ToList();
        if (bulk)
        {
            await using var on = new NpgsqlCommand("SET LOCAL customers.bulk = 'on'", connection, transaction);
            await on.ExecuteNonQueryAsync();
        }

        await using var insert = new NpgsqlCommand(
            """
            INSERT INTO orleansstorage (serviceid, graintypestring, grainidn0, grainidn1, grainidextensionstring, grainidhash,
                                        graintypehash, payloadbinary, version)
            SELECT $1, $4, 0, 0, row.key, 0, 0, row.payload, 1
            FROM unnest($2::text[], $3::bytea[]) AS row (key, payload)
            """, connection, transaction);
        insert.Parameters.Add(new NpgsqlParameter { Value = _storage.ServiceId });
        insert.Parameters.Add(new NpgsqlParameter { Value = list.Select(r => r.Key).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        insert.Parameters.Add(new NpgsqlParameter
        {
            Value = list.Select(r => Encoding.UTF8.GetBytes(r.State.ToJsonString())).ToArray(),
            NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea,
        });
        insert.Parameters.Add(new NpgsqlParameter { Value = stateName });
        await insert.ExecuteNonQueryAsync();
    }

    /// <summary>Every column of these customers' rows and of their addresses, one line per row.</summary>
    private static async Task<string> ReadModelAsync(NpgsqlConnection connection, NpgsqlTransaction? transaction, string[] ids)
    {
        await using var command = new NpgsqlCommand(
            """
            SELECT 'customer ' || row_to_json(c)::text FROM customer c WHERE c.id = ANY($1)
            UNION ALL
            SELECT 'address ' || row_to_json(a)::text FROM customer_address a WHERE a.customer_id = ANY($1)
            ORDER BY 1
            """, connection, transaction);
        return await LinesAsync(command, ids);
    }

    private static async Task<string> LinesAsync(NpgsqlCommand command, string[] ids)
    {
        command.Parameters.Add(new NpgsqlParameter { Value = ids });
        var lines = new StringBuilder();
        await using var reader = await command.ExecuteReaderAsync();
        while (await reader.ReadAsync())
        {
            lines.Append(reader.GetString(0)).Append('\n');
        }

        return lines.ToString();
    }
}
