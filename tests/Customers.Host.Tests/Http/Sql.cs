using Npgsql;

namespace Customers.Host.Tests.Http;

/// <summary>Direct reads of the fixture's database, for checking what acknowledged writes left behind.</summary>
internal static class Sql
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

    /// <summary>The JSON state an auth identity grain stored (including what never leaves the grain).</summary>
    public static Task<string?> AuthIdentityStateAsync(string connectionString, string identityId) =>
        ScalarAsync<string>(
            connectionString,
            "SELECT convert_from(payloadbinary, 'UTF8') FROM orleansstorage WHERE graintypestring = 'authidentity' AND grainidextensionstring = $1",
            identityId);

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
