using System.Text.Json.Nodes;
using Customers.Host.Auth;
using Customers.Host.Http.OpenApi;
using Customers.Host.Stores;
using Customers.Medusa;

namespace Customers.Host.Http.Admin.Users;

/// <summary><c>/admin/users</c>: the signed-in admin user, which the dashboard asks for right after login.</summary>
internal static class AdminUserRoutes
{
    private static readonly FieldRules UserFields = new(
        ["id", "first_name", "last_name", "email", "avatar_url", "metadata", "created_at", "updated_at", "deleted_at"]);

    /// <summary>
    /// The user of the token or session. As in Medusa, this route takes sessions and bearer tokens only: a secret API
    /// key is no user (401).
    /// </summary>
    internal static async Task<IResult> GetMeAsync(HttpContext http, UserStore users)
    {
        var actor = http.GetActor();
        if (actor.ActorType != AdminGate.UserActorType)
        {
            return MedusaError.AuthMiddlewareUnauthorized().ToResult();
        }

        if (!AdminQuery.Fields(http, UserFields).TryGetValue(out var fields, out var error))
        {
            return error.ToResult();
        }

        var user = await users.FindAsync(actor.ActorId, http.RequestAborted);
        if (user is null)
        {
            return MedusaError.NotFound($"User with id: {actor.ActorId} was not found").ToResult();
        }

        var full = new JsonObject
        {
            ["id"] = user.Id,
            ["email"] = user.Email,
            ["first_name"] = user.FirstName,
            ["last_name"] = user.LastName,
            ["avatar_url"] = user.AvatarUrl,
            ["metadata"] = user.MetadataJson is null ? null : JsonNode.Parse(user.MetadataJson),
            ["created_at"] = MillisecondUtcDateTimeOffsetConverter.Format(user.CreatedAt),
            ["updated_at"] = MillisecondUtcDateTimeOffsetConverter.Format(user.UpdatedAt),
            ["deleted_at"] = user.DeletedAt is { } deleted ? MillisecondUtcDateTimeOffsetConverter.Format(deleted) : null,
        };
        return JsonBodyResult.Wrapped("user", Fields.Project(full, fields, NoRelations));
    }

    private static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> NoRelations = new Dictionary<string, IReadOnlyList<string>>();

    /// <summary>The OpenAPI description of this route.</summary>
    internal static class Docs
    {
        public static readonly RouteDoc GetMe = new(
            "AdminGetCurrentUser", "Get the signed-in admin user (by session or bearer token: a secret key is no user)", WireSchemas.One("user", WireSchemas.User))
        {
            Query = AdminQuery.FieldsOnly,
            Errors = [StatusCodes.Status404NotFound],
        };
    }
}
