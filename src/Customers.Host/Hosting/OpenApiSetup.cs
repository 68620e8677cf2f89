using Customers.Host.Http.OpenApi;
using Scalar.AspNetCore;

namespace Customers.Host.Hosting;

/// <summary>
/// The OpenAPI document at <c>/openapi/v1.json</c>, filled in from the routes' <see cref="RouteDoc"/>s, and in
/// Development only an interactive reference page (Scalar) at <c>/scalar/v1</c>.
/// </summary>
internal static class OpenApiSetup
{
    public static IServiceCollection AddCustomersOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options => options
            .AddDocumentTransformer<DocumentTransformer>()
            .AddOperationTransformer<RouteDocTransformer>());

    public static void MapCustomersOpenApi(this WebApplication app)
    {
        app.MapOpenApi();
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference();
        }
    }
}
