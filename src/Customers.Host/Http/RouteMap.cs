using Customers.Host.Auth;
using Customers.Host.Hosting;
using Customers.Host.Http.Admin;
using Customers.Host.Http.Admin.ApiKeys;
using Customers.Host.Http.Admin.CustomerGroups;
using Customers.Host.Http.Admin.Customers;
using Customers.Host.Http.Admin.Users;
using Customers.Host.Http.Auth;
using Customers.Host.Http.Store.Customers;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Orleans.Dashboard;

namespace Customers.Host.Http;

/// <summary>
/// The whole URL space, in one place: every route the host serves and the handler behind it. Handlers live in the
/// folder that mirrors their path (<c>/admin/customers</c> in <c>Http/Admin/Customers</c>); the wire contract of
/// each route is in docs/medusa-compatibility.md.
/// </summary>
internal static class RouteMap
{
    public static WebApplication MapCustomersRoutes(this WebApplication app)
    {
        MapOperations(app);
        MapAuth(app.MapGroup("/auth").WithTags("Auth").RequireCors("auth"));
        MapStore(app.MapGroup("/store").RequireCors("store"));
        MapAdmin(app.MapGroup(AdminGate.PathPrefix).AddEndpointFilter(AdminGate.RequireAdmission).RequireCors("admin"));

        // Like Express, an unknown path or method is a 404 "Cannot GET /x" (routing alone would answer 405).
        app.MapFallback(async context =>
        {
            context.Response.StatusCode = StatusCodes.Status404NotFound;
            context.Response.ContentType = "text/html; charset=utf-8";
            await context.Response.WriteAsync(
                $"<pre>Cannot {context.Request.Method} {System.Net.WebUtility.HtmlEncode(context.Request.Path.Value)}</pre>");
        });
        return app;
    }

    /// <summary>Health, the OpenAPI document and the Orleans Dashboard (admins only).</summary>
    private static void MapOperations(WebApplication app)
    {
        app.MapHealthChecks("/health", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(HttpSetup.ReadyTag) });
        app.MapOpenApi();
        if (DashboardSetup.IsEnabled(app.Configuration))
        {
            app.MapOrleansDashboard(routePrefix: DashboardSetup.PathPrefix)
                .RequireActor(AdminGate.UserActorType, AuthMechanisms.Admin);
        }
    }

    /// <summary><c>/auth</c>: sign-in, registration, tokens, sessions and password reset, for every actor type.</summary>
    private static void MapAuth(RouteGroupBuilder auth)
    {
        // Not behind the MFA gate: these let an MFA-pending caller finish (or leave) the sign-in.
        auth.MapPost("/token/refresh", AuthRoutes.RefreshAsync).RequireActor(null, AuthMechanisms.BearerOrSession, allowUnregistered: true, requireMfa: false);
        auth.MapPost("/session", AuthRoutes.StartSessionAsync).RequireActor(null, AuthMechanisms.Bearer, allowUnregistered: true, requireMfa: false);
        auth.MapDelete("/session", AuthRoutes.EndSessionAsync).RequireActor(null, AuthMechanisms.Session, allowUnregistered: true, requireMfa: false);
        auth.MapPost("/mfa/challenges/{id}/verify", MfaRoutes.AnswerChallengeAsync).RequireActor(null, AuthMechanisms.BearerOrSession, allowUnregistered: true, requireMfa: false);
        auth.MapPost("/verification/request", VerificationRoutes.RequestAsync).RequireActor(null, AuthMechanisms.BearerOrSession, allowUnregistered: true, requireMfa: false);
        auth.MapPost("/verification/confirm", VerificationRoutes.ConfirmAsync);

        // The caller's second factors, for every actor type, tokens without an actor included; behind the MFA gate.
        auth.MapGet("/mfa/factors", MfaRoutes.ListAsync).RequireActor(null, AuthMechanisms.BearerOrSession, allowUnregistered: true);
        auth.MapPost("/mfa/factors", MfaRoutes.StartAsync).RequireActor(null, AuthMechanisms.BearerOrSession, allowUnregistered: true);
        auth.MapPost("/mfa/factors/{id}/verify", MfaRoutes.ConfirmAsync).RequireActor(null, AuthMechanisms.BearerOrSession, allowUnregistered: true);
        auth.MapDelete("/mfa/factors/{id}", MfaRoutes.DisableAsync).RequireActor(null, AuthMechanisms.BearerOrSession, allowUnregistered: true);
        auth.MapPost("/mfa/recovery-codes", MfaRoutes.GenerateRecoveryCodesAsync).RequireActor(null, AuthMechanisms.BearerOrSession, allowUnregistered: true);
        auth.MapGet("/{actorType}/providers", AuthRoutes.ListProviders);
        auth.MapMethods("/{actorType}/{provider}", ["GET", "POST"], AuthRoutes.LoginAsync);
        auth.MapPost("/{actorType}/{provider}/register", AuthRoutes.RegisterAsync).RequireRateLimiting(HttpSetup.RegistrationPolicy);
        auth.MapMethods("/{actorType}/{provider}/callback", ["GET", "POST"], AuthRoutes.CallbackAsync);
        auth.MapPost("/{actorType}/{provider}/reset-password", PasswordResetRoutes.RequestResetAsync);
        auth.MapPost("/{actorType}/{provider}/update", PasswordResetRoutes.UpdateAsync);
    }

    /// <summary><c>/store</c>: the signed-in customer's own data. Every request needs a publishable key
    /// (<see cref="Store.PublishableKeyGate"/>).</summary>
    private static void MapStore(RouteGroupBuilder store)
    {
        var customers = store.MapGroup("/customers").WithTags("Store customers");
        customers.MapPost("", StoreCustomersRoutes.CreateAsync)
            .RequireActor(Actor.CustomerActorType, AuthMechanisms.BearerOrSession, allowUnregistered: true);

        var me = customers.MapGroup("/me").RequireActor(Actor.CustomerActorType, AuthMechanisms.BearerOrSession);
        me.MapGet("", StoreCustomersRoutes.GetMeAsync);
        me.MapPost("", StoreCustomersRoutes.UpdateMeAsync);
        me.MapPost("/password", StoreCustomerPasswordRoutes.ChangePasswordAsync);
        me.MapGet("/addresses", StoreAddressList.ListAsync);
        me.MapPost("/addresses", StoreCustomersRoutes.AddAddressAsync);
        me.MapGet("/addresses/{addressId}", StoreCustomersRoutes.GetAddressAsync);
        me.MapPost("/addresses/{addressId}", StoreCustomersRoutes.UpdateAddressAsync);
        me.MapDelete("/addresses/{addressId}", StoreCustomersRoutes.DeleteAddressAsync);
    }

    /// <summary><c>/admin</c>: behind <see cref="AdminGate"/> (admin user token or session, or a secret API key).</summary>
    private static void MapAdmin(RouteGroupBuilder admin)
    {
        admin.MapGroup("/users").WithTags("Admin users")
            .MapGet("/me", AdminUserRoutes.GetMeAsync);

        var keys = admin.MapGroup("/api-keys").WithTags("Admin API keys");
        keys.MapGet("", AdminApiKeyRoutes.ListAsync);
        keys.MapPost("", AdminApiKeyRoutes.CreateAsync);
        keys.MapGet("/{id}", AdminApiKeyRoutes.GetAsync);
        keys.MapPost("/{id}", AdminApiKeyRoutes.UpdateAsync);
        keys.MapDelete("/{id}", AdminApiKeyRoutes.DeleteAsync);
        keys.MapPost("/{id}/revoke", AdminApiKeyRoutes.RevokeAsync);

        var customers = admin.MapGroup("/customers").WithTags("Admin customers");
        customers.MapGet("", AdminCustomerList.ListAsync);
        customers.MapPost("", AdminCustomersRoutes.CreateAsync);
        customers.MapGet("/{id}", AdminCustomersRoutes.GetAsync);
        customers.MapPost("/{id}", AdminCustomersRoutes.UpdateAsync);
        customers.MapDelete("/{id}", AdminCustomersRoutes.DeleteAsync);
        customers.MapGet("/{id}/addresses", AdminCustomerAddressRoutes.ListAsync);
        customers.MapPost("/{id}/addresses", AdminCustomerAddressRoutes.AddAsync);
        customers.MapGet("/{id}/addresses/{addressId}", AdminCustomerAddressRoutes.GetAsync);
        customers.MapPost("/{id}/addresses/{addressId}", AdminCustomerAddressRoutes.UpdateAsync);
        customers.MapDelete("/{id}/addresses/{addressId}", AdminCustomerAddressRoutes.DeleteAsync);
        customers.MapPost("/{id}/customer-groups", AdminCustomerGroupsOfCustomerRoutes.ChangeGroupsAsync);

        var groups = admin.MapGroup("/customer-groups").WithTags("Admin customer groups");
        groups.MapGet("", AdminCustomerGroupList.ListAsync);
        groups.MapPost("", AdminCustomerGroupsRoutes.CreateAsync);
        groups.MapGet("/{id}", AdminCustomerGroupsRoutes.GetAsync);
        groups.MapPost("/{id}", AdminCustomerGroupsRoutes.UpdateAsync);
        groups.MapDelete("/{id}", AdminCustomerGroupsRoutes.DeleteAsync);
        groups.MapPost("/{id}/customers", AdminCustomerGroupsRoutes.ChangeCustomersAsync);
    }
}
