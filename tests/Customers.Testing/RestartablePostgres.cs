using Customers.Host.Database;
using Npgsql;

namespace Customers.Testing;

/// <summary>How a PostgreSQL server is stopped (<c>pg_ctl stop -m …</c>).</summary>
public enum PostgresShutdown
{
    /// <summary>Disconnects clients, checkpoints and exits: a planned restart.</summary>
    Fast,

    /// <summary>Exits at once without a checkpoint (crash recovery on the next start): a crash or a failover.</summary>
    Immediate,
}

/// <summary>
/// A real PostgreSQL of its own (not the test process's shared one) that a test may stop and start again on the
/// same port, to make outages: the silos keep their connection string and reconnect when it is back. Disposing
/// stops and deletes it.
/// </summary>
public sealed class RestartablePostgres : IAsyncDisposable
{
    private readonly EmbeddedPostgres _server;
    private readonly string _dataDirectory;
    private readonly FileStream _owner;
    private int _disposed;

    private RestartablePostgres(EmbeddedPostgres server, string dataDirectory, FileStream owner)
    {
        _server = server;
        _dataDirectory = dataDirectory;
        _owner = owner;
    }

    public bool IsRunning { get; private set; } = true;

    public static async Task<RestartablePostgres> CreateAsync()
    {
        var (server, dataDirectory, owner) = await PostgresServer.StartOwnedAsync();
        return new RestartablePostgres(server, dataDirectory, owner);
    }

    /// <summary>A fresh database with the service's schema applied by the real migrator.</summary>
    public async Task<string> CreateMigratedDatabaseAsync(string prefix)
    {
        var connectionString = await PostgresServer.CreateDatabaseOnAsync(_server.ConnectionString, prefix);
        await PostgresServer.MigrateAsync(connectionString);
        return connectionString;
    }

    /// <summary><c>pg_ctl stop -m fast|immediate -w</c>: returns once the server is down.</summary>
    public async Task StopAsync(PostgresShutdown mode)
    {
        await _server.ShutDownAsync(mode == PostgresShutdown.Fast ? "fast" : "immediate");
        IsRunning = false;
    }

    /// <summary><c>pg_ctl start -w</c> on the same port: returns once the server accepts connections.</summary>
    public async Task StartAsync()
    {
        await _server.StartAgainAsync();

        // The test process's own pooled connections died with the server; the silos find theirs broken on use.
        NpgsqlConnection.ClearAllPools();
        IsRunning = true;
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 0)
        {
            await PostgresServer.DiscardOwnedAsync(_server, _dataDirectory, _owner);
        }
    }
}
