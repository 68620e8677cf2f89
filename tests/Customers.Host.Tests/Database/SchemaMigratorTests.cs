using Customers.Host.Database;
using Customers.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Xunit;

namespace Customers.Host.Tests.Database;

public sealed class SchemaMigratorTests
{
    private static readonly int ScriptCount = SchemaMigrator.LoadEmbeddedMigrations().Count;

    [Fact]
    public void Embedded_scripts_are_found_in_version_order()
    {
        var versions = SchemaMigrator.LoadEmbeddedMigrations().Select(m => m.Version).ToList();

        Assert.Equal(new[] { 1, 2, 3, 4 }, versions.Take(4));
        Assert.Equal(versions.Order(), versions);
    }

    [Fact]
    public async Task Migrations_apply_once_and_a_second_run_applies_none()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("migrate_twice");
        var migrator = new SchemaMigrator(connectionString, NullLogger<SchemaMigrator>.Instance);

        Assert.Equal(ScriptCount, await migrator.MigrateAsync(CancellationToken.None));
        Assert.Equal(0, await migrator.MigrateAsync(CancellationToken.None));

        Assert.Equal(ScriptCount, await Db.ScalarAsync<long>(connectionString, "SELECT count(*) FROM schema_migrations"));
        Assert.Equal("orleans_clustering", await Db.ScalarAsync<string>(connectionString, "SELECT name FROM schema_migrations WHERE version = 1"));
    }

    [Fact]
    public async Task Concurrent_migrators_on_a_fresh_database_both_succeed()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("migrate_concurrently");

        var applied = await Task.WhenAll(
            new SchemaMigrator(connectionString, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None),
            new SchemaMigrator(connectionString, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None));

        Assert.Equal(ScriptCount, applied.Sum());
        Assert.Equal(ScriptCount, await Db.ScalarAsync<long>(connectionString, "SELECT count(DISTINCT version) FROM schema_migrations"));
    }

    [Fact]
    public async Task A_no_transaction_script_builds_an_index_concurrently_once()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("migrate_concurrent_index");
        var migrator = new SchemaMigrator(connectionString, NullLogger<SchemaMigrator>.Instance);
        SchemaMigrator.Migration[] scripts =
        [
            SchemaMigrator.Migration.Of(1, "table", "CREATE TABLE item (id int, name text); INSERT INTO item SELECT g, 'n' || g FROM generate_series(1, 1000) g;"),
            SchemaMigrator.Migration.Of(2, "index", SchemaMigrator.NoTransactionMarker + """

                -- CONCURRENTLY fails inside a transaction block, so success shows the script ran outside one.
                CREATE INDEX CONCURRENTLY IF NOT EXISTS ix_item_name ON item (name);
                CREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ix_item_id ON item (id);
                """),
        ];

        Assert.Equal(2, await migrator.MigrateAsync(scripts, CancellationToken.None));
        Assert.Equal(0, await migrator.MigrateAsync(scripts, CancellationToken.None));

        Assert.Equal(2L, await Db.ScalarAsync<long>(connectionString,
            "SELECT count(*) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname IN ('ix_item_name', 'ix_item_id') AND i.indisvalid"));
    }

    [Fact]
    public async Task An_index_a_failed_concurrent_build_left_invalid_is_built_again()
    {
        var connectionString = await PostgresServer.CreateDatabaseAsync("migrate_invalid_index");
        var migrator = new SchemaMigrator(connectionString, NullLogger<SchemaMigrator>.Instance);
        var table = SchemaMigrator.Migration.Of(1, "table", "CREATE TABLE item (id int); INSERT INTO item VALUES (1), (1);");
        var index = SchemaMigrator.Migration.Of(2, "index", SchemaMigrator.NoTransactionMarker + "\nCREATE UNIQUE INDEX CONCURRENTLY IF NOT EXISTS ix_item_id ON item (id);\n");
        await Assert.ThrowsAsync<Npgsql.PostgresException>(() => migrator.MigrateAsync([table, index], CancellationToken.None));
        Assert.False(await Db.ScalarAsync<bool>(connectionString,
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'ix_item_id'"));

        await Db.ScalarAsync<long>(connectionString, "WITH gone AS (DELETE FROM item WHERE ctid = (SELECT max(ctid) FROM item) RETURNING 1) SELECT count(*) FROM gone");
        Assert.Equal(1, await migrator.MigrateAsync([table, index], CancellationToken.None));

        Assert.True(await Db.ScalarAsync<bool>(connectionString,
            "SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = 'ix_item_id'"));
    }

    [Fact]
    public async Task Migrated_schema_has_every_query_the_orleans_providers_look_up()
    {
        var connectionString = await PostgresServer.CreateMigratedDatabaseAsync("orleans_queries");

        var keys = (await Db.RowsAsync(connectionString, "SELECT querykey FROM orleansquery")).Select(r => (string)r["querykey"]!).ToHashSet();

        string[] clustering =
        [
            "InsertMembershipVersionKey", "InsertMembershipKey", "UpdateMembershipKey", "UpdateIAmAlivetimeKey",
            "MembershipReadRowKey", "MembershipReadAllKey", "DeleteMembershipTableEntriesKey", "GatewaysQueryKey",
            "CleanupDefunctSiloEntriesKey", "CleanupDefunctSiloEntryKey",
        ];
        string[] storage = ["ReadFromStorageKey", "WriteToStorageKey", "ClearStorageKey", "DeleteStorageKey"];
        Assert.Subset(keys, new HashSet<string>([.. clustering, .. storage]));
    }
}
