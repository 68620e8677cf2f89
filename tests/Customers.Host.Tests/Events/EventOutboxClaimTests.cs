using System.Text.Json.Nodes;
using Customers.Host.Events;
using Customers.Testing;
using Npgsql;
using Xunit;

namespace Customers.Host.Tests.Events;

/// <summary>
/// The dispatchers' claim on a database of its own (no dispatcher running): concurrent claimants, as several silos
/// are, never get the same event, and together they get every due one; a claim ends with its lease.
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
}
