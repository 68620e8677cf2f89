using System.Text.Json.Nodes;
using Customers.Host.Events;
using Customers.Testing;
using Npgsql;
using Xunit;

namespace Customers.Host.Tests.Events;

/// <summary>
/// The dispatchers' claim on a database of its own (no dispatcher running): concurrent claimants, as several silos
/// are, never get the same event, and together they get every due one; a claim ends with its lease; a claim's rounds
/// are recorded together, each with its own outcome.
/// </summary>
public sealed class EventOutboxClaimTests : IAsyncLifetime
{
    private NpgsqlDataSource? _database;

    private NpgsqlDataSource Database => _database ?? throw new InvalidOperationException("Created in InitializeAsync.");

    public async Task InitializeAsync() => _database = NpgsqlDataSource.Create(await PostgresServer.CreateMigratedDatabaseAsync("event_claims"));

    public async Task DisposeAsync()
    {
        if (_database is not null)
        {
            await _database.DisposeAsync();
        }
    }

    [Fact]
    public async Task Event_claims_of_concurrent_silos_never_overlap_and_leave_nothing_behind()
    {
        var outbox = new EventOutbox(Database);
        var ids = new HashSet<string>(StringComparer.Ordinal);
        for (var i = 0; i < 300; i++)
        {
            ids.Add(await outbox.AddAsync("customer.created", new JsonObject { ["id"] = $"cus_{i}" }, null, CancellationToken.None));
        }

        var now = DateTimeOffset.UtcNow.AddSeconds(5);
        var claims = await Task.WhenAll(Enumerable.Range(0, 4).Select(silo => Task.Run(async () =>
        {
            var mine = new List<string>();
            while (await outbox.ClaimAsync(now, now.AddMinutes(2), 25, $"silo-{silo}", CancellationToken.None) is { Count: > 0 } batch)
            {
                mine.AddRange(batch.Select(e => e.Id));
            }

            return mine;
        })));

        var all = claims.SelectMany(c => c).ToList();
        Assert.Equal(all.Count, all.Distinct(StringComparer.Ordinal).Count());
        Assert.True(ids.SetEquals(all));
    }

    [Fact]
    public async Task Event_claimed_by_a_silo_that_vanished_is_claimed_again_when_the_lease_ends()
    {
        var outbox = new EventOutbox(Database);
        var id = await outbox.AddAsync("customer.updated", new JsonObject { ["id"] = "cus_lease" }, null, CancellationToken.None);
        var now = DateTimeOffset.UtcNow.AddSeconds(5);
        var lease = TimeSpan.FromMinutes(2);

        Assert.Contains(await outbox.ClaimAsync(now, now + lease, 1000, "gone", CancellationToken.None), e => e.Id == id);
        Assert.DoesNotContain(await outbox.ClaimAsync(now.AddMinutes(1), now.AddMinutes(1) + lease, 1000, "other", CancellationToken.None), e => e.Id == id);
        var again = Assert.Single(await outbox.ClaimAsync(now + lease, now + lease + lease, 1000, "other", CancellationToken.None), e => e.Id == id);
        Assert.Equal(2, again.Round);
    }

    [Fact]
    public async Task Event_rounds_of_one_claim_are_recorded_together_each_with_its_own_outcome()
    {
        var outbox = new EventOutbox(Database);
        var delivered = await outbox.AddAsync("customer.created", new JsonObject { ["id"] = "cus_delivered" }, null, CancellationToken.None);
        var retried = await outbox.AddAsync("customer.updated", new JsonObject { ["id"] = "cus_retried" }, null, CancellationToken.None);
        var dead = await outbox.AddAsync("customer.deleted", new JsonObject { ["id"] = "cus_dead" }, null, CancellationToken.None);
        var now = DateTimeOffset.UtcNow.AddSeconds(5);
        var again = now.AddMinutes(1);
        var claimed = await outbox.ClaimAsync(now, now.AddMinutes(2), 1000, "me", CancellationToken.None);
        Assert.Superset(new HashSet<string> { delivered, retried, dead }, claimed.Select(e => e.Id).ToHashSet());

        await outbox.RecordRoundsAsync(
            [
                new DeliveryRound(delivered, new Dictionary<string, TargetState> { ["stream"] = new(1, null, now, null, null, null) }, now, null, false, null),
                new DeliveryRound(retried, new Dictionary<string, TargetState> { ["webhook:shop"] = new(1, again, null, null, 503, "HTTP 503") }, now, again, false, "HTTP 503"),
                new DeliveryRound(dead, new Dictionary<string, TargetState> { ["webhook:shop"] = new(5, null, null, now, 500, "HTTP 500") }, now, null, true, "HTTP 500"),
            ],
            "me",
            CancellationToken.None);

        var outcomes = await OutcomesAsync(delivered, retried, dead);
        Assert.Equal((true, false), outcomes[delivered]);
        Assert.Equal((false, false), outcomes[retried]);
        Assert.Equal((false, true), outcomes[dead]);
        var due = Assert.Single(await outbox.ClaimAsync(again, again.AddMinutes(2), 1000, "me", CancellationToken.None));
        Assert.Equal(retried, due.Id);
        var shop = due.Targets["webhook:shop"];
        Assert.Equal((1, 503, "HTTP 503"), (shop.Attempts, shop.LastStatus, shop.LastError));
    }

    /// <summary>Per event: (delivered, dead-lettered), as the outbox row says.</summary>
    private async Task<Dictionary<string, (bool Delivered, bool DeadLettered)>> OutcomesAsync(params string[] ids)
    {
        await using var command = Database.CreateCommand(
            "SELECT id, delivered_at IS NOT NULL, dead_lettered_at IS NOT NULL FROM event_outbox WHERE id = ANY ($1)");
        command.Parameters.Add(new NpgsqlParameter { Value = ids });
        await using var reader = await command.ExecuteReaderAsync();
        var outcomes = new Dictionary<string, (bool, bool)>(StringComparer.Ordinal);
        while (await reader.ReadAsync())
        {
            outcomes[reader.GetString(0)] = (reader.GetBoolean(1), reader.GetBoolean(2));
        }

        return outcomes;
    }
}
