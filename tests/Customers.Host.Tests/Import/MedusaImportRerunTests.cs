using Customers.Host.Import;
using Customers.Testing;
using Xunit;

namespace Customers.Host.Tests.Import;

/// <summary>Idempotence, resumption and the events switch of <c>import medusa</c>, each into its own empty database.</summary>
[Collection(MedusaStoreCollection.Name)]
public sealed class MedusaImportRerunTests(MedusaStoreFixture medusa)
{
    // Everything the import writes or its triggers derive, with what would show a rewrite (version, modifiedon).
    private const string Snapshot =
        """
        SELECT (SELECT string_agg(format('%s %s %s %s %s', graintypestring, grainidextensionstring, version, md5(payloadbinary), modifiedon), E'\n'
                                  ORDER BY graintypestring, grainidextensionstring) FROM orleansstorage)
            || (SELECT coalesce(string_agg(format('%s %s %s %s', id, customer_id, customer_group_id, customer_live), E'\n' ORDER BY id), '')
                FROM customer_group_customer)
            || (SELECT count(*)::text FROM event_outbox)
            || (SELECT coalesce(string_agg(row_to_json(b)::text, ',' ORDER BY b.sort_key, b.level, b.has_account, b.bucket), '')
                FROM customer_position_bucket b)
        """;

    [Fact]
    public async Task A_second_full_run_changes_nothing()
    {
        var target = await PostgresServer.CreateMigratedDatabaseAsync("import_twice");
        var first = await MedusaImportRunner.ImportAsync(medusa, target);
        var before = await Db.ScalarAsync<string>(target, Snapshot);

        var second = await MedusaImportRunner.ImportAsync(medusa, target);

        Assert.Equal(before, await Db.ScalarAsync<string>(target, Snapshot));
        Assert.All(second.Tallies, t => Assert.Equal(0, t.Imported));
        Assert.Equal(first.Of(MedusaImporter.Customers).Imported, second.Of(MedusaImporter.Customers).AlreadyPresent);
        Assert.Equal(first.Of(MedusaImporter.Identities).Imported, second.Of(MedusaImporter.Identities).AlreadyPresent);
        Assert.Equal(first.Of(MedusaImporter.Memberships).Imported, second.Of(MedusaImporter.Memberships).AlreadyPresent);
        Assert.Equal(0, second.ConflictCount);
    }

    [Fact]
    public async Task An_interrupted_import_run_again_completes_without_duplicates()
    {
        var target = await PostgresServer.CreateMigratedDatabaseAsync("import_resume");
        using var interrupt = new CancellationTokenSource();
        var options = new MedusaImporter.Options(medusa.ConnectionString, BatchSize: 5, ProgressInterval: TimeSpan.Zero);

        // Stops once 10 customers have been written, in the middle of the customers phase (48 customers, 5 a batch).
        await Assert.ThrowsAnyAsync<OperationCanceledException>(() => MedusaImportRunner.ImportAsync(medusa, target, options,
            line =>
            {
                if (line.StartsWith("customers: ", StringComparison.Ordinal))
                {
                    interrupt.Cancel();
                }
            },
            interrupt.Token));
        var partial = await Db.ScalarAsync<long>(target, "SELECT count(*) FROM customer");
        Assert.InRange(partial, 5, await MedusaCountAsync("SELECT count(*) FROM customer") - 1);
        Assert.Equal(0, await Db.ScalarAsync<long>(target, "SELECT count(*) FROM auth_identity"));

        var resumed = await MedusaImportRunner.ImportAsync(medusa, target, options);

        Assert.Equal(partial, resumed.Of(MedusaImporter.Customers).AlreadyPresent);
        Assert.Equal(0, resumed.ConflictCount);
        Assert.Equal(await MedusaCountAsync("SELECT count(*) FROM customer"), await Db.ScalarAsync<long>(target, "SELECT count(*) FROM customer"));
        Assert.Equal(
            await MedusaCountAsync("SELECT count(*) FROM customer_address a JOIN customer c ON c.id = a.customer_id WHERE a.deleted_at IS NULL OR c.deleted_at IS NOT NULL"),
            await Db.ScalarAsync<long>(target, "SELECT count(*) FROM customer_address"));
        Assert.Equal(await MedusaCountAsync("SELECT count(*) FROM customer_group_customer WHERE deleted_at IS NULL"),
            await Db.ScalarAsync<long>(target, "SELECT count(*) FROM customer_group_customer"));
        Assert.Equal(await MedusaCountAsync("SELECT count(*) FROM auth_identity WHERE NOT app_metadata ? 'user_id'"),
            await Db.ScalarAsync<long>(target, "SELECT count(*) FROM auth_identity"));

        // One grain state row per customer, and the read model's position counters agree with the customer table.
        Assert.Equal(await Db.ScalarAsync<long>(target, "SELECT count(*) FROM customer"),
            await Db.ScalarAsync<long>(target, "SELECT count(*) FROM orleansstorage WHERE graintypestring = 'customer'"));
        Assert.Equal(await Db.ScalarAsync<long>(target, "SELECT count(*) FROM customer WHERE deleted_at IS NULL AND has_account"),
            await Db.ScalarAsync<long>(target, "SELECT customer_position_count(true)"));
    }

    [Fact]
    public async Task Events_are_off_unless_asked_for()
    {
        var quiet = await PostgresServer.CreateMigratedDatabaseAsync("import_quiet");
        await MedusaImportRunner.ImportAsync(medusa, quiet);
        Assert.Equal(0, await Db.ScalarAsync<long>(quiet, "SELECT count(*) FROM event_outbox"));

        var loud = await PostgresServer.CreateMigratedDatabaseAsync("import_events");
        await MedusaImportRunner.ImportAsync(medusa, loud, new MedusaImporter.Options(medusa.ConnectionString, EmitEvents: true, BatchSize: 5));

        var created = (await Db.RowsAsync(loud, "SELECT data ->> 'id' AS id FROM event_outbox WHERE name = 'customer.created'"))
            .Select(r => (string)r["id"]!).Order(StringComparer.Ordinal).ToList();
        var live = (await Db.RowsAsync(loud, "SELECT id FROM customer WHERE deleted_at IS NULL"))
            .Select(r => (string)r["id"]!).Order(StringComparer.Ordinal).ToList();
        Assert.Equal(live, created);
        Assert.Equal(await Db.ScalarAsync<long>(loud, "SELECT count(*) FROM customer_group_customer"),
            await Db.ScalarAsync<long>(loud, "SELECT count(*) FROM event_outbox WHERE name = 'customer.customer-group-customer.created'"));
    }

    private Task<long> MedusaCountAsync(string sql) => Db.ScalarAsync<long>(medusa.ConnectionString, sql);
}
