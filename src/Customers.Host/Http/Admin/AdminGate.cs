using Customers.Host.Auth;

namespace Customers.Host.Http.Admin;

/// <summary>
/// Deny by default: every <c>/admin</c> request, whatever its path (unknown ones included, so they answer 401 before
/// any 404, as in Medusa) and whatever its method, needs an admin credential before routing can act on it. Accepted,
/// in Medusa's order: a secret API key (<c>Authorization: Basic</c>), a session of a <c>user</c>, a <c>user</c> bearer
/// token; the actor must be linked (<c>actor_id</c> set). Anything else, a customer's token or a publishable key
/// included, is Medusa's 401 <c>{"message":"Unauthorized"}</c> (or its hint for <c>Bearer sk_…</c>).
/// CORS preflights of admin routes were answered earlier by the CORS middleware.
/// </summary>
internal sealed class AdminGate(RequestDelegate next)
{
    public const string PathPrefix = "/admin";
    public const string UserActorType = "user";

    /// <summary>Set by the gate for the request it admitted; the admin routes' filter refuses requests without it.</summary>
    public sealed record Admission(Actor Actor);

    public async Task InvokeAsync(HttpContext context)
    {
        // Routing matches paths case-insensitively, so the gate must too (StartsWithSegments ignores case by default).
        if (!context.Request.Path.StartsWithSegments(PathPrefix, StringComparison.OrdinalIgnoreCase))
        {
            await next(context);
            return;
        }

        var result = await ActorRequirement.AuthenticateAsync(context, UserActorType, AuthMechanisms.Admin);
        if (!result.TryGetValue(out var actor, out var error))
        {
            await error.ToResult().ExecuteAsync(context);
            return;
        }

        context.Features.Set(actor);
        context.Features.Set(new Admission(actor));
        await next(context);
    }

    /// <summary>
    /// Defense in depth on the admin route group: an endpoint runs only for a request the gate admitted, so a route
    /// stays closed even if the middleware were ever left out of the pipeline.
    /// </summary>
    public static async ValueTask<object?> RequireAdmission(EndpointFilterInvocationContext context, EndpointFilterDelegate next)
    {
        var http = context.HttpContext;
        return http.Features.Get<Admission>() is { } admitted && ReferenceEquals(admitted.Actor, http.Features.Get<Actor>())
            ? await next(context)
            : Medusa.MedusaError.AuthMiddlewareUnauthorized().ToResult();
    }
}
