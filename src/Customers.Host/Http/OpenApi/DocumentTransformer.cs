using Customers.Host.Auth;
using Microsoft.AspNetCore.OpenApi;
using Microsoft.Extensions.Options;
using Microsoft.OpenApi;

namespace Customers.Host.Http.OpenApi;

/// <summary>The document's title, its component schemas (<see cref="WireSchemas"/>) and its security schemes.</summary>
internal sealed class DocumentTransformer(IOptions<SessionCookieOptions> sessions) : IOpenApiDocumentTransformer
{
    public const string PublishableKey = "publishable_key";
    public const string Bearer = "bearer";
    public const string Session = "session";
    public const string SecretKey = "secret_key";

    public Task TransformAsync(OpenApiDocument document, OpenApiDocumentTransformerContext context, CancellationToken cancellationToken)
    {
        document.Info = new OpenApiInfo
        {
            Title = "Customers",
            Version = "v1",
            Description = "Medusa 2.21's customer, address, customer group, auth, admin user and API key routes. "
                + "Errors are Medusa's {code?, type?, message} bodies (MedusaError).",
        };
        document.Components ??= new OpenApiComponents();
        document.Components.Schemas ??= new Dictionary<string, IOpenApiSchema>(StringComparer.Ordinal);
        foreach (var (name, schema) in WireSchemas.Components())
        {
            document.Components.Schemas[name] = OpenApiJson.Schema(schema, document);
        }

        document.Components.SecuritySchemes = new Dictionary<string, IOpenApiSecurityScheme>(StringComparer.Ordinal)
        {
            [PublishableKey] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Header,
                Name = Store.PublishableKeyGate.Header,
                Description = "A publishable key (pk_…), required on every /store request.",
            },
            [Bearer] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "bearer",
                BearerFormat = "JWT",
                Description = "A token from login, registration or refresh.",
            },
            [Session] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.ApiKey,
                In = ParameterLocation.Cookie,
                Name = sessions.Value.CookieName,
                Description = "The session cookie set by POST /auth/session.",
            },
            [SecretKey] = new OpenApiSecurityScheme
            {
                Type = SecuritySchemeType.Http,
                Scheme = "basic",
                Description = "A secret API key (sk_…) as the user name, with an empty password (admin routes).",
            },
        };
        return Task.CompletedTask;
    }
}
