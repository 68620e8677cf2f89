using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Xunit;

namespace Customers.Host.Tests.Http.OpenApi;

/// <summary>
/// The served OpenAPI document, and checks of real answers against it: <see cref="Check"/> finds the operation of a
/// request, requires a response declared for the answer's status (the <c>default</c> one does not count) with the
/// answer's media type, and validates the body against its schema with every key declared. A JSON request body the
/// service accepted must fit the operation's body schema too.
/// </summary>
public sealed class OpenApiContract
{
    private readonly List<(string OperationId, int Status)> _seen = [];

    private OpenApiContract(JsonObject document)
    {
        Document = document;
        Validator = new JsonSchemaValidator(document, rejectUndeclared: true);
    }

    public JsonObject Document { get; }

    public JsonSchemaValidator Validator { get; }

    /// <summary>Every operation: method (upper case), path template, operation id (<c>""</c> when it has none), operation object.</summary>
    public IEnumerable<(string Method, string Path, string Id, JsonObject Operation)> Operations =>
        Document["paths"]!.AsObject().SelectMany(path => path.Value!.AsObject().Select(operation => (
            operation.Key.ToUpperInvariant(),
            path.Key,
            operation.Value!["operationId"]?.GetValue<string>() ?? "",
            operation.Value!.AsObject())));

    public static async Task<OpenApiContract> LoadAsync(CustomersApiFactory api)
    {
        var response = (await api.Anonymous.GetAsync("/openapi/v1.json")).Expect(HttpStatusCode.OK);
        return new OpenApiContract(response.Object);
    }

    /// <summary>Sends through <paramref name="client"/> and checks the answer (see the class summary).</summary>
    public async Task<ApiResponse> SendAsync(
        ApiClient client, HttpMethod method, string path, JsonNode? body = null, string? token = null, Action<HttpRequestMessage>? configure = null)
    {
        var response = await client.SendAsync(method, path, body is null ? null : ApiClient.JsonContent(body), token, configure);
        Check(method, path, response, body);
        return response;
    }

    public void Check(HttpMethod method, string path, ApiResponse response, JsonNode? requestBody = null)
    {
        var (template, operation) = Find(method.Method, path);
        var operationId = operation["operationId"]?.GetValue<string>() ?? "(no operation id)";
        var status = (int)response.Status;
        var where = $"{method} {path} ({operationId}) answered {status} {response.Body}";
        var declared = operation["responses"]![status.ToString(CultureInfo.InvariantCulture)]
            ?? throw new Xunit.Sdk.XunitException($"{where}: status {status} is not declared for {template}");
        var mediaType = response.ContentType?.Split(';')[0].Trim() ?? "";
        var schema = declared["content"]?[mediaType]?["schema"]
            ?? throw new Xunit.Sdk.XunitException($"{where}: no schema for {mediaType}");
        var instance = mediaType == "application/json" ? JsonNode.Parse(response.Body) : JsonValue.Create(response.Body);
        var errors = Validator.Validate(instance, schema);
        Assert.True(errors.Count == 0, $"{where}: {string.Join("; ", errors)}");

        if (requestBody is not null && status < 300)
        {
            var bodySchema = operation["requestBody"]?["content"]?["application/json"]?["schema"]
                ?? throw new Xunit.Sdk.XunitException($"{where}: a body was accepted but none is declared");
            // Parsed again: the validator reads numbers as a parser gives them.
            var bodyErrors = Validator.Validate(JsonNode.Parse(requestBody.ToJsonString()), bodySchema);
            Assert.True(bodyErrors.Count == 0, $"{where}: the accepted body {requestBody.ToJsonString()} does not fit: {string.Join("; ", bodyErrors)}");
        }

        _seen.Add((operationId, status));
    }

    /// <summary>
    /// Each of <paramref name="operationIds"/> was answered with its success status, and at least one of them with an
    /// error, all checked.
    /// </summary>
    public void AssertCovered(IEnumerable<string> operationIds)
    {
        var ids = operationIds.ToList();
        foreach (var id in ids)
        {
            var success = Operations.Single(o => o.Id == id).Operation["responses"]!
                .AsObject().Select(r => r.Key).First(key => key.StartsWith('2'));
            Assert.True(_seen.Contains((id, int.Parse(success, CultureInfo.InvariantCulture))), $"{id} was not answered with {success}");
        }

        Assert.Contains(_seen, seen => ids.Contains(seen.OperationId) && seen.Status >= 400);
    }

    /// <summary>The operation routing would pick: the matching template with the most literal segments.</summary>
    private (string Template, JsonObject Operation) Find(string method, string path)
    {
        var segments = path.Split('?')[0].Trim('/').Split('/');
        var match = Operations
            .Where(o => o.Method == method)
            .Select(o => (o.Path, o.Operation, Segments: o.Path.Trim('/').Split('/')))
            .Where(o => o.Segments.Length == segments.Length
                && o.Segments.Zip(segments).All(pair => pair.First.StartsWith('{') || pair.First == pair.Second))
            .OrderByDescending(o => o.Segments.Count(segment => !segment.StartsWith('{')))
            .FirstOrDefault();
        return match.Operation is null
            ? throw new Xunit.Sdk.XunitException($"No operation in the document for {method} {path}")
            : (match.Path, match.Operation);
    }
}
