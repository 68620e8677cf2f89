using Npgsql;

namespace Customers.Testing;

/// <summary>Ad-hoc SQL for test assertions: what acknowledged writes left in PostgreSQL.</summary>
public static class Db
{
    public static async Task<T?> ScalarAsync<T>(string connectionString, string sql, params object?[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = Command(connection, sql, parameters);
        var value = await command.ExecuteScalarAsync();
        return value is null or DBNull ? default : (T)value;
    }

    public static async Task<List<Dictionary<string, object?>>> RowsAsync(string connectionString, string sql, params object?[] parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var command = Command(connection, sql, parameters);
        await using var reader = await command.ExecuteReaderAsync();
        var rows = new List<Dictionary<string, object?>>();
        while (await reader.ReadAsync())
        {
            var row = new Dictionary<string, object?>(StringComparer.Ordinal);
            for (var i = 0; i < reader.FieldCount; i++)
            {
                row[reader.GetName(i)] = reader.IsDBNull(i) ? null : reader.GetValue(i);
            }

            rows.Add(row);
        }

        return rows;
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

    /// <summary>The stored version of one grain's state (its ETag), or null when it has no row.</summary>
    public static Task<int?> StoredVersionAsync(string connectionString, string stateName, string grainKey) =>
        ScalarAsync<int?>(
            connectionString,
            "SELECT version FROM orleansstorage WHERE graintypestring = $1 AND grainidextensionstring = $2",
            stateName, grainKey);

    private static NpgsqlCommand Command(NpgsqlConnection connection, string sql, object?[] parameters)
    {
        // Test set-up builds tables of thousands of rows; on a busy machine that can outlast Npgsql's 30 s default.
        var command = new NpgsqlCommand(sql, connection) { CommandTimeout = 600 };
        foreach (var parameter in parameters)
        {
            command.Parameters.Add(new NpgsqlParameter { Value = parameter ?? DBNull.Value });
        }

        return command;
    }
}
