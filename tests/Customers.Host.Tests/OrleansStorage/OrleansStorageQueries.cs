using System.Data;
using System.Text;
using Npgsql;
using Orleans.Storage;

namespace Customers.Host.Tests.OrleansStorage;

/// <summary>
/// Runs the grain storage queries the way Microsoft.Orleans.Persistence.AdoNet 10.4.2 does: the query text comes
/// from <c>OrleansQuery</c>, parameters are named without a prefix and typed with the <see cref="DbType"/> Orleans
/// derives from their CLR type, and results are read by column name. Lets tests write exact JSON payloads.
/// </summary>
internal sealed class OrleansStorageQueries(string connectionString, string serviceId = "customers-tests")
{
    private static readonly OrleansDefaultHasher Hasher = new();

    public string ServiceId => serviceId;

    /// <summary>WriteToStorageKey; returns NewGrainStateVersion (the caller's etag back means "refused").</summary>
    public Task<int?> WriteAsync(GrainKey key, int? etag, string? json) =>
        RunAsync("WriteToStorageKey", key, command =>
        {
            Bind(command, "GrainStateVersion", etag, DbType.Int32);
            Bind(command, "PayloadBinary", json is null ? null : Encoding.UTF8.GetBytes(json), DbType.Binary);
        }, reader => NullableInt(reader, reader.GetOrdinal("NewGrainStateVersion")));

    public Task<int?> ClearAsync(GrainKey key, int? etag) =>
        RunAsync("ClearStorageKey", key, command => Bind(command, "GrainStateVersion", etag, DbType.Int32),
            reader => NullableInt(reader, 0));

    public Task<int?> DeleteAsync(GrainKey key, int? etag) =>
        RunAsync("DeleteStorageKey", key, command => Bind(command, "GrainStateVersion", etag, DbType.Int32),
            reader => NullableInt(reader, 0));

    /// <summary>ReadFromStorageKey; null when the grain has no row.</summary>
    public Task<StoredState?> ReadAsync(GrainKey key) =>
        RunAsync<StoredState?>("ReadFromStorageKey", key, _ => { }, reader =>
        {
            var payload = reader.IsDBNull(reader.GetOrdinal("PayloadBinary"))
                ? null
                : Encoding.UTF8.GetString((byte[])reader["PayloadBinary"]);
            return new StoredState(payload, NullableInt(reader, reader.GetOrdinal("Version")));
        });

    private async Task<T?> RunAsync<T>(
        string queryKey, GrainKey key, Action<NpgsqlCommand> bindMore, Func<NpgsqlDataReader, T> read)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        string queryText;
        await using (var lookup = new NpgsqlCommand("SELECT querytext FROM orleansquery WHERE querykey = $1", connection))
        {
            lookup.Parameters.Add(new NpgsqlParameter { Value = queryKey });
            queryText = (string?)await lookup.ExecuteScalarAsync()
                ?? throw new InvalidOperationException($"OrleansQuery has no {queryKey}.");
        }

        await using var command = new NpgsqlCommand(queryText, connection);
        Bind(command, "GrainIdHash", Hasher.Hash(key.HashBytes()), DbType.Int32);
        Bind(command, "GrainIdN0", key.N0, DbType.Int64);
        Bind(command, "GrainIdN1", key.N1, DbType.Int64);
        Bind(command, "GrainTypeHash", Hasher.Hash(Encoding.UTF8.GetBytes(key.StateName)), DbType.Int32);
        Bind(command, "GrainTypeString", key.StateName, DbType.String);
        Bind(command, "GrainIdExtensionString", key.Extension, DbType.String);
        Bind(command, "ServiceId", serviceId, DbType.String);
        bindMore(command);

        await using var reader = await command.ExecuteReaderAsync();
        return await reader.ReadAsync() ? read(reader) : default;
    }

    private static void Bind(NpgsqlCommand command, string name, object? value, DbType type)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name;
        parameter.Value = value ?? DBNull.Value;
        parameter.DbType = type;
        command.Parameters.Add(parameter);
    }

    private static int? NullableInt(NpgsqlDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : Convert.ToInt32(reader.GetValue(ordinal), System.Globalization.CultureInfo.InvariantCulture);
}

/// <summary>How Orleans keys a storage row: state name plus N0/N1 (integer or Guid keys) and a string part.</summary>
internal sealed record GrainKey(string StateName, long N0, long N1, string? Extension)
{
    public static GrainKey ForString(string stateName, string key) => new(stateName, 0, 0, key);

    public static GrainKey ForInteger(string stateName, long key) => new(stateName, 0, key, null);

    public byte[] HashBytes()
    {
        // Same bytes Orleans hashes; the value only has to be stable, our schema does not key on it.
        var bytes = Extension is not null && N0 == 0 && N1 == 0
            ? Encoding.UTF8.GetBytes(Extension)
            : [.. BitConverter.GetBytes(N1), .. Encoding.UTF8.GetBytes(Extension ?? "")];
        Array.Reverse(bytes);
        return bytes;
    }
}

internal sealed record StoredState(string? Json, int? Version);
