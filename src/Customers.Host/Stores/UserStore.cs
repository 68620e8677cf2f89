using Npgsql;

namespace Customers.Host.Stores;

/// <summary>Admin users (Medusa's <c>user</c>, table <c>app_user</c>).</summary>
internal sealed class UserStore(NpgsqlDataSource database)
{
    /// <summary>A user row. <see cref="MetadataJson"/> is a JSON object or null.</summary>
    public sealed record AppUser(
        string Id,
        string Email,
        string? FirstName,
        string? LastName,
        string? AvatarUrl,
        string? MetadataJson,
        DateTimeOffset CreatedAt,
        DateTimeOffset UpdatedAt,
        DateTimeOffset? DeletedAt);

    /// <summary>The live user with this id, or null.</summary>
    public async Task<AppUser?> FindAsync(string id, CancellationToken ct)
    {
        await using var command = database.CreateCommand(
            """
            SELECT id, email, first_name, last_name, avatar_url, metadata::text, created_at, updated_at, deleted_at
            FROM app_user WHERE id = $1 AND deleted_at IS NULL
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        await using var reader = await command.ExecuteReaderAsync(ct);
        if (!await reader.ReadAsync(ct))
        {
            return null;
        }

        return new AppUser(
            reader.GetString(0),
            reader.GetString(1),
            reader.IsDBNull(2) ? null : reader.GetString(2),
            reader.IsDBNull(3) ? null : reader.GetString(3),
            reader.IsDBNull(4) ? null : reader.GetString(4),
            reader.IsDBNull(5) ? null : reader.GetString(5),
            reader.GetFieldValue<DateTimeOffset>(6),
            reader.GetFieldValue<DateTimeOffset>(7),
            reader.IsDBNull(8) ? null : reader.GetFieldValue<DateTimeOffset>(8));
    }

    /// <summary>Inserts a user; a live user with the same e-mail is a unique violation (<c>ix_app_user_email</c>).</summary>
    public async Task CreateAsync(string id, string email, DateTimeOffset now, CancellationToken ct)
    {
        await using var insert = database.CreateCommand("INSERT INTO app_user (id, email, created_at, updated_at) VALUES ($1, $2, $3, $3)");
        insert.Parameters.Add(new NpgsqlParameter { Value = id });
        insert.Parameters.Add(new NpgsqlParameter { Value = email });
        insert.Parameters.Add(new NpgsqlParameter { Value = now });
        await insert.ExecuteNonQueryAsync(ct);
    }
}
