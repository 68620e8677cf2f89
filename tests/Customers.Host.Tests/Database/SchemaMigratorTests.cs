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
