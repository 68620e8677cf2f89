using System.Text.Json.Nodes;
using Customers.Host.Auth;
using Customers.Medusa;

namespace Customers.Host.Http.OpenApi;

/// <summary>
/// What the OpenAPI document says about one route, declared beside its handler and attached in <see cref="RouteMap"/>
/// with <see cref="RouteDocs.Describe"/>. <see cref="Query"/> and <see cref="Body"/> come from the schemas the handler
/// validates with. The 400 of those schemas and the refusals of the gates in front of the route (see
/// <see cref="RequiredCredentials"/>, rate limits) are added by <see cref="RouteDocTransformer"/>, so <see cref="Errors"/> lists
/// only what the handler itself answers.
/// </summary>
/// <param name="Name">The operation id; a route serving several methods gets the method appended (<c>AuthLoginGet</c>).</param>
/// <param name="Summary">One line for the reference page.</param>
/// <param name="Answer">JSON Schema of the success body.</param>
internal sealed record RouteDoc(string Name, string Summary, JsonObject Answer)
{
    /// <summary>The query schema; each of its keys becomes a query parameter.</summary>
    public ObjectSchema? Query { get; init; }

    /// <summary>JSON Schema of the body, usually <see cref="JsonSchemas.Of(ObjectSchema)"/> of the handler's schema.</summary>
    public JsonObject? Body { get; init; }

    /// <summary>Error statuses the handler answers with a Medusa error body.</summary>
    public IReadOnlyList<int> Errors { get; init; } = [];

    public int Status { get; init; } = StatusCodes.Status200OK;

    public string ContentType { get; init; } = "application/json";
}

internal static class RouteDocs
{
    public static RouteHandlerBuilder Describe(this RouteHandlerBuilder route, RouteDoc doc) =>
        route.WithName(doc.Name).WithSummary(doc.Summary).WithMetadata(doc);
}
