using System.Globalization;
using Customers.Host.Auth;
using Customers.Medusa;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.AspNetCore.RateLimiting;
using Microsoft.OpenApi;

namespace Customers.Host.Http.OpenApi;

/// <summary>
/// Fills in an operation from its route's <see cref="RouteDoc"/>: operation id, query parameters, body, the success
/// answer, and the Medusa errors of the handler, of its schemas and of the gates in front of it (<see cref="RequiredCredentials"/>,
/// rate limits), with the matching security requirements.
/// </summary>
internal sealed class RouteDocTransformer : IOpenApiOperationTransformer
{
    private static readonly Dictionary<int, string> ErrorDescriptions = new()
    {
        [StatusCodes.Status400BadRequest] = "Invalid data (invalid_data), or refused (not_allowed).",
        [StatusCodes.Status401Unauthorized] = "No or unusable credentials: {\"message\":\"Unauthorized\"}, or unauthorized.",
        [StatusCodes.Status404NotFound] = "Not found (not_found).",
        [StatusCodes.Status409Conflict] = "A concurrent write won (conflict); the request may be retried.",
        [StatusCodes.Status422UnprocessableEntity] = "Duplicate (duplicate_error).",
        [StatusCodes.Status429TooManyRequests] = "Too many requests (not_allowed); see Retry-After.",
    };

    public Task TransformAsync(OpenApiOperation operation, OpenApiOperationTransformerContext context, CancellationToken cancellationToken)
    {
        var metadata = context.Description.ActionDescriptor.EndpointMetadata;
        if (metadata.OfType<RouteDoc>().LastOrDefault() is not { } doc)
        {
            return Task.CompletedTask;
        }

        var document = context.Document ?? throw new InvalidOperationException("Operations are transformed within a document.");
        var methods = metadata.OfType<IHttpMethodMetadata>().LastOrDefault()?.HttpMethods ?? [];
        operation.OperationId = methods.Count > 1 ? doc.Name + Pascal(context.Description.HttpMethod!) : doc.Name;

        if (doc.Query is { } query)
        {
            operation.Parameters ??= [];
            foreach (var rule in query.Rules)
            {
                operation.Parameters.Add(new OpenApiParameter
                {
                    Name = rule.Name,
                    In = ParameterLocation.Query,
                    Schema = OpenApiJson.Schema(JsonSchemas.Of(rule), document),
                });
            }
        }

        // A route serving GET and POST reads a body on both, but clients send none with GET.
        if (doc.Body is { } body && !HttpMethods.IsGet(context.Description.HttpMethod!))
        {
            operation.RequestBody = new OpenApiRequestBody
            {
                Description = "JSON, or the same keys form-encoded (qs nesting); an empty body is {}.",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    ["application/json"] = new() { Schema = OpenApiJson.Schema(body, document) },
                    ["application/x-www-form-urlencoded"] = new() { Schema = OpenApiJson.Schema(body, document) },
                },
            };
        }

        var credentials = metadata.OfType<RequiredCredentials>().ToList();
        operation.Responses = new OpenApiResponses
        {
            [doc.Status.ToString(CultureInfo.InvariantCulture)] = new OpenApiResponse
            {
                Description = "Success.",
                Content = new Dictionary<string, OpenApiMediaType>
                {
                    [doc.ContentType] = new() { Schema = OpenApiJson.Schema(doc.Answer, document) },
                },
            },
        };
        foreach (var status in ErrorStatuses(doc, credentials, metadata))
        {
            operation.Responses[status.ToString(CultureInfo.InvariantCulture)] = Error(ErrorDescriptions[status], document);
        }

        operation.Responses["default"] = Error(
            "Any other error: 413 body too large, 500 unknown_error, 503 unexpected_state (see Retry-After).", document);
        operation.Security = Security(credentials, document);
        return Task.CompletedTask;
    }

    private static SortedSet<int> ErrorStatuses(RouteDoc doc, List<RequiredCredentials> credentials, IEnumerable<object> metadata)
    {
        var statuses = new SortedSet<int>(doc.Errors);
        if (doc.Query is not null || doc.Body is not null || credentials.Any(c => c.PublishableKey))
        {
            statuses.Add(StatusCodes.Status400BadRequest);
        }

        if (credentials.Any(c => c.Caller != 0))
        {
            statuses.Add(StatusCodes.Status401Unauthorized);
        }

        if (metadata.OfType<EnableRateLimitingAttribute>().Any())
        {
            statuses.Add(StatusCodes.Status429TooManyRequests);
        }

        return statuses;
    }

    private static OpenApiResponse Error(string description, OpenApiDocument document) => new()
    {
        Description = description,
        Content = new Dictionary<string, OpenApiMediaType>
        {
            ["application/json"] = new() { Schema = new OpenApiSchemaReference(JsonSchemas.ErrorComponent, document) },
        },
    };

    /// <summary>One requirement per accepted caller mechanism (any one will do), each with the publishable key if needed.</summary>
    private static List<OpenApiSecurityRequirement>? Security(List<RequiredCredentials> credentials, OpenApiDocument document)
    {
        var caller = credentials.Select(c => c.Caller).LastOrDefault(mechanisms => mechanisms != 0);
        var publishableKey = credentials.Any(c => c.PublishableKey);
        (AuthMechanisms Mechanism, string Scheme)[] order =
        [
            (AuthMechanisms.SecretApiKey, DocumentTransformer.SecretKey),
            (AuthMechanisms.Session, DocumentTransformer.Session),
            (AuthMechanisms.Bearer, DocumentTransformer.Bearer),
        ];
        var requirements = order.Where(entry => caller.HasFlag(entry.Mechanism))
            .Select(entry => Requirement(document, publishableKey ? [DocumentTransformer.PublishableKey, entry.Scheme] : [entry.Scheme]))
            .ToList();
        if (requirements.Count == 0 && publishableKey)
        {
            requirements.Add(Requirement(document, [DocumentTransformer.PublishableKey]));
        }

        return requirements.Count == 0 ? null : requirements;
    }

    private static OpenApiSecurityRequirement Requirement(OpenApiDocument document, string[] schemes)
    {
        var requirement = new OpenApiSecurityRequirement();
        foreach (var scheme in schemes)
        {
            requirement[new OpenApiSecuritySchemeReference(scheme, document)] = [];
        }

        return requirement;
    }

    private static string Pascal(string method) => method[..1].ToUpperInvariant() + method[1..].ToLowerInvariant();
}
