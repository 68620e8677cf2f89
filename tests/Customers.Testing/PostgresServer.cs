using System.Security.Cryptography;
using System.Text;
using Customers.Host.Database;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;

namespace Customers.Testing;

/// <summary>
/// One real PostgreSQL server per test process, started on first use from the installed binaries in a fresh
/// temporary data directory (<c>/tmp/customers-tests-*</c>), stopped and deleted when the process exits (or, if
/// the process is killed first, by the next test process). Tests never share a database: each fixture asks for
/// its own.
/// </summary>
public static class PostgresServer
{
    private const string DirectoryPrefix = "customers-tests-";
    private const string OwnerSuffix = ".owner";

    private static readonly Lazy<Task<EmbeddedPostgres>> Server = new(StartAsync);

    /// <summary>Creates an empty database with a unique name starting with <paramref name="prefix"/> and returns
    /// its connection string.</summary>
    public static async Task<string> CreateDatabaseAsync(string prefix) =>
        await CreateDatabaseOnAsync((await Server.Value).ConnectionString, prefix);

    /// <summary>Creates an empty database with a unique name on the server <paramref name="serverConnectionString"/>
    /// points at and returns its connection string.</summary>
    internal static async Task<string> CreateDatabaseOnAsync(string serverConnectionString, string prefix)
    {
        var name = UniqueDatabaseName(prefix);
        var builder = new NpgsqlConnectionStringBuilder(serverConnectionString) { Pooling = false };
        await using (var connection = new NpgsqlConnection(builder.ConnectionString))
        {
            await connection.OpenAsync();
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{name}\"", connection);
            await create.ExecuteNonQueryAsync();
        }

        return new NpgsqlConnectionStringBuilder(serverConnectionString) { Database = name }.ConnectionString;
    }

    /// <summary>Like <see cref="CreateDatabaseAsync"/>, with the service's schema applied by the real migrator.</summary>
    public static async Task<string> CreateMigratedDatabaseAsync(string prefix)
    {
        var connectionString = await CreateDatabaseAsync(prefix);
        await MigrateAsync(connectionString);
        return connectionString;
    }

    internal static Task MigrateAsync(string connectionString) =>
        new SchemaMigrator(connectionString, NullLogger<SchemaMigrator>.Instance).MigrateAsync(CancellationToken.None);

    /// <summary>
    /// Stops any server still running on an embedded data directory that a host under test created, and deletes it
    /// with its password and lock files.
    /// </summary>
    public static Task DiscardEmbeddedAsync(string dataDirectory) => EmbeddedPostgres.DiscardAsync(dataDirectory, NullLogger.Instance);

    private static async Task<EmbeddedPostgres> StartAsync()
    {
        var (server, dataDirectory, owner) = await StartOwnedAsync();

        // The test runner allows little time at exit, so no graceful shutdown (the data is thrown away anyway),
        // and it may still kill us first: the next run then cleans up after us.
        AppDomain.CurrentDomain.ProcessExit += (_, _) => DiscardOwnedAsync(server, dataDirectory, owner).GetAwaiter().GetResult();
        return server;
    }

    /// <summary>
    /// Starts a server of its own in a fresh temporary directory, locked by an owner file so no other test run
    /// discards it while this process lives (and the next run discards it if this one is killed).
    /// </summary>
    internal static async Task<(EmbeddedPostgres Server, string DataDirectory, FileStream Owner)> StartOwnedAsync()
    {
        await DiscardAbandonedServersAsync();
        var dataDirectory = Path.Combine(Path.GetTempPath(), $"{DirectoryPrefix}{RandomNumberGenerator.GetHexString(12, lowercase: true)}");

        // Held (locked) for the life of this process: while it is locked, no other test run touches the directory.
        var owner = new FileStream(dataDirectory + OwnerSuffix, FileMode.CreateNew, FileAccess.ReadWrite, FileShare.None);
        try
        {
            return (await EmbeddedPostgres.StartAsync(dataDirectory, NullLogger.Instance, CancellationToken.None), dataDirectory, owner);
        }
        catch
        {
            await owner.DisposeAsync();
            File.Delete(dataDirectory + OwnerSuffix);
            throw;
        }
    }

    /// <summary>Releases what <see cref="StartOwnedAsync"/> holds: stops and deletes the server, then its owner file.</summary>
    internal static async Task DiscardOwnedAsync(EmbeddedPostgres server, string dataDirectory, FileStream owner)
    {
        await server.DiscardAsync();
        await owner.DisposeAsync();
        File.Delete(dataDirectory + OwnerSuffix);
    }

    /// <summary>Stops and deletes servers of earlier test processes that died before cleaning up.</summary>
    private static async Task DiscardAbandonedServersAsync()
    {
        foreach (var ownerFile in Directory.EnumerateFiles(Path.GetTempPath(), $"{DirectoryPrefix}*{OwnerSuffix}"))
        {
            // A fresh file may belong to a process that has created it but not locked it yet.
            if (File.GetLastWriteTimeUtc(ownerFile) > DateTime.UtcNow.AddMinutes(-1))
            {
                continue;
            }

            FileStream probe;
            try
            {
                probe = new FileStream(ownerFile, FileMode.Open, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException)
            {
                continue; // its test process is still running
            }

            await using (probe)
            {
                await EmbeddedPostgres.DiscardAsync(ownerFile[..^OwnerSuffix.Length], NullLogger.Instance);
            }

            File.Delete(ownerFile);
        }
    }

    private static string UniqueDatabaseName(string prefix)
    {
        // Unquoted-identifier-safe and within PostgreSQL's 63-byte limit.
        var name = new StringBuilder();
        foreach (var c in prefix.ToLowerInvariant())
        {
            name.Append(char.IsAsciiLetterOrDigit(c) ? c : '_');
            if (name.Length == 40)
            {
                break;
            }
        }

        return $"{name}_{RandomNumberGenerator.GetHexString(12, lowercase: true)}";
    }
}
