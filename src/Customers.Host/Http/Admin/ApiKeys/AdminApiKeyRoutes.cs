using System.Text.Json;
using System.Text.Json.Nodes;
using Customers.Host.Auth;
using Customers.Host.Http.OpenApi;
using Customers.Host.Stores;
using Customers.Medusa;

namespace Customers.Host.Http.Admin.ApiKeys;

/// <summary>
/// <c>/admin/api-keys</c>: create, list, rename, revoke and delete publishable and secret keys. A revoked key stops
/// working at once on the silo that revoked it and within <see cref="ApiKeyOptions.CacheLifetime"/> on the others.
/// </summary>
internal static class AdminApiKeyRoutes
{
    private const int DefaultLimit = 20;
    private static readonly string[] Types = ["publishable", "secret"];

    /// <summary>At most about 100 years ahead: further is no schedule, and would overflow a timestamp.</summary>
    private const double MaxRevokeInSeconds = 100 * 365.25 * 24 * 3600;

    private static readonly FieldRules KeyFields = new(ApiKeyWire.Defaults);

    private static readonly FilterSet Filters = new(
        search: true,
        andOr: true,
        new FilterField("id", FilterKind.Text),
        new FilterField("title", FilterKind.Text),
        new FilterField("token", FilterKind.Text),
        new FilterField("type", FilterKind.Enum, Types),
        new FilterField("created_at", FilterKind.TimestampOperators),
        new FilterField("updated_at", FilterKind.TimestampOperators),
        new FilterField("deleted_at", FilterKind.TimestampOperators),
        new FilterField("revoked_at", FilterKind.TimestampOperators));

    private static readonly ObjectSchema ListSchema = Filters.ListSchema();
    private static readonly string[] OrderFields = [.. ApiKeyStore.ListColumns.Keys];

    private static readonly ObjectSchema CreateBody = new(Field.RequiredString("title"), Field.RequiredString("type"));
    private static readonly ObjectSchema UpdateBody = new(Field.RequiredString("title"));
    private static readonly ObjectSchema RevokeBody = new(Field.Custom("revoke_in", CheckRevokeIn));

    internal static async Task<IResult> ListAsync(HttpContext http, ApiKeyStore store)
    {
        if (!RequestQuery.Read(http.Request, ListSchema).TryGetValue(out var query, out var error)
            || !ListQuery.Parse(query, OrderFields, DefaultLimit).TryGetValue(out var page, out error)
            || !KeyFields.Select(query).TryGetValue(out var fields, out error)
            || !Filters.Parse(query).TryGetValue(out var filter, out error))
        {
            return error.ToResult();
        }

        var keys = await store.ListAsync(filter, page, http.RequestAborted);
        var items = new JsonArray();
        foreach (var key in keys.Items)
        {
            items.Add(Project(key, fields));
        }

        return JsonBodyResult.Of(Envelopes.ListJson("api_keys", items, keys.Count, page.Offset, page.Limit));
    }

    /// <summary>The answer holds the token in plain text: for a secret key, the only time it is ever shown.</summary>
    internal static async Task<IResult> CreateAsync(HttpContext http, ApiKeyStore store)
    {
        if (!(await RequestQuery.ReadBodyAsync(http.Request, CreateBody)).TryGetValue(out var body, out var error)
            || !AdminQuery.Fields(http, KeyFields).TryGetValue(out _, out error))
        {
            return error.ToResult();
        }

        var type = body["type"]!.GetValue<string>();
        if (!Types.Contains(type, StringComparer.Ordinal))
        {
            return Validation.Fail($"Invalid enum value. Expected 'publishable' | 'secret', received '{type}'").ToResult();
        }

        var created = await store.CreateAsync(
            type == "secret" ? ApiKeyStore.KeyType.Secret : ApiKeyStore.KeyType.Publishable,
            body["title"]!.GetValue<string>(),
            http.GetActor().ActorId,
            http.RequestAborted);
        return JsonBodyResult.Wrapped("api_key", ApiKeyWire.Created(created));
    }

    internal static async Task<IResult> GetAsync(string id, HttpContext http, ApiKeyStore store)
    {
        if (!AdminQuery.Fields(http, KeyFields).TryGetValue(out var fields, out var error))
        {
            return error.ToResult();
        }

        var key = await store.GetAsync(id, http.RequestAborted);
        return key is null
            ? MedusaError.NotFound($"API Key with id: {id} was not found").ToResult()
            : JsonBodyResult.Wrapped("api_key", Project(key, fields));
    }

    internal static async Task<IResult> UpdateAsync(string id, HttpContext http, ApiKeyStore store)
    {
        if (!(await RequestQuery.ReadBodyAsync(http.Request, UpdateBody)).TryGetValue(out var body, out var error)
            || !AdminQuery.Fields(http, KeyFields).TryGetValue(out var fields, out error))
        {
            return error.ToResult();
        }

        var key = await store.UpdateTitleAsync(id, body["title"]!.GetValue<string>(), http.RequestAborted);
        return JsonBodyResult.Wrapped("api_key", Project(key, fields));
    }

    /// <summary>Only a revoked key can be deleted (400 <c>not_allowed</c> otherwise); a missing one answers 200 too.</summary>
    internal static async Task<IResult> DeleteAsync(string id, HttpContext http, ApiKeyStore store)
    {
        await store.DeleteAsync(id, http.RequestAborted);
        return JsonBodyResult.Of(new JsonObject { ["id"] = id, ["object"] = "api_key", ["deleted"] = true });
    }

    internal static async Task<IResult> RevokeAsync(string id, HttpContext http, ApiKeyStore store)
    {
        if (!(await RequestQuery.ReadBodyAsync(http.Request, RevokeBody)).TryGetValue(out var body, out var error)
            || !AdminQuery.Fields(http, KeyFields).TryGetValue(out var fields, out error))
        {
            return error.ToResult();
        }

        // As in Medusa, only a positive revoke_in schedules the revocation; anything else revokes now.
        var seconds = body["revoke_in"] is JsonValue value ? value.GetValue<double>() : 0;
        var key = await store.RevokeAsync(
            id, http.GetActor().ActorId, TimeSpan.FromSeconds(Math.Max(0, seconds)), http.RequestAborted);
        return JsonBodyResult.Wrapped("api_key", Project(key, fields));
    }

    private static string? CheckRevokeIn(JsonNode? node, string name)
    {
        if (node is not JsonValue value || value.GetValueKind() != JsonValueKind.Number)
        {
            return Validation.ExpectedType("number", name, node);
        }

        return value.GetValue<double>() > MaxRevokeInSeconds ? Validation.TooBig(name, (long)MaxRevokeInSeconds) : null;
    }

    private static JsonObject Project(ApiKeyStore.ApiKeyRecord key, FieldSelection fields) =>
        Fields.Project(ApiKeyWire.Key(key), fields, ApiKeyWire.RelationColumns);

    /// <summary>The OpenAPI description of these routes.</summary>
    internal static class Docs
    {
        public static readonly RouteDoc List = new("AdminListApiKeys", "List and search API keys", WireSchemas.Page("api_keys", WireSchemas.ApiKey))
        {
            Query = ListSchema,
        };

        public static readonly RouteDoc Create = new(
            "AdminCreateApiKey", "Create a publishable or secret API key", WireSchemas.One("api_key", WireSchemas.CreatedApiKey))
        {
            Query = AdminQuery.FieldsOnly,
            Body = JsonSchemas.Of(CreateBody),
        };

        public static readonly RouteDoc Get = new("AdminGetApiKey", "Get an API key", Key())
        {
            Query = AdminQuery.FieldsOnly,
            Errors = [StatusCodes.Status404NotFound],
        };

        public static readonly RouteDoc Update = new("AdminUpdateApiKey", "Rename an API key", Key())
        {
            Query = AdminQuery.FieldsOnly,
            Body = JsonSchemas.Of(UpdateBody),
            Errors = [StatusCodes.Status404NotFound],
        };

        public static readonly RouteDoc Delete = new("AdminDeleteApiKey", "Delete a revoked API key", JsonSchemas.Deleted("api_key"))
        {
            Errors = [StatusCodes.Status400BadRequest],
        };

        public static readonly RouteDoc Revoke = new("AdminRevokeApiKey", "Revoke an API key, now or later", Key())
        {
            Query = AdminQuery.FieldsOnly,
            Body = JsonSchemas.Of(RevokeBody),
            Errors = [StatusCodes.Status404NotFound],
        };

        private static JsonObject Key() => WireSchemas.One("api_key", WireSchemas.ApiKey);
    }
}
