using System.Text.Json.Nodes;
using Microsoft.OpenApi;
using Microsoft.OpenApi.Reader;

namespace Customers.Host.Http.OpenApi;

/// <summary>Turns the JSON Schemas of <see cref="Medusa.JsonSchemas"/> into the document's schema objects.</summary>
internal static class OpenApiJson
{
    public static IOpenApiSchema Schema(JsonObject schema, OpenApiDocument document)
    {
        var parsed = OpenApiModelFactory.Parse<OpenApiSchema>(
            schema.ToJsonString(), OpenApiSpecVersion.OpenApi3_1, document, out var diagnostic, OpenApiConstants.Json);
        return parsed is not null && diagnostic.Errors.Count == 0
            ? parsed
            : throw new InvalidOperationException(
                $"Not a schema: {schema.ToJsonString()}: {string.Join("; ", diagnostic.Errors.Select(error => error.Message))}");
    }
}
