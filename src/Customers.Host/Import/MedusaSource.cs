using System.Runtime.CompilerServices;
using System.Text.Json.Nodes;
using Customers.Grains.Auth;
using Customers.Grains.CustomerGroups;
using Customers.Grains.Customers;
using Npgsql;

namespace Customers.Host.Import;

/// <summary>
/// Reads a Medusa 2.x database (the customer and auth modules' tables) in batches keyed by id, inside one
/// <c>REPEATABLE READ READ ONLY</c> transaction: one consistent snapshot of a live store, nothing written, and memory
/// bounded by the batch size however large the store is. Rows come out already shaped as our grain states.
/// </summary>
internal sealed class MedusaSource : IAsyncDisposable
{
    private readonly NpgsqlConnection _connection;
    private readonly NpgsqlTransaction _snapshot;

    private MedusaSource(NpgsqlConnection connection, NpgsqlTransaction snapshot)
    {
        _connection = connection;
        _snapshot = snapshot;
    }

    public static async Task<MedusaSource> OpenAsync(string connectionString, CancellationToken ct)
    {
        var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync(ct);
        try
        {
            var snapshot = await connection.BeginTransactionAsync(System.Data.IsolationLevel.RepeatableRead, ct);
            await using (var readOnly = new NpgsqlCommand("SET TRANSACTION READ ONLY", connection, snapshot))
            {
                await readOnly.ExecuteNonQueryAsync(ct);
            }

            await using (var check = new NpgsqlCommand(
                "SELECT count(*) FROM information_schema.tables WHERE table_schema = current_schema() AND table_name = ANY($1)",
                connection, snapshot))
            {
                string[] required = ["customer", "customer_address", "customer_group", "customer_group_customer", "auth_identity", "provider_identity"];
                check.Parameters.Add(new NpgsqlParameter { Value = required });
                if ((long)(await check.ExecuteScalarAsync(ct))! != required.Length)
                {
                    throw new InvalidOperationException(
                        "The --from database is not a Medusa 2.x database: it lacks the customer or auth module tables (" +
                        string.Join(", ", required) + ").");
                }
            }

            return new MedusaSource(connection, snapshot);
        }
        catch
        {
            await connection.DisposeAsync();
            throw;
        }
    }

    public IAsyncEnumerable<List<CustomerGroupState>> GroupsAsync(int batchSize, CancellationToken ct) =>
        BatchesAsync(
            "SELECT id, name, metadata::text, created_by, created_at, updated_at, deleted_at FROM customer_group",
            batchSize,
            r => new CustomerGroupState
            {
                Id = r.GetString(0),
                Name = r.GetString(1),
                Metadata = JsonObjectOrNull(r, 2),
                CreatedBy = TextOrNull(r, 3),
                CreatedAt = Time(r, 4),
                UpdatedAt = Time(r, 5),
                DeletedAt = TimeOrNull(r, 6),
            },
            g => g.Id!,
            ct);

    /// <summary>Customers with their addresses: the live ones, or all of a soft-deleted customer's (they went with it).</summary>
    public async IAsyncEnumerable<List<CustomerState>> CustomersAsync(int batchSize, [EnumeratorCancellation] CancellationToken ct)
    {
        var customers = BatchesAsync(
            """
            SELECT id, email, company_name, first_name, last_name, phone, has_account, metadata::text, created_by,
                   created_at, updated_at, deleted_at
            FROM customer
            """,
            batchSize,
            r => new CustomerState
            {
                Id = r.GetString(0),
                Email = TextOrNull(r, 1),
                CompanyName = TextOrNull(r, 2),
                FirstName = TextOrNull(r, 3),
                LastName = TextOrNull(r, 4),
                Phone = TextOrNull(r, 5),
                HasAccount = r.GetBoolean(6),
                Metadata = JsonObjectOrNull(r, 7),
                CreatedBy = TextOrNull(r, 8),
                CreatedAt = Time(r, 9),
                UpdatedAt = Time(r, 10),
                DeletedAt = TimeOrNull(r, 11),
            },
            c => c.Id!,
            ct);
        await foreach (var batch in customers)
        {
            var byId = batch.ToDictionary(c => c.Id!, StringComparer.Ordinal);
            await using var command = new NpgsqlCommand(
                """
                SELECT customer_id, id, address_name, is_default_shipping, is_default_billing, company, first_name,
                       last_name, address_1, address_2, city, country_code, province, postal_code, phone, metadata::text,
                       created_at, updated_at, deleted_at
                FROM customer_address
                WHERE customer_id = ANY($1)
                ORDER BY customer_id, created_at, id
                """, _connection, _snapshot) { CommandTimeout = 0 };
            command.Parameters.Add(new NpgsqlParameter { Value = byId.Keys.ToArray() });
            await using (var r = await command.ExecuteReaderAsync(ct))
            {
                while (await r.ReadAsync(ct))
                {
                    var customer = byId[r.GetString(0)];
                    if (!r.IsDBNull(18) && customer.DeletedAt is null)
                    {
                        continue; // removed from a live customer: gone in Medusa, so not copied
                    }

                    customer.Addresses.Add(new AddressState
                    {
                        Id = r.GetString(1),
                        AddressName = TextOrNull(r, 2),
                        IsDefaultShipping = r.GetBoolean(3),
                        IsDefaultBilling = r.GetBoolean(4),
                        Company = TextOrNull(r, 5),
                        FirstName = TextOrNull(r, 6),
                        LastName = TextOrNull(r, 7),
                        Address1 = TextOrNull(r, 8),
                        Address2 = TextOrNull(r, 9),
                        City = TextOrNull(r, 10),
                        CountryCode = TextOrNull(r, 11),
                        Province = TextOrNull(r, 12),
                        PostalCode = TextOrNull(r, 13),
                        Phone = TextOrNull(r, 14),
                        Metadata = JsonObjectOrNull(r, 15),
                        CreatedAt = Time(r, 16),
                        UpdatedAt = Time(r, 17),
                    });
                }
            }

            yield return batch;
        }
    }

    public IAsyncEnumerable<List<MedusaMembership>> MembershipsAsync(int batchSize, CancellationToken ct) =>
        BatchesAsync(
            """
            SELECT id, customer_id, customer_group_id, created_by, metadata::text, created_at, updated_at, deleted_at
            FROM customer_group_customer
            """,
            batchSize,
            r => new MedusaMembership(
                r.GetString(0), r.GetString(1), r.GetString(2), TextOrNull(r, 3), TextOrNull(r, 4), Time(r, 5), Time(r, 6),
                Deleted: !r.IsDBNull(7)),
            m => m.Id,
            ct);

    /// <summary>Auth identities with their provider identities (the emailpass password hash kept as Medusa stored it).</summary>
    public async IAsyncEnumerable<List<MedusaIdentity>> IdentitiesAsync(int batchSize, [EnumeratorCancellation] CancellationToken ct)
    {
        var identities = BatchesAsync(
            "SELECT id, app_metadata::text, created_at, updated_at, deleted_at FROM auth_identity",
            batchSize,
            r => new MedusaIdentity(
                new AuthIdentityState
                {
                    Id = r.GetString(0),
                    AppMetadata = JsonObjectOrNull(r, 1) ?? [],
                    CreatedAt = Time(r, 2),
                    UpdatedAt = Time(r, 3),
                },
                Deleted: !r.IsDBNull(4)),
            i => i.State.Id!,
            ct);
        await foreach (var batch in identities)
        {
            var byId = batch.ToDictionary(i => i.State.Id!, StringComparer.Ordinal);
            await using var command = new NpgsqlCommand(
                """
                SELECT auth_identity_id, id, provider, entity_id, user_metadata::text, provider_metadata ->> 'password'
                FROM provider_identity
                WHERE auth_identity_id = ANY($1) AND deleted_at IS NULL
                ORDER BY auth_identity_id, created_at, id
                """, _connection, _snapshot) { CommandTimeout = 0 };
            command.Parameters.Add(new NpgsqlParameter { Value = byId.Keys.ToArray() });
            await using (var r = await command.ExecuteReaderAsync(ct))
            {
                while (await r.ReadAsync(ct))
                {
                    var provider = r.GetString(2);
                    byId[r.GetString(0)].State.ProviderIdentities.Add(new ProviderIdentityState
                    {
                        Id = r.GetString(1),
                        Provider = provider,
                        EntityId = r.GetString(3),
                        UserMetadata = JsonObjectOrNull(r, 4),
                        // Only emailpass keeps a password; other providers' metadata (their tokens) is not copied.
                        PasswordHash = provider == AuthIdentityGrain.EmailPassProvider ? TextOrNull(r, 5) : null,
                    });
                }
            }

            yield return batch;
        }
    }

    /// <summary>Keyset pagination over <paramref name="select"/> (a query on one table with an <c>id</c> column).</summary>
    private async IAsyncEnumerable<List<T>> BatchesAsync<T>(
        string select, int batchSize, Func<NpgsqlDataReader, T> map, Func<T, string> key, [EnumeratorCancellation] CancellationToken ct)
    {
        string? after = null;
        while (true)
        {
            await using var command = new NpgsqlCommand(
                $"{select} WHERE ($1::text IS NULL OR id > $1) ORDER BY id LIMIT $2", _connection, _snapshot) { CommandTimeout = 0 };
            command.Parameters.Add(new NpgsqlParameter { Value = (object?)after ?? DBNull.Value, NpgsqlDbType = NpgsqlTypes.NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = batchSize });
            var batch = new List<T>(batchSize);
            await using (var reader = await command.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    batch.Add(map(reader));
                }
            }

            if (batch.Count == 0)
            {
                yield break;
            }

            after = key(batch[^1]);
            yield return batch;
            if (batch.Count < batchSize)
            {
                yield break;
            }
        }
    }

    private static string? TextOrNull(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : r.GetString(i);

    private static DateTimeOffset Time(NpgsqlDataReader r, int i) => new(r.GetDateTime(i), TimeSpan.Zero);

    private static DateTimeOffset? TimeOrNull(NpgsqlDataReader r, int i) => r.IsDBNull(i) ? null : Time(r, i);

    // Medusa's metadata columns hold objects; anything else (never written by Medusa itself) is not copied.
    private static JsonObject? JsonObjectOrNull(NpgsqlDataReader r, int i) =>
        r.IsDBNull(i) ? null : JsonNode.Parse(r.GetString(i)) as JsonObject;

    public async ValueTask DisposeAsync()
    {
        await _snapshot.DisposeAsync(); // rolls back: the snapshot only ever read
        await _connection.DisposeAsync();
    }
}

/// <summary>A Medusa group membership (not grain state here: a row of <c>customer_group_customer</c>).</summary>
internal sealed record MedusaMembership(
    string Id, string CustomerId, string GroupId, string? CreatedBy, string? MetadataJson, DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt, bool Deleted);

/// <summary>A Medusa auth identity as our state, and whether Medusa soft-deleted it.</summary>
internal sealed record MedusaIdentity(AuthIdentityState State, bool Deleted);
