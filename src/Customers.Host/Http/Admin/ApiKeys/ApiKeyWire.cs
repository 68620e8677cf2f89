using System.Text.Json.Nodes;
using Customers.Host.Stores;
using Customers.Medusa;

namespace Customers.Host.Http.Admin.ApiKeys;

/// <summary>API keys as Medusa's JSON objects. A secret key's token is never shown again after it is created.</summary>
internal static class ApiKeyWire
{
    public const string SalesChannels = "sales_channels";

    /// <summary>Medusa's default field set of the api-key routes.</summary>
    public static readonly string[] Defaults =
    [
        "id", "title", "token", "redacted", "type", "last_used_at", "updated_at", "created_at", "created_by", "revoked_at",
        "revoked_by", "sales_channels.id", "sales_channels.name",
    ];

    /// <summary>Sales channels live elsewhere (not in this service): the relation is always empty here.</summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> RelationColumns =
        new Dictionary<string, IReadOnlyList<string>> { [SalesChannels] = ["id", "name"] };

    /// <summary>Every column; <c>token</c> is the publishable token, and empty for a secret key (Medusa's <c>omitToken</c>).</summary>
    public static JsonObject Key(ApiKeyStore.ApiKeyRecord key) => new()
    {
        ["id"] = key.Id,
        ["title"] = key.Title,
        ["token"] = key.IsSecret ? "" : key.Token,
        ["redacted"] = key.Redacted,
        ["type"] = key.Type,
        ["last_used_at"] = Timestamp(key.LastUsedAt),
        ["updated_at"] = Timestamp(key.UpdatedAt),
        ["created_at"] = Timestamp(key.CreatedAt),
        ["created_by"] = key.CreatedBy,
        ["revoked_at"] = Timestamp(key.RevokedAt),
        ["revoked_by"] = key.RevokedBy,
        ["deleted_at"] = Timestamp(key.DeletedAt),
    };

    /// <summary>
    /// The answer to a create: the new row as Medusa's module returns it (no re-fetch, so no <c>fields</c>), with the
    /// token in plain text. For a secret key this is the only time it is ever shown.
    /// </summary>
    public static JsonObject Created(ApiKeyStore.CreatedKey created) => new()
    {
        ["id"] = created.Key.Id,
        ["token"] = created.Token,
        ["redacted"] = created.Key.Redacted,
        ["title"] = created.Key.Title,
        ["type"] = created.Key.Type,
        ["last_used_at"] = Timestamp(created.Key.LastUsedAt),
        ["created_by"] = created.Key.CreatedBy,
        ["created_at"] = Timestamp(created.Key.CreatedAt),
        ["updated_at"] = Timestamp(created.Key.UpdatedAt),
        ["revoked_by"] = created.Key.RevokedBy,
        ["revoked_at"] = Timestamp(created.Key.RevokedAt),
        ["deleted_at"] = Timestamp(created.Key.DeletedAt),
    };

    private static string? Timestamp(DateTimeOffset? value) =>
        value is { } time ? MillisecondUtcDateTimeOffsetConverter.Format(time) : null;
}
