using Customers.Host.Database;
using Customers.Testing;
using Npgsql;
using Xunit;

namespace Customers.Host.Tests.Database;

/// <summary>What <see cref="DatabaseOptions.Apply"/> does to a pooled connection, on a real PostgreSQL.</summary>
public sealed class ConnectionSettingsTests
{
    private const string Statement = "SELECT $1::int + 1";

    [Fact]
    public async Task A_statement_used_often_stays_prepared_on_its_connection_across_pool_uses()
    {
        var prepared = await PreparedAfterFiveUsesAsync(new DatabaseOptions());

        Assert.Equal(1, prepared);
    }

    [Fact]
    public async Task Zero_prepared_statements_per_connection_prepares_nothing()
    {
        var prepared = await PreparedAfterFiveUsesAsync(new DatabaseOptions { PreparedStatementsPerConnection = 0 });

        Assert.Equal(0, prepared);
    }

    [Fact]
    public async Task A_connection_returns_to_the_pool_without_a_reset_so_session_settings_would_outlive_their_use()
    {
        var server = await PostgresServer.CreateDatabaseAsync("connsettings");
        var pooled = new NpgsqlConnectionStringBuilder(new DatabaseOptions().Apply(server)) { MaxPoolSize = 1 }.ConnectionString;
        await using var database = NpgsqlDataSource.Create(pooled);
        await using (var set = database.CreateCommand("SET application_name = 'left-behind'"))
        {
            await set.ExecuteNonQueryAsync();
        }

        // This is why the service itself only ever uses SET LOCAL.
        await using var read = database.CreateCommand("SHOW application_name");
        Assert.Equal("left-behind", (string)(await read.ExecuteScalarAsync())!);
    }

    // Five uses (Npgsql's threshold) of one statement, each on a connection taken from and returned to a one-connection
    // pool; then how many prepared statements of that text the connection holds.
    private static async Task<long> PreparedAfterFiveUsesAsync(DatabaseOptions options)
    {
        var server = await PostgresServer.CreateDatabaseAsync("connsettings");
        var pooled = new NpgsqlConnectionStringBuilder(options.Apply(server)) { MaxPoolSize = 1 }.ConnectionString;
        await using var database = NpgsqlDataSource.Create(pooled);
        for (var use = 1; use <= 5; use++)
        {
            await using var command = database.CreateCommand(Statement);
            command.Parameters.Add(new NpgsqlParameter { Value = use });
            Assert.Equal(use + 1, (int)(await command.ExecuteScalarAsync())!);
        }

        await using var count = database.CreateCommand("SELECT count(*) FROM pg_prepared_statements WHERE statement = $1");
        count.Parameters.Add(new NpgsqlParameter { Value = Statement });
        return (long)(await count.ExecuteScalarAsync())!;
    }
}
