using System.Text.Json.Nodes;
using Customers.Host.Events;
using Customers.Testing;
using Npgsql;
using Xunit;

namespace Customers.Host.Tests.Events;

/// <summary>
/// Pruning on a database of its own: finished events past their retention go (with their delivery records), in
/// batches; unfinished ones and those still within their retention stay.
/// </summary>
public sealed class EventOutboxPruneTests : IAsyncLifetime
{
    private string? _connectionString;
    private NpgsqlDataSource? _database;

    private string ConnectionString => _connectionString ?? throw new InvalidOperationException("Created in InitializeAsync.");

    public async Task InitializeAsync()
    {
        _connectionString = await PostgresServer.CreateMigratedDatabaseAsync("event_prune");
        _database = NpgsqlDataSource.Create(_connectionString);
    }

    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [Fact]
    public async Task Finished_events_past_their_retention_are_deleted_and_nothing_else()
    {
        var outbox = new EventOutbox(_database!);
        var now = DateTimeOffset.UtcNow;
        async Task<string> EventAsync(string finished, TimeSpan? age)
        {
            var id = await outbox.AddAsync("customer.updated", new JsonObject { ["id"] = "cus_1" }, null, CancellationToken.None);
            if (age is { } ago)
            {
                await Db.ExecuteAsync(ConnectionString, $"UPDATE event_outbox SET {finished} = $2 WHERE id = $1", id, now - ago);
                await Db.ExecuteAsync(ConnectionString,
                    $"INSERT INTO event_delivery (event_id, target, attempts, {finished}) VALUES ($1, 'stream', 1, $2)", id, now - ago);
            }

            return id;
        }

        var oldDelivered = new[] { await EventAsync("delivered_at", TimeSpan.FromDays(8)), await EventAsync("delivered_at", TimeSpan.FromDays(40)),
                                   await EventAsync("delivered_at", TimeSpan.FromDays(9)) };
        var oldDeadLetter = await EventAsync("dead_lettered_at", TimeSpan.FromDays(31));
        var kept = new[]
        {
            await EventAsync("delivered_at", TimeSpan.FromDays(6)),
            await EventAsync("dead_lettered_at", TimeSpan.FromDays(10)), // dead letters are kept longer
            await EventAsync("delivered_at", null), // pending
        };
        await Db.ExecuteAsync(ConnectionString, "INSERT INTO dev_notification (event_name, data, created_at) VALUES ('old', '{}', $1), ('new', '{}', $2)",
            now - TimeSpan.FromDays(8), now - TimeSpan.FromDays(1));

        var deleted = await outbox.PruneAsync(now - TimeSpan.FromDays(7), now - TimeSpan.FromDays(30), batch: 2, CancellationToken.None);

        Assert.Equal(oldDelivered.Length + 1, deleted);
        var remaining = (await Db.RowsAsync(ConnectionString, "SELECT id FROM event_outbox ORDER BY sequence")).Select(row => (string)row["id"]!);
        Assert.Equal(kept, remaining);
        Assert.Equal(0, await Db.ScalarAsync<long>(ConnectionString, "SELECT count(*) FROM event_delivery WHERE event_id = ANY($1)",
            (object)oldDelivered.Append(oldDeadLetter).ToArray()));
        Assert.Equal(2, await Db.ScalarAsync<long>(ConnectionString, "SELECT count(*) FROM event_delivery"));
        Assert.Equal(["new"], (await Db.RowsAsync(ConnectionString, "SELECT event_name FROM dev_notification")).Select(row => (string)row["event_name"]!));
    }
}
