using Npgsql;

namespace Customers.Grains.Tests;

/// <summary>Ad-hoc SQL for assertions on what the grains stored.</summary>
internal static class Db
{
    public static async Task<T?> ScalarAsync<T>(string connectionString, string sql, params object?[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = Command(connection, sql, parameters);
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)value;
    }

    public static async Task<int> ExecuteAsync(string connectionString, string sql, params object?[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = Command(connection, sql, parameters);
        return await command.ExecuteNonQueryAsync();
    }

    /// <summary>The stored grain state (the raw <c>payloadbinary</c> JSON) of one grain, or null.</summary>
    public static async Task<string?> StoredStateAsync(string connectionString, string stateName, string grainKey)
    {
        var payload = await ScalarAsync<byte[]>(
            connectionString,
            "SELECT payloadbinary FROM orleansstorage WHERE graintypestring = $1 AND grainidextensionstring = $2",
            stateName, grainKey);
        return payload is null ? null : System.Text.Encoding.UTF8.GetString(payload);
    }

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, object?[] parameters)
    {
        var command = new NpgsqlCommand(sql, connection);
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter ?? DBNull.Value });
        }

        return command;
    }
}
