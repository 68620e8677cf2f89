using Npgsql;

namespace Customers.Host.Stores;

/// <summary>
/// The <c>state</c> of started redirect sign-ins, in PostgreSQL (<c>oauth_state</c>) so any silo can finish one.
/// Keyed by the SHA-256 of the state value; <see cref="TakeAsync"/> deletes the row as it reads it, so a state is
/// spent by the first callback that presents it, even when that callback fails later.
/// </summary>
internal sealed class OAuthStateStore(NpgsqlDataSource database)
{
    /// <summary>Stores a new state and sweeps expired ones (an indexed range delete) in the same statement.</summary>
    public async Task SaveAsync(OAuthState state, DateTimeOffset now, CancellationToken ct)
    {
        await using var command = database.CreateCommand(
            """
            WITH swept AS (DELETE FROM oauth_state WHERE expires_at < $8)
            INSERT INTO oauth_state (state_hash, provider, actor_type, callback_url, code_verifier, nonce, created_at, expires_at)
            VALUES ($1, $2, $3, $4, $5, $6, $8, $7)
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = state.StateHash });
        command.Parameters.Add(new NpgsqlParameter { Value = state.Provider });
        command.Parameters.Add(new NpgsqlParameter { Value = state.ActorType });
        command.Parameters.Add(new NpgsqlParameter { Value = state.CallbackUrl });
        command.Parameters.Add(new NpgsqlParameter { Value = state.CodeVerifier });
        command.Parameters.Add(new NpgsqlParameter { Value = state.Nonce });
        command.Parameters.Add(new NpgsqlParameter { Value = state.ExpiresAt });
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        await command.ExecuteNonQueryAsync(ct);
    }

    /// <summary>Deletes and returns the state with this hash, or null when there is none (unknown or already
    /// spent). Expiry is the caller's check, so an expired state is spent too.</summary>
    public async Task<OAuthState?> TakeAsync(byte[] stateHash, CancellationToken ct)
    {
        await using var command = database.CreateCommand(
            """
            DELETE FROM oauth_state WHERE state_hash = $1
            RETURNING provider, actor_type, callback_url, code_verifier, nonce, expires_at
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = stateHash });
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }

        return new OAuthState(
            stateHash,
            reader.GetString(0),
            reader.GetString(1),
            reader.GetString(2),
            reader.GetString(3),
            reader.GetString(4),
            reader.GetFieldValue<DateTimeOffset>(5));
    }
}

/// <summary>One started redirect sign-in: where it may come back to and what the callback must repeat.</summary>
internal sealed record OAuthState(
    byte[] StateHash,
    string Provider,
    string ActorType,
    string CallbackUrl,
    string CodeVerifier,
    string Nonce,
    DateTimeOffset ExpiresAt);
