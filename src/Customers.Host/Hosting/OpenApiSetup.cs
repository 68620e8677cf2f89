using Customers.Host.Http.OpenApi;

namespace Customers.Host.Hosting;

/// <summary>
/// The OpenAPI document, filled in from the routes' <see cref="RouteDoc"/>s (mapped in <c>Http/RouteMap</c> with the
/// reference page).
/// </summary>
internal static class OpenApiSetup
{
    public static IServiceCollection AddCustomersOpenApi(this IServiceCollection services) =>
        services.AddOpenApi(options => options
            .AddDocumentTransformer<DocumentTransformer>()
            .AddOperationTransformer<RouteDocTransformer>());
}
