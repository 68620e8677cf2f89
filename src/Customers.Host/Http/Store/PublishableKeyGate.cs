using Customers.Host.Stores;
using Customers.Medusa;

namespace Customers.Host.Http.Store;

/// <summary>
/// Every <c>/store</c> request needs a valid publishable key, checked before authentication and before routing
/// (so unknown store paths answer 400 too, as in Medusa). CORS preflights were answered earlier by the CORS middleware.
/// </summary>
internal sealed class PublishableKeyGate(RequestDelegate next, ApiKeyStore keys)
{
    public const string Header = "x-publishable-api-key";

    private static readonly MedusaError Missing = MedusaError.NotAllowed(
        "Publishable API key required in the request header: x-publishable-api-key. You can manage your keys in settings in the dashboard.");

    private static readonly MedusaError Invalid = MedusaError.NotAllowed(
        "A valid publishable key is required to proceed with the request");

    public async Task InvokeAsync(HttpContext context)
    {
        if (!context.Request.Path.StartsWithSegments("/store", StringComparison.OrdinalIgnoreCase))
        {
            await next(context);
            return;
        }

        var values = context.Request.Headers[Header];
        // Routing ignores case, so the gate must too (/STORE/… reaches the same routes).
        // A header sent twice arrives as two values (Medusa sees "a, b"): never a valid key.
        var error = values.Count == 0 || string.IsNullOrEmpty(values[0]) ? Missing
            : values.Count > 1 || !await keys.IsValidPublishableKeyAsync(values[0]!, context.RequestAborted) ? Invalid
            : null;
        if (error is not null)
        {
            await error.ToResult().ExecuteAsync(context);
            return;
        }

        await next(context);
    }
}
