using System.Text.Json.Nodes;

namespace Customers.Medusa;

/// <summary>Parses and strictly validates a route's query string (qs semantics,
/// docs/medusa-compatibility.md §2.4-§2.5).</summary>
public static class RequestQuery
{
    public static MedusaResult<JsonObject> Read(HttpRequest request, ObjectSchema schema)
    {
        // The hot read routes are usually called without a query: skip the parser entirely.
        if (!request.QueryString.HasValue)
        {
            return new JsonObject();
        }

        if (!QueryStringParser.Parse(request.QueryString.Value).TryGetValue(out var query, out var error))
        {
            return error;
        }

        return (StorableText.Check(query) ?? schema.Validate(query)) is { } invalid ? invalid : query;
    }

    /// <summary>Reads the body and validates it against <paramref name="schema"/>.</summary>
    public static async ValueTask<MedusaResult<JsonObject>> ReadBodyAsync(HttpRequest request, ObjectSchema schema)
    {
        if (!(await BodyReader.ReadAsync(request, request.HttpContext.RequestAborted)).TryGetValue(out var body, out var error))
        {
            return error;
        }

        return schema.Validate(body) is { } invalid ? invalid : body;
    }
}
