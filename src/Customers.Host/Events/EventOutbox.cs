using System.Text.Json.Nodes;
using Npgsql;
using NpgsqlTypes;

namespace Customers.Host.Events;

/// <summary>An event claimed for delivery, with what is already known of its delivery per target.</summary>
internal sealed record OutboxEvent(
    string Id, long Sequence, string Name, string DataJson, string? MetadataJson, DateTimeOffset CreatedAt, int Round,
    Dictionary<string, TargetState> Targets);

/// <summary>Delivery state of one event for one target (<c>webhook:&lt;name&gt;</c> or <c>stream</c>).</summary>
internal sealed record TargetState(
    int Attempts, DateTimeOffset? NextAttemptAt, DateTimeOffset? DeliveredAt, DateTimeOffset? DeadLetteredAt, int? LastStatus, string? LastError)
{
    public bool Finished => DeliveredAt is not null || DeadLetteredAt is not null;
}

/// <summary>One event's round: the targets tried in it and the event's state after it (finished when
/// <paramref name="NextAttemptAt"/> is null).</summary>
internal sealed record DeliveryRound(
    string EventId, IReadOnlyDictionary<string, TargetState> Tried, DateTimeOffset Now, DateTimeOffset? NextAttemptAt,
    bool DeadLettered, string? LastError);

/// <summary>
/// The <c>event_outbox</c> table (deploy/sql/0009): writes of events the host raises itself, and the dispatcher's
/// claim and bookkeeping. Event data is never logged: <c>auth.password_reset</c> carries a reset token,
/// <c>auth.verification_requested</c> a verification code; both are dropped from the row once it is finished.
/// </summary>
internal sealed class EventOutbox(NpgsqlDataSource database)
{
    /// <summary>Records one event in its own transaction (a single INSERT).</summary>
    public async Task<string> AddAsync(string name, JsonObject data, JsonObject? metadata, CancellationToken ct)
    {
        await using var command = database.CreateCommand("INSERT INTO event_outbox (name, data, metadata) VALUES ($1, $2, $3) RETURNING id");
        command.Parameters.Add(new NpgsqlParameter { Value = name });
        command.Parameters.Add(new NpgsqlParameter { Value = data.ToJsonString(), NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter { Value = (object?)metadata?.ToJsonString() ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Jsonb });
        return (string)(await command.ExecuteScalarAsync(ct))!;
    }

    /// <summary>
    /// Deletes events delivered before <paramref name="deliveredBefore"/> or dead-lettered before
    /// <paramref name="deadLetteredBefore"/> (their delivery records cascade), and development notifications older than
    /// <paramref name="deliveredBefore"/>, in batches of <paramref name="batch"/> rows so no statement holds many locks.
    /// Returns how many events were deleted. Unfinished events are never touched.
    /// </summary>
    public async Task<long> PruneAsync(DateTimeOffset deliveredBefore, DateTimeOffset deadLetteredBefore, int batch, CancellationToken ct)
    {
        const string Events =
            """
            WITH doomed AS (
                (SELECT id FROM event_outbox WHERE delivered_at < $1 LIMIT $3)
                UNION
                (SELECT id FROM event_outbox WHERE dead_lettered_at < $2 LIMIT $3))
            DELETE FROM event_outbox o USING doomed WHERE o.id = doomed.id
            """;
        const string Notifications =
            "DELETE FROM dev_notification WHERE id IN (SELECT id FROM dev_notification WHERE created_at < $1 LIMIT $3)";

        long events = 0;
        for (var deleted = await DeleteAsync(Events); deleted > 0; deleted = await DeleteAsync(Events))
        {
            events += deleted;
        }

        while (await DeleteAsync(Notifications) > 0)
        {
            // Batches until none is left.
        }

        return events;

        async Task<int> DeleteAsync(string sql)
        {
            await using var command = database.CreateCommand(sql);
            command.Parameters.Add(new NpgsqlParameter { Value = deliveredBefore });
            command.Parameters.Add(new NpgsqlParameter { Value = deadLetteredBefore });
            command.Parameters.Add(new NpgsqlParameter { Value = batch });
            return await command.ExecuteNonQueryAsync(ct);
        }
    }

    /// <summary>When the oldest event that is neither delivered nor dead-lettered was created; null when there is none.</summary>
    public async Task<DateTimeOffset?> OldestUnfinishedAsync(CancellationToken ct)
    {
        await using var command = database.CreateCommand(
            """
            SELECT created_at FROM event_outbox WHERE delivered_at IS NULL AND dead_lettered_at IS NULL
            ORDER BY sequence LIMIT 1
            """);
        return await command.ExecuteScalarAsync(ct) is DateTime created ? new DateTimeOffset(created, TimeSpan.Zero) : null;
    }

    /// <summary>
    /// Claims up to <paramref name="limit"/> due, unfinished events: rows another silo holds locked are skipped, and
    /// the claim moves them <paramref name="leaseUntil"/> into the future so no other silo takes them meanwhile.
    /// </summary>
    public async Task<List<OutboxEvent>> ClaimAsync(DateTimeOffset now, DateTimeOffset leaseUntil, int limit, string claimant, CancellationToken ct)
    {
        await using var connection = await database.OpenConnectionAsync(ct);
        var events = new List<OutboxEvent>();
        await using (var claim = new NpgsqlCommand(
            """
            WITH due AS (
                SELECT id FROM event_outbox
                WHERE delivered_at IS NULL AND dead_lettered_at IS NULL AND next_attempt_at <= $1
                ORDER BY next_attempt_at, sequence
                LIMIT $3
                FOR UPDATE SKIP LOCKED)
            UPDATE event_outbox o
            SET next_attempt_at = $2, claimed_by = $4, attempts = o.attempts + 1
            FROM due
            WHERE o.id = due.id
            RETURNING o.id, o.sequence, o.name, o.data::text, o.metadata::text, o.created_at, o.attempts
            """, connection))
        {
            claim.Parameters.Add(new NpgsqlParameter { Value = now });
            claim.Parameters.Add(new NpgsqlParameter { Value = leaseUntil });
            claim.Parameters.Add(new NpgsqlParameter { Value = limit });
            claim.Parameters.Add(new NpgsqlParameter { Value = claimant });
            await using var reader = await claim.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                events.Add(new OutboxEvent(
                    reader.GetString(0), reader.GetInt64(1), reader.GetString(2), reader.GetString(3),
                    reader.IsDBNull(4) ? null : reader.GetString(4), reader.GetFieldValue<DateTimeOffset>(5), reader.GetInt32(6),
                    new Dictionary<string, TargetState>(StringComparer.Ordinal)));
            }
        }

        if (events.Count == 0)
        {
            return events;
        }

        events.Sort((a, b) => a.Sequence.CompareTo(b.Sequence));
        var byId = events.ToDictionary(e => e.Id, StringComparer.Ordinal);
        await using var targets = new NpgsqlCommand(
            """
            SELECT event_id, target, attempts, next_attempt_at, delivered_at, dead_lettered_at, last_status, last_error
            FROM event_delivery WHERE event_id = ANY ($1)
            """, connection);
        targets.Parameters.Add(new NpgsqlParameter { Value = byId.Keys.ToArray() });
        await using (var reader = await targets.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                byId[reader.GetString(0)].Targets[reader.GetString(1)] = new TargetState(
                    reader.GetInt32(2),
                    reader.IsDBNull(3) ? null : reader.GetFieldValue<DateTimeOffset>(3),
                    reader.IsDBNull(4) ? null : reader.GetFieldValue<DateTimeOffset>(4),
                    reader.IsDBNull(5) ? null : reader.GetFieldValue<DateTimeOffset>(5),
                    reader.IsDBNull(6) ? null : reader.GetInt32(6),
                    reader.IsDBNull(7) ? null : reader.GetString(7));
            }
        }

        return events;
    }

    /// <summary>
    /// Records the rounds of one claim in one transaction: for each event, the state of every target tried in it, then
    /// the event's own state (finished, or due again at <see cref="DeliveryRound.NextAttemptAt"/>). One commit per
    /// claim rather than per event: under a steady stream of sign-ups that is most of the outbox's own database work.
    /// A finished <c>auth.password_reset</c> or <c>auth.verification_requested</c> loses its secret: nobody needs it
    /// any more, and the table should not keep live secrets.
    /// </summary>
    public async Task RecordRoundsAsync(IReadOnlyCollection<DeliveryRound> rounds, string claimant, CancellationToken ct)
    {
        if (rounds.Count == 0)
        {
            return;
        }

        await using var connection = await database.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await using var batch = new NpgsqlBatch(connection, transaction);
        foreach (var round in rounds)
        {
            foreach (var (target, state) in round.Tried)
            {
                batch.BatchCommands.Add(TargetStateUpsert(round.EventId, target, state, round.Now));
            }

            batch.BatchCommands.Add(EventStateUpdate(round, claimant));
        }

        await batch.ExecuteNonQueryAsync(ct);
        await transaction.CommitAsync(ct);
    }

    private static NpgsqlBatchCommand TargetStateUpsert(string eventId, string target, TargetState state, DateTimeOffset now)
    {
        var upsert = new NpgsqlBatchCommand(
            """
            INSERT INTO event_delivery AS d (event_id, target, attempts, next_attempt_at, delivered_at, dead_lettered_at, last_status, last_error, updated_at)
            VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9)
            ON CONFLICT (event_id, target) DO UPDATE
                SET attempts = excluded.attempts, next_attempt_at = excluded.next_attempt_at,
                    delivered_at = excluded.delivered_at, dead_lettered_at = excluded.dead_lettered_at,
                    last_status = excluded.last_status, last_error = excluded.last_error, updated_at = excluded.updated_at
            """);
        upsert.Parameters.Add(new NpgsqlParameter { Value = eventId });
        upsert.Parameters.Add(new NpgsqlParameter { Value = target });
        upsert.Parameters.Add(new NpgsqlParameter { Value = state.Attempts });
        upsert.Parameters.Add(new NpgsqlParameter { Value = (object?)state.NextAttemptAt ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        upsert.Parameters.Add(new NpgsqlParameter { Value = (object?)state.DeliveredAt ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        upsert.Parameters.Add(new NpgsqlParameter { Value = (object?)state.DeadLetteredAt ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        upsert.Parameters.Add(new NpgsqlParameter { Value = (object?)state.LastStatus ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Integer });
        upsert.Parameters.Add(new NpgsqlParameter { Value = (object?)state.LastError ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        upsert.Parameters.Add(new NpgsqlParameter { Value = now });
        return upsert;
    }

    private static NpgsqlBatchCommand EventStateUpdate(DeliveryRound round, string claimant)
    {
        var finish = new NpgsqlBatchCommand(
            """
            UPDATE event_outbox
            SET claimed_by       = NULL,
                next_attempt_at  = coalesce($3, next_attempt_at),
                delivered_at     = CASE WHEN $3 IS NULL AND NOT $4 THEN $2 END,
                dead_lettered_at = CASE WHEN $3 IS NULL AND $4 THEN $2 END,
                last_error       = $5,
                data             = CASE WHEN $3 IS NOT NULL THEN data
                                        WHEN name = 'auth.password_reset' THEN data - 'token'
                                        WHEN name = 'auth.verification_requested' THEN data - 'code'
                                        ELSE data END
            WHERE id = $1 AND claimed_by = $6
            """);
        finish.Parameters.Add(new NpgsqlParameter { Value = round.EventId });
        finish.Parameters.Add(new NpgsqlParameter { Value = round.Now });
        finish.Parameters.Add(new NpgsqlParameter { Value = (object?)round.NextAttemptAt ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.TimestampTz });
        finish.Parameters.Add(new NpgsqlParameter { Value = round.DeadLettered });
        finish.Parameters.Add(new NpgsqlParameter { Value = (object?)round.LastError ?? DBNull.Value, NpgsqlDbType = NpgsqlDbType.Text });
        finish.Parameters.Add(new NpgsqlParameter { Value = claimant });
        return finish;
    }
}
