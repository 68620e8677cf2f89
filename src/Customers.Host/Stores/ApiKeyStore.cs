using System.Collections.Concurrent;
using System.Data.Common;
using System.Security.Cryptography;
using System.Text;
using Customers.Abstractions.Errors;
using Customers.Abstractions.Ids;
using Customers.Host.Database;
using Customers.Host.ReadModel.Sql;
using Customers.Medusa;
using Microsoft.Extensions.Options;
using Npgsql;
using NpgsqlTypes;

namespace Customers.Host.Stores;

/// <summary>
/// API keys in PostgreSQL. Key checks run on every store request (publishable) and every admin request made with a
/// secret key, so answers are cached per silo for <see cref="ApiKeyOptions.CacheLifetime"/>. Revoking or deleting a key drops it
/// from this silo's cache at once; other silos stop accepting it within <see cref="ApiKeyOptions.CacheLifetime"/>.
/// Secret keys are stored only as the hex SHA-256 of the token: the token is shown once, when it is created.
/// </summary>
internal sealed class ApiKeyStore(NpgsqlDataSource database, ListDatabase lists, TimeProvider time, IOptions<ApiKeyOptions> options)
{
    private const int MaxCachedKeys = 10_000;

    /// <summary>Secret tokens are <c>sk_</c> and 64 hex characters; anything much longer is not worth hashing.</summary>
    private const int MaxTokenLength = 256;

    private const string Columns =
        "id, token, redacted, title, type, last_used_at, created_by, created_at, updated_at, revoked_by, revoked_at, deleted_at";

    private readonly ConcurrentDictionary<string, (bool Valid, long ExpiresAt)> _publishable = new(StringComparer.Ordinal);

    // Keyed by the token's hash (what the table stores), valued by the key's id or null for "no such live key".
    private readonly ConcurrentDictionary<string, (string? Id, long ExpiresAt)> _secret = new(StringComparer.Ordinal);

    public enum KeyType
    {
        Publishable,
        Secret,
    }

    /// <summary>A stored key. <see cref="Token"/> is the publishable token, or the hash of a secret one.</summary>
    public sealed record ApiKeyRecord(
        string Id,
        string Token,
        string Redacted,
        string Title,
        string Type,
        DateTimeOffset? LastUsedAt,
        string CreatedBy,
        DateTimeOffset CreatedAt,
        DateTimeOffset UpdatedAt,
        string? RevokedBy,
        DateTimeOffset? RevokedAt,
        DateTimeOffset? DeletedAt)
    {
        public bool IsSecret => Type == "secret";
    }

    /// <summary>A new key with its token in plain text (the only time a secret token is ever seen).</summary>
    public sealed record CreatedKey(string Id, string Token, ApiKeyRecord Key);

    /// <summary>The columns an admin list may filter and order by.</summary>
    public static readonly IReadOnlyDictionary<string, SqlColumn> ListColumns = new Dictionary<string, SqlColumn>(StringComparer.Ordinal)
    {
        ["id"] = new("k.id", NpgsqlDbType.Text),
        ["title"] = new("k.title", NpgsqlDbType.Text),
        ["token"] = new("k.token", NpgsqlDbType.Text),
        ["redacted"] = new("k.redacted", NpgsqlDbType.Text),
        ["type"] = new("k.type", NpgsqlDbType.Text),
        ["created_by"] = new("k.created_by", NpgsqlDbType.Text),
        ["revoked_by"] = new("k.revoked_by", NpgsqlDbType.Text),
        ["last_used_at"] = new("k.last_used_at", NpgsqlDbType.TimestampTz),
        ["created_at"] = new("k.created_at", NpgsqlDbType.TimestampTz),
        ["updated_at"] = new("k.updated_at", NpgsqlDbType.TimestampTz),
        ["deleted_at"] = new("k.deleted_at", NpgsqlDbType.TimestampTz),
        ["revoked_at"] = new("k.revoked_at", NpgsqlDbType.TimestampTz),
    };

    // Medusa's searchable api_key columns.
    private static readonly SqlFilter ListFilter = new(ListColumns, ["k.title", "k.redacted"]);

    public async ValueTask<bool> IsValidPublishableKeyAsync(string token, CancellationToken ct)
    {
        var now = time.GetTimestamp();
        if (_publishable.TryGetValue(token, out var cached) && cached.ExpiresAt > now)
        {
            return cached.Valid;
        }

        // Revocation times are compared with the host's clock, the one that wrote them.
        await using var command = database.CreateCommand(
            "SELECT EXISTS (SELECT 1 FROM api_key WHERE token = $1 AND type = 'publishable' AND deleted_at IS NULL AND (revoked_at IS NULL OR revoked_at > $2))");
        command.Parameters.Add(new NpgsqlParameter { Value = token });
        command.Parameters.Add(new NpgsqlParameter { Value = time.GetUtcNow() });
        bool valid;
        try
        {
            valid = (bool)(await command.ExecuteScalarAsync(ct))!;
        }
        catch (NpgsqlException unreachable) when (unreachable.IsTransient && cached.ExpiresAt != 0)
        {
            // While PostgreSQL is unreachable, the last answer stands: storefront reads served from grain memory
            // keep working (docs/operations.md, "PostgreSQL outages"); it is checked again once the database is back.
            return cached.Valid;
        }

        if (_publishable.Count >= MaxCachedKeys)
        {
            // Random junk keys must not grow the cache without bound.
            _publishable.Clear();
        }

        _publishable[token] = (valid, now + CacheTicks);
        return valid;
    }

    /// <summary>
    /// The id of the live (not revoked, not deleted) secret key with this token, or null. A lookup that reaches the
    /// database also stamps the key's <c>last_used_at</c>, so it is at most <see cref="ApiKeyOptions.CacheLifetime"/> stale per silo.
    /// </summary>
    public async ValueTask<string?> FindSecretKeyAsync(string token, CancellationToken ct)
    {
        if (token.Length > MaxTokenLength || !token.StartsWith("sk_", StringComparison.Ordinal))
        {
            return null;
        }

        var hash = Hash(token);
        var now = time.GetTimestamp();
        if (_secret.TryGetValue(hash, out var cached) && cached.ExpiresAt > now)
        {
            return cached.Id;
        }

        await using var command = database.CreateCommand(
            """
            UPDATE api_key SET last_used_at = $2
            WHERE token = $1 AND type = 'secret' AND deleted_at IS NULL AND (revoked_at IS NULL OR revoked_at > $2)
            RETURNING id
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = hash });
        command.Parameters.Add(new NpgsqlParameter { Value = time.GetUtcNow() });
        var id = await command.ExecuteScalarAsync(ct) as string;
        if (_secret.Count >= MaxCachedKeys)
        {
            _secret.Clear();
        }

        _secret[hash] = (id, now + CacheTicks);
        return id;
    }

    public async Task<CreatedKey> CreateAsync(KeyType type, string title, string createdBy, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var id = EntityId.New(EntityId.ApiKey, now);
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var token = (type == KeyType.Publishable ? "pk_" : "sk_") + secret;
        // Secret keys are stored only as a hash; publishable keys are public by nature.
        var stored = type == KeyType.Publishable ? token : Hash(token);
        var redacted = token[..6] + "***" + token[^3..];
        await using var command = database.CreateCommand(
            $"INSERT INTO api_key (id, token, redacted, title, type, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7) RETURNING {Columns}");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = stored });
        command.Parameters.Add(new NpgsqlParameter { Value = redacted });
        command.Parameters.Add(new NpgsqlParameter { Value = title });
        command.Parameters.Add(new NpgsqlParameter { Value = type == KeyType.Publishable ? "publishable" : "secret" });
        command.Parameters.Add(new NpgsqlParameter { Value = createdBy });
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        var key = await ReadOneAsync(command, ct);
        return new CreatedKey(id, token, key!);
    }

    /// <summary>A page of live keys.</summary>
    public Task<ReadPage<ApiKeyRecord>> ListAsync(Filter filter, ListQuery page, CancellationToken ct)
    {
        var parameters = new SqlParameters();
        var where = "k.deleted_at IS NULL AND " + ListFilter.Translate(filter, parameters);
        return SqlPage.ReadAsync(
            lists, $"SELECT {Columns} FROM api_key k", "api_key k", where, ListFilter.OrderBy(page, "id", "k.id"), parameters, page, Read, ct);
    }

    public async Task<ApiKeyRecord?> GetAsync(string id, CancellationToken ct)
    {
        await using var command = database.CreateCommand($"SELECT {Columns} FROM api_key WHERE id = $1 AND deleted_at IS NULL");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        return await ReadOneAsync(command, ct);
    }

    /// <summary>Renames a key. NotFound when there is no such live key.</summary>
    public async Task<ApiKeyRecord> UpdateTitleAsync(string id, string title, CancellationToken ct)
    {
        await using var command = database.CreateCommand(
            $"UPDATE api_key SET title = $2, updated_at = $3 WHERE id = $1 AND deleted_at IS NULL RETURNING {Columns}");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = title });
        command.Parameters.Add(new NpgsqlParameter { Value = time.GetUtcNow() });
        return await ReadOneAsync(command, ct) ?? throw NotFound(id);
    }

    /// <summary>
    /// Revokes a key now, or <paramref name="revokeIn"/> from now (Medusa's <c>revoke_in</c>). As in Medusa, a secret key
    /// is revoked once (InvalidData after that); a publishable key's revocation may be moved. NotFound for no such key.
    /// </summary>
    public async Task<ApiKeyRecord> RevokeAsync(string id, string revokedBy, TimeSpan revokeIn, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        await using var command = database.CreateCommand(
            $"""
            WITH target AS (SELECT id, type, revoked_at FROM api_key WHERE id = $1 AND deleted_at IS NULL FOR UPDATE)
            UPDATE api_key k SET revoked_at = $2, revoked_by = $3, updated_at = $4
            FROM target
            WHERE k.id = target.id AND NOT (target.type = 'secret' AND target.revoked_at IS NOT NULL)
            RETURNING {string.Join(", ", Columns.Split(", ").Select(c => "k." + c))}
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = now + revokeIn });
        command.Parameters.Add(new NpgsqlParameter { Value = revokedBy });
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        if (await ReadOneAsync(command, ct) is { } revoked)
        {
            Forget(revoked.Token);
            return revoked;
        }

        throw await GetAsync(id, ct) is null
            ? NotFound(id)
            : CustomersException.InvalidData("There are 1 secret keys that are already revoked.");
    }

    /// <summary>
    /// Deletes a revoked key (the row is removed). A key that is not revoked yet cannot be deleted (NotAllowed, as in
    /// Medusa); a missing one is no error.
    /// </summary>
    public async Task DeleteAsync(string id, CancellationToken ct)
    {
        await using var command = database.CreateCommand(
            "DELETE FROM api_key WHERE id = $1 AND revoked_at IS NOT NULL AND revoked_at <= $2 RETURNING token");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = time.GetUtcNow() });
        if (await command.ExecuteScalarAsync(ct) is string token)
        {
            Forget(token);
            return;
        }

        if (await GetAsync(id, ct) is not null)
        {
            throw new CustomersException(ErrorKind.NotAllowed, $"Cannot delete api keys that are not revoked - {id}");
        }
    }

    /// <summary>The hex SHA-256 a secret token is stored as.</summary>
    public static string Hash(string token) => Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(token)));

    private static CustomersException NotFound(string id) => CustomersException.NotFound($"API Key with id: {id} was not found");

    private long CacheTicks => (long)(options.Value.CacheLifetime.TotalSeconds * time.TimestampFrequency);

    /// <summary>Drops a key from this silo's caches (by its stored token: the publishable token or the secret's hash).</summary>
    private void Forget(string storedToken)
    {
        _publishable.TryRemove(storedToken, out _);
        _secret.TryRemove(storedToken, out _);
    }

    private static async Task<ApiKeyRecord?> ReadOneAsync(NpgsqlCommand command, CancellationToken ct)
    {
        await using var reader = await command.ExecuteReaderAsync(ct);
        return await reader.ReadAsync(ct) ? Read(reader) : null;
    }

    private static ApiKeyRecord Read(DbDataReader row) => new(
        row.GetString(0),
        row.GetString(1),
        row.GetString(2),
        row.GetString(3),
        row.GetString(4),
        row.IsDBNull(5) ? null : row.GetFieldValue<DateTimeOffset>(5),
        row.GetString(6),
        row.GetFieldValue<DateTimeOffset>(7),
        row.GetFieldValue<DateTimeOffset>(8),
        row.IsDBNull(9) ? null : row.GetString(9),
        row.IsDBNull(10) ? null : row.GetFieldValue<DateTimeOffset>(10),
        row.IsDBNull(11) ? null : row.GetFieldValue<DateTimeOffset>(11));
}
