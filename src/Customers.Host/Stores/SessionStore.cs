using System.Text.Json;
using Npgsql;
using NpgsqlTypes;

namespace Customers.Host.Stores;

/// <summary>Server-side sessions (<c>connect.sid</c>) in PostgreSQL, so any silo can serve a session's requests.</summary>
internal sealed class SessionStore(NpgsqlDataSource database, TimeProvider time)
{
    public async Task CreateAsync(string sessionId, string claimsJson, TimeSpan ttl, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var command = database.CreateCommand(
            """
            INSERT INTO auth_session (id, claims, created_at, expires_at) VALUES ($1, $2, $3, $4)
            ON CONFLICT (id) DO UPDATE SET claims = EXCLUDED.claims, expires_at = EXCLUDED.expires_at
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = sessionId });
        command.Parameters.Add(new NpgsqlParameter { Value = claimsJson, NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        command.Parameters.Add(new NpgsqlParameter { Value = now + ttl });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>The session's claims, or null when it does not exist or expired.</summary>
    public async Task<JsonElement?> FindAsync(string sessionId, CancellationToken ct)
    {
        await using var command = database.CreateCommand("SELECT claims::text FROM auth_session WHERE id = $1 AND expires_at > $2");
        command.Parameters.Add(new NpgsqlParameter { Value = sessionId });
        command.Parameters.Add(new NpgsqlParameter { Value = time.GetUtcNow() });
        return await command.ExecuteScalarAsync(ct) is string json ? JsonDocument.Parse(json).RootElement : null;
    }

    public async Task DeleteAsync(string sessionId, CancellationToken ct)
    {
        await using var command = database.CreateCommand("DELETE FROM auth_session WHERE id = $1 OR expires_at < $2");
        command.Parameters.Add(new NpgsqlParameter { Value = sessionId });
        command.Parameters.Add(new NpgsqlParameter { Value = time.GetUtcNow() });
        await command.ExecuteNonQueryAsync(ct);
    }
}
