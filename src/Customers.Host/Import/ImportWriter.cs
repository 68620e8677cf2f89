using Customers.Grains.Storage;
using Customers.Host.Database;
using Npgsql;
using NpgsqlTypes;

namespace Customers.Host.Import;

/// <summary>
/// Writes imported rows into our database through the path our own writes take: grain state rows (keyed and
/// serialized as the grains' storage provider does, <see cref="GrainStorageRows"/>) whose triggers keep the read
/// model, and membership rows whose triggers keep their liveness copy. A batch is one statement in one transaction.
/// Rows whose id is already here are left alone (so a second run, or a run after an interrupted one, changes
/// nothing); a batch that clashes with data here (a unique e-mail, a provider subject, a group name) is written
/// again row by row, and each clashing row is reported instead of written.
/// </summary>
internal sealed class ImportWriter(NpgsqlDataSource target, string serviceId, bool emitEvents)
{
    private const string InsertStates =
        """
        INSERT INTO orleansstorage (serviceid, graintypestring, grainidn0, grainidn1, grainidextensionstring, grainidhash,
                                    graintypehash, payloadbinary, version)
        SELECT $1, $2, 0, 0, row.key, row.id_hash, $3, row.payload, 1
        FROM unnest($4::text[], $5::integer[], $6::bytea[]) AS row (key, id_hash, payload)
        ON CONFLICT ON CONSTRAINT orleansstorage_key DO NOTHING
        RETURNING grainidextensionstring
        """;

    /// <summary>One grain state to write under <paramref name="Key"/> (the Medusa id).</summary>
    public sealed record StateRow(string Key, byte[] Payload);

    /// <summary>Writes grain states of one state name; returns the keys that were not written because of a conflict.</summary>
    public async Task<IReadOnlyCollection<string>> WriteStatesAsync(
        string stateName, string kind, IReadOnlyList<StateRow> rows, ImportTally tally, Action<ImportConflict> conflict, CancellationToken ct)
    {
        if (rows.Count == 0)
        {
            return [];
        }

        try
        {
            await using var connection = await target.OpenConnectionAsync(ct);
            await using var transaction = await BeginAsync(connection, ct, bulk: true);
            var written = await InsertStatesAsync(connection, transaction, stateName, rows, ct);
            await transaction.CommitAsync(ct);
            tally.AddImported(written);
            tally.AddAlreadyPresent(rows.Count - written);
            return [];
        }
        catch (PostgresException error) when (error.SqlState == PostgresErrorCodes.UniqueViolation)
        {
            return await WriteStatesOneByOneAsync(stateName, kind, rows, tally, conflict, ct);
        }
    }

    private async Task<IReadOnlyCollection<string>> WriteStatesOneByOneAsync(
        string stateName, string kind, IReadOnlyList<StateRow> rows, ImportTally tally, Action<ImportConflict> conflict, CancellationToken ct)
    {
        var refused = new List<string>();
        await using var connection = await target.OpenConnectionAsync(ct);
        await using var transaction = await BeginAsync(connection, ct);
        foreach (var row in rows)
        {
            await transaction.SaveAsync("row", ct);
            try
            {
                var written = await InsertStatesAsync(connection, transaction, stateName, [row], ct);
                tally.AddImported(written);
                tally.AddAlreadyPresent(1 - written);
            }
            catch (PostgresException error) when (error.SqlState == PostgresErrorCodes.UniqueViolation)
            {
                await transaction.RollbackAsync("row", ct);
                tally.AddConflicts(1);
                refused.Add(row.Key);
                conflict(new ImportConflict(kind, row.Key, $"{error.MessageText} Kept what is here; nothing merged."));
            }
        }

        await transaction.CommitAsync(ct);
        return refused;
    }

    private async Task<int> InsertStatesAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, string stateName, IReadOnlyList<StateRow> rows, CancellationToken ct)
    {
        var inserted = new List<string>(rows.Count);
        await using (var command = new NpgsqlCommand(InsertStates, connection, transaction) { CommandTimeout = 0 })
        {
            command.Parameters.Add(new NpgsqlParameter { Value = serviceId, NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = stateName, NpgsqlDbType = NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = GrainStorageRows.TypeHash(stateName), NpgsqlDbType = NpgsqlDbType.Integer });
            command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Key).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => GrainStorageRows.IdHash(r.Key)).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Integer });
            command.Parameters.Add(new NpgsqlParameter { Value = rows.Select(r => r.Payload).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Bytea });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                inserted.Add(reader.GetString(0));
            }
        }

        if (stateName == StateNames.Customer && inserted.Count > 0)
        {
            // The row trigger of the position counters is off in this transaction (BeginAsync): count the batch at once.
            await using var positions = new NpgsqlCommand("SELECT customer_position_add($1)", connection, transaction) { CommandTimeout = 0 };
            positions.Parameters.Add(new NpgsqlParameter { Value = inserted.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            await positions.ExecuteNonQueryAsync(ct);
        }

        return inserted.Count;
    }

    /// <summary>
    /// Memberships whose customer and group are here (imported now or before); one whose customer or group was
    /// refused as a conflict is reported. Medusa's pivot may hold a pair twice; the second is skipped here.
    /// </summary>
    public async Task WriteMembershipsAsync(
        IReadOnlyList<MedusaMembership> memberships, ImportTally tally, Action<ImportConflict> conflict, CancellationToken ct)
    {
        if (memberships.Count == 0)
        {
            return;
        }

        await using var connection = await target.OpenConnectionAsync(ct);
        await using var transaction = await BeginAsync(connection, ct);
        await using var command = new NpgsqlCommand(
            """
            WITH input AS (
                SELECT *
                FROM unnest($1::text[], $2::text[], $3::text[], $4::text[], $5::jsonb[], $6::timestamptz[], $7::timestamptz[])
                    AS m (id, customer_id, customer_group_id, created_by, metadata, created_at, updated_at)),
            unusable AS (
                SELECT i.id FROM input i
                WHERE NOT EXISTS (SELECT 1 FROM customer c WHERE c.id = i.customer_id)
                   OR NOT EXISTS (SELECT 1 FROM customer_group g WHERE g.id = i.customer_group_id)),
            written AS (
                INSERT INTO customer_group_customer (id, customer_id, customer_group_id, created_by, metadata, created_at, updated_at)
                SELECT i.id, i.customer_id, i.customer_group_id, i.created_by, i.metadata, i.created_at, i.updated_at
                FROM input i
                WHERE i.id NOT IN (SELECT id FROM unusable)
                ORDER BY i.customer_group_id, i.customer_id
                ON CONFLICT DO NOTHING
                RETURNING id)
            SELECT (SELECT count(*) FROM written), ARRAY(SELECT id FROM unusable ORDER BY id)
            """, connection, transaction) { CommandTimeout = 0 };
        command.Parameters.Add(new NpgsqlParameter { Value = memberships.Select(m => m.Id).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = memberships.Select(m => m.CustomerId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = memberships.Select(m => m.GroupId).ToArray() });
        command.Parameters.Add(new NpgsqlParameter { Value = memberships.Select(m => m.CreatedBy).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
        command.Parameters.Add(new NpgsqlParameter { Value = memberships.Select(m => m.MetadataJson).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter { Value = memberships.Select(m => m.CreatedAt).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        command.Parameters.Add(new NpgsqlParameter { Value = memberships.Select(m => m.UpdatedAt).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.TimestampTz });
        long written;
        string[] unusable;
        await using (var reader = await command.ExecuteReaderAsync(ct))
        {
            await reader.ReadAsync(ct);
            written = reader.GetInt64(0);
            unusable = reader.GetFieldValue<string[]>(1);
        }

        await transaction.CommitAsync(ct);
        tally.AddImported(written);
        tally.AddConflicts(unusable.Length);
        tally.AddAlreadyPresent(memberships.Count - unusable.Length - written);
        var byId = memberships.ToDictionary(m => m.Id, StringComparer.Ordinal);
        foreach (var id in unusable)
        {
            var membership = byId[id];
            conflict(new ImportConflict("membership", id,
                $"customer {membership.CustomerId} or group {membership.GroupId} was not imported (see its conflict)."));
        }
    }

    /// <summary>Which of these customer ids exist here.</summary>
    public async Task<HashSet<string>> ExistingCustomersAsync(IReadOnlyCollection<string> ids, CancellationToken ct)
    {
        var existing = new HashSet<string>(StringComparer.Ordinal);
        if (ids.Count == 0)
        {
            return existing;
        }

        await using var command = target.CreateCommand("SELECT id FROM customer WHERE id = ANY($1)");
        command.Parameters.Add(new NpgsqlParameter { Value = ids.ToArray() });
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            existing.Add(reader.GetString(0));
        }

        return existing;
    }

    /// <summary>
    /// Makes every batch committed so far durable: one synchronously committed transaction that takes a transaction
    /// id (so its commit record must be flushed); WAL is flushed in order, so every earlier commit is flushed with it.
    /// </summary>
    public async Task FlushAsync(CancellationToken ct)
    {
        await using var connection = await target.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using (var command = new NpgsqlCommand("SET LOCAL synchronous_commit = on; SELECT pg_current_xact_id()", connection, transaction))
        {
            await command.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
    }

    /// <param name="bulk">Customer states are projected into the read model once per statement (0020); a clash then
    /// fails the batch with PostgreSQL's own message, so the row-by-row retry goes without it and reports Medusa's.</param>
    private async Task<NpgsqlTransaction> BeginAsync(NpgsqlConnection connection, CancellationToken ct, bool bulk = false)
    {
        var transaction = await connection.BeginTransactionAsync(ct);
        if (bulk)
        {
            await using var projection = new NpgsqlCommand("SET LOCAL customers.bulk = 'on'", connection, transaction);
            await projection.ExecuteNonQueryAsync(ct);
        }

        // customers.positions: read by the position counters' insert trigger (0019), InsertStatesAsync counts new
        // customers per batch. synchronous_commit: a batch's commit does not wait for its WAL flush; that is safe
        // because a lost batch is only missing, never half written (a commit is atomic), so running the import again
        // writes it, and FlushAsync makes all of them durable before the import reports success.
        await using (var batch = new NpgsqlCommand(
                         "SET LOCAL customers.positions = 'batch'; SET LOCAL synchronous_commit = off", connection, transaction))
        {
            await batch.ExecuteNonQueryAsync(ct);
        }

        if (!emitEvents)
        {
            // Read by the insert triggers of 0019: this transaction's inserts emit no events.
            await using var quiet = new NpgsqlCommand("SET LOCAL customers.events = 'off'", connection, transaction);
            await quiet.ExecuteNonQueryAsync(ct);
        }

        return transaction;
    }
}
