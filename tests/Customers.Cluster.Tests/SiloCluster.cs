using System.Security.Cryptography;
using Customers.Testing;
using Npgsql;

namespace Customers.Cluster.Tests;

/// <summary>
/// The silos of one test: a fresh migrated database, a JWT secret and a cluster id of its own, and a publishable key.
/// Disposing kills every silo it started that is still running, whatever the test's outcome.
/// </summary>
public sealed class SiloCluster : IAsyncDisposable
{
    private readonly List<SiloProcess> _silos = [];

    private SiloCluster(SiloSettings settings, string publishableKey)
    {
        Settings = settings;
        PublishableKey = publishableKey;
    }

    public SiloSettings Settings { get; }

    public string ConnectionString => Settings.ConnectionString;

    /// <summary>Sent as <c>x-publishable-api-key</c> on every <c>/store</c> request.</summary>
    public string PublishableKey { get; }

    /// <param name="testName">Names the database and cluster.</param>
    /// <param name="environment">More settings for every silo, as environment variables.</param>
    /// <param name="server">A server of the test's own to stop and start (outage tests); else the shared one.</param>
    public static async Task<SiloCluster> CreateAsync(
        string testName, IReadOnlyDictionary<string, string>? environment = null, RestartablePostgres? server = null)
    {
        var connectionString = server is null
            ? await PostgresServer.CreateMigratedDatabaseAsync("cluster_" + testName)
            : await server.CreateMigratedDatabaseAsync("cluster_" + testName);
        var settings = new SiloSettings(
            connectionString,
            RandomNumberGenerator.GetHexString(64, lowercase: true),
            $"{testName}-{RandomNumberGenerator.GetHexString(8, lowercase: true)}")
        {
            Environment = environment ?? new Dictionary<string, string>(),
        };
        return new SiloCluster(settings, await CreatePublishableKeyAsync(connectionString));
    }

    /// <summary>Starts silos side by side (each waits for its own readiness) and returns them in order.</summary>
    public Task<SiloProcess[]> StartSilosAsync(params string[] names) => StartSilosAsync([], names);

    /// <summary>Starts silos with <paramref name="arguments"/> added to the shared settings.</summary>
    public async Task<SiloProcess[]> StartSilosAsync(IReadOnlyList<string> arguments, params string[] names)
    {
        var settings = Settings with { Arguments = [.. Settings.Arguments, .. arguments] };
        var starting = names.Select(name => SiloProcess.StartAsync(name, settings)).ToArray();
        try
        {
            await Task.WhenAll(starting);
        }
        finally
        {
            lock (_silos)
            {
                _silos.AddRange(starting.Where(t => t.IsCompletedSuccessfully).Select(t => t.Result));
            }
        }

        return starting.Select(t => t.Result).ToArray();
    }

    public async Task<NpgsqlConnection> OpenAsync()
    {
        var connection = new NpgsqlConnection(ConnectionString);
        await connection.OpenAsync();
        return connection;
    }

    public async Task<T?> ScalarAsync<T>(string sql, params object?[] parameters)
    {
        await using var connection = await OpenAsync();
        await using var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter ?? DBNull.Value });
        }

        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)value;
    }

    public async ValueTask DisposeAsync()
    {
        SiloProcess[] silos;
        lock (_silos)
        {
            silos = [.. _silos];
        }

        foreach (var silo in silos)
        {
            await silo.DisposeAsync();
        }
    }

    /// <summary>Inserts a publishable key the way <c>Customers.Host api-key create --type publishable</c> stores one.</summary>
    private static async Task<string> CreatePublishableKeyAsync(string connectionString)
    {
        var token = "pk_" + RandomNumberGenerator.GetHexString(64, lowercase: true);
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var insert = new NpgsqlCommand(
            "INSERT INTO api_key (id, token, redacted, title, type, created_by) VALUES ($1, $2, $3, 't', 'publishable', 'cluster-tests')",
            connection);
        insert.Parameters.Add(new NpgsqlParameter { Value = "apk_" + RandomNumberGenerator.GetHexString(26) });
        insert.Parameters.Add(new NpgsqlParameter { Value = token });
        insert.Parameters.Add(new NpgsqlParameter { Value = token[..6] + "***" + token[^3..] });
        await insert.ExecuteNonQueryAsync();
        return token;
    }
}
