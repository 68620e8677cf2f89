using System.Collections.Concurrent;
using System.Security.Cryptography;
using Customers.Abstractions.Ids;
using Npgsql;

namespace Customers.Host.Storage;

/// <summary>API keys in PostgreSQL. Publishable-key checks run on every store request, so answers are cached per
/// silo for a short time; a revoked key stops working within <see cref="CacheLifetime"/>.</summary>
internal sealed class ApiKeyStore(NpgsqlDataSource database, TimeProvider time)
{
    public static readonly TimeSpan CacheLifetime = TimeSpan.FromSeconds(5);
    private const int MaxCachedKeys = 10_000;

    private readonly ConcurrentDictionary<string, (bool Valid, long ExpiresAt)> _publishable = new(StringComparer.Ordinal);

    public enum KeyType
    {
        Publishable,
        Secret,
    }

    public sealed record CreatedKey(string Id, string Token);

    public async ValueTask<bool> IsValidPublishableKeyAsync(string token, CancellationToken ct)
    {
        var now = time.GetTimestamp();
        if (_publishable.TryGetValue(token, out var cached) && cached.ExpiresAt > now)
        {
            return cached.Valid;
        }

        await using var command = database.CreateCommand(
            "SELECT EXISTS (SELECT 1 FROM api_key WHERE token = $1 AND type = 'publishable' AND deleted_at IS NULL AND (revoked_at IS NULL OR revoked_at > now()))");
        command.Parameters.Add(new NpgsqlParameter { Value = token });
        var valid = (bool)(await command.ExecuteScalarAsync(ct))!;
        if (_publishable.Count >= MaxCachedKeys)
        {
            // Random junk keys must not grow the cache without bound.
            _publishable.Clear();
        }

        _publishable[token] = (valid, now + (long)(CacheLifetime.TotalSeconds * time.TimestampFrequency));
        return valid;
    }

    public async Task<CreatedKey> CreateAsync(KeyType type, string title, string createdBy, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var id = EntityId.New(EntityId.ApiKey, now);
        var secret = Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(32));
        var token = (type == KeyType.Publishable ? "pk_" : "sk_") + secret;
        // Secret keys are stored only as a hash; publishable keys are public by nature.
        var stored = type == KeyType.Publishable ? token : Convert.ToHexStringLower(SHA256.HashData(System.Text.Encoding.UTF8.GetBytes(token)));
        var redacted = token[..6] + "***" + token[^3..];
        await using var command = database.CreateCommand(
            "INSERT INTO api_key (id, token, redacted, title, type, created_by, created_at, updated_at) VALUES ($1, $2, $3, $4, $5, $6, $7, $7)");
        command.Parameters.Add(new NpgsqlParameter { Value = id });
        command.Parameters.Add(new NpgsqlParameter { Value = stored });
        command.Parameters.Add(new NpgsqlParameter { Value = redacted });
        command.Parameters.Add(new NpgsqlParameter { Value = title });
        command.Parameters.Add(new NpgsqlParameter { Value = type == KeyType.Publishable ? "publishable" : "secret" });
        command.Parameters.Add(new NpgsqlParameter { Value = createdBy });
        command.Parameters.Add(new NpgsqlParameter { Value = now });
        await command.ExecuteNonQueryAsync(ct);
        return new CreatedKey(id, token);
    }
}
