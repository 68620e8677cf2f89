using Customers.Host.Auth;
using Customers.Host.Http.Admin;
using Customers.Host.Http.Admin.ApiKeys;
using Customers.Host.Http.Admin.CustomerGroups;
using Customers.Host.Http.Admin.Customers;
using Customers.Host.Http.Admin.Users;
using Customers.Host.Http.Auth;
using Customers.Host.Http.Health;
using Customers.Host.Http.OpenApi;
using Customers.Host.Http.Store.Customers;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Orleans.Dashboard;
using Scalar.AspNetCore;

namespace Customers.Host.Http;

/// <summary>
/// The whole URL space, in one place: every route the host serves and the handler behind it. Handlers live in the
/// folder that mirrors their path (<c>/admin/customers</c> in <c>Http/Admin/Customers</c>); the wire contract of
/// each route is in docs/medusa-compatibility.md.
/// </summary>
internal static class RouteMap
{
    /// <summary>Where the Orleans Dashboard is served, when it is on.</summary>
    public const string DashboardPrefix = "/dashboard";

    public static WebApplication MapCustomersRoutes(this WebApplication app, bool dashboard)
    {
        MapOperations(app, dashboard);
        MapAuth(app.MapGroup("/auth").WithTags("Auth").RequireCors("auth"));
        MapStore(app.MapGroup("/store").WithMetadata(new RequiredCredentials(PublishableKey: true)).RequireCors("store"));
        MapAdmin(app.MapGroup(AdminGate.PathPrefix).AddEndpointFilter(AdminGate.RequireAdmission)
            .WithMetadata(new RequiredCredentials(AuthMechanisms.Admin)).RequireCors("admin"));

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
    private static void MapOperations(WebApplication app, bool dashboard)
    {
        app.MapHealthChecks("/health", new HealthCheckOptions { Predicate = _ => false });
        app.MapHealthChecks("/health/ready", new HealthCheckOptions { Predicate = check => check.Tags.Contains(ReadinessChecks.Tag) });
        app.MapOpenApi();
        if (app.Environment.IsDevelopment())
        {
            app.MapScalarApiReference(); // the interactive reference at /scalar/v1
        }

        if (dashboard)
        {
            app.MapOrleansDashboard(routePrefix: DashboardPrefix)
                .RequireActor(AdminGate.UserActorType, AuthMechanisms.Admin)
                .ExcludeFromDescription();
        }
    }

    /// <summary><c>/auth</c>: sign-in, registration, tokens, sessions and password reset, for every actor type.</summary>
    private static void MapAuth(RouteGroupBuilder auth)
    {
        // Not behind the MFA gate: these let an MFA-pending caller finish (or leave) the sign-in.
        auth.MapPost("/token/refresh", AuthRoutes.RefreshAsync).Describe(AuthRoutes.Docs.Refresh)
            .RequireActor(null, AuthMechanisms.BearerOrSession, allowUnregistered: true, requireMfa: false);
        auth.MapPost("/session", AuthRoutes.StartSessionAsync).Describe(AuthRoutes.Docs.StartSession)
            .RequireActor(null, AuthMechanisms.Bearer, allowUnregistered: true, requireMfa: false);
        auth.MapDelete("/session", AuthRoutes.EndSessionAsync).Describe(AuthRoutes.Docs.EndSession)
            .RequireActor(null, AuthMechanisms.Session, allowUnregistered: true, requireMfa: false);
        auth.MapPost("/mfa/challenges/{id}/verify", MfaRoutes.AnswerChallengeAsync).Describe(MfaRoutes.Docs.AnswerChallenge)
            .RequireActor(null, AuthMechanisms.BearerOrSession, allowUnregistered: true, requireMfa: false);
        auth.MapPost("/verification/request", VerificationRoutes.RequestAsync).Describe(VerificationRoutes.Docs.Request)
            .RequireActor(null, AuthMechanisms.BearerOrSession, allowUnregistered: true, requireMfa: false);
        auth.MapPost("/verification/confirm", VerificationRoutes.ConfirmAsync).Describe(VerificationRoutes.Docs.Confirm);

        // The caller's second factors, for every actor type, tokens without an actor included; behind the MFA gate.
        auth.MapGet("/mfa/factors", MfaRoutes.ListAsync).Describe(MfaRoutes.Docs.List)
            .RequireActor(null, AuthMechanisms.BearerOrSession, allowUnregistered: true);
        auth.MapPost("/mfa/factors", MfaRoutes.StartAsync).Describe(MfaRoutes.Docs.Start)
            .RequireActor(null, AuthMechanisms.BearerOrSession, allowUnregistered: true);
        auth.MapPost("/mfa/factors/{id}/verify", MfaRoutes.ConfirmAsync).Describe(MfaRoutes.Docs.Confirm)
            .RequireActor(null, AuthMechanisms.BearerOrSession, allowUnregistered: true);
        auth.MapDelete("/mfa/factors/{id}", MfaRoutes.DisableAsync).Describe(MfaRoutes.Docs.Disable)
            .RequireActor(null, AuthMechanisms.BearerOrSession, allowUnregistered: true);
        auth.MapPost("/mfa/recovery-codes", MfaRoutes.GenerateRecoveryCodesAsync).Describe(MfaRoutes.Docs.RecoveryCodes)
            .RequireActor(null, AuthMechanisms.BearerOrSession, allowUnregistered: true);

        auth.MapGet("/{actorType}/providers", AuthRoutes.ListProviders).Describe(AuthRoutes.Docs.ListProviders);
        auth.MapMethods("/{actorType}/{provider}", ["GET", "POST"], AuthRoutes.LoginAsync).Describe(AuthRoutes.Docs.Login);
        auth.MapPost("/{actorType}/{provider}/register", AuthRoutes.RegisterAsync).Describe(AuthRoutes.Docs.Register)
            .RequireRateLimiting(RateLimitOptions.RegistrationPolicy);
        auth.MapMethods("/{actorType}/{provider}/callback", ["GET", "POST"], AuthRoutes.CallbackAsync).Describe(AuthRoutes.Docs.Callback);
        auth.MapPost("/{actorType}/{provider}/reset-password", PasswordResetRoutes.RequestResetAsync).Describe(PasswordResetRoutes.Docs.RequestReset);
        auth.MapPost("/{actorType}/{provider}/update", PasswordResetRoutes.UpdateAsync).Describe(PasswordResetRoutes.Docs.Update);
    }

    /// <summary><c>/store</c>: the signed-in customer's own data. Every request needs a publishable key
    /// (<see cref="Store.PublishableKeyGate"/>).</summary>
    private static void MapStore(RouteGroupBuilder store)
    {
        var customers = store.MapGroup("/customers").WithTags("Store customers");
        customers.MapPost("", StoreCustomersRoutes.CreateAsync).Describe(StoreCustomersRoutes.Docs.Create)
            .RequireActor(Actor.CustomerActorType, AuthMechanisms.BearerOrSession, allowUnregistered: true);

        var me = customers.MapGroup("/me").RequireActor(Actor.CustomerActorType, AuthMechanisms.BearerOrSession);
        me.MapGet("", StoreCustomersRoutes.GetMeAsync).Describe(StoreCustomersRoutes.Docs.GetMe);
        me.MapPost("", StoreCustomersRoutes.UpdateMeAsync).Describe(StoreCustomersRoutes.Docs.UpdateMe);
        me.MapPost("/password", StoreCustomerPasswordRoutes.ChangePasswordAsync).Describe(StoreCustomerPasswordRoutes.Docs.ChangePassword);
        me.MapGet("/addresses", StoreAddressList.ListAsync).Describe(StoreAddressList.Docs.List);
        me.MapPost("/addresses", StoreCustomersRoutes.AddAddressAsync).Describe(StoreCustomersRoutes.Docs.AddAddress);
        me.MapGet("/addresses/{addressId}", StoreCustomersRoutes.GetAddressAsync).Describe(StoreCustomersRoutes.Docs.GetAddress);
        me.MapPost("/addresses/{addressId}", StoreCustomersRoutes.UpdateAddressAsync).Describe(StoreCustomersRoutes.Docs.UpdateAddress);
        me.MapDelete("/addresses/{addressId}", StoreCustomersRoutes.DeleteAddressAsync).Describe(StoreCustomersRoutes.Docs.DeleteAddress);
    }

    /// <summary><c>/admin</c>: behind <see cref="AdminGate"/> (admin user token or session, or a secret API key).</summary>
    private static void MapAdmin(RouteGroupBuilder admin)
    {
        admin.MapGroup("/users").WithTags("Admin users")
            .MapGet("/me", AdminUserRoutes.GetMeAsync).Describe(AdminUserRoutes.Docs.GetMe);

        var keys = admin.MapGroup("/api-keys").WithTags("Admin API keys");
        keys.MapGet("", AdminApiKeyRoutes.ListAsync).Describe(AdminApiKeyRoutes.Docs.List);
        keys.MapPost("", AdminApiKeyRoutes.CreateAsync).Describe(AdminApiKeyRoutes.Docs.Create);
        keys.MapGet("/{id}", AdminApiKeyRoutes.GetAsync).Describe(AdminApiKeyRoutes.Docs.Get);
        keys.MapPost("/{id}", AdminApiKeyRoutes.UpdateAsync).Describe(AdminApiKeyRoutes.Docs.Update);
        keys.MapDelete("/{id}", AdminApiKeyRoutes.DeleteAsync).Describe(AdminApiKeyRoutes.Docs.Delete);
        keys.MapPost("/{id}/revoke", AdminApiKeyRoutes.RevokeAsync).Describe(AdminApiKeyRoutes.Docs.Revoke);

        var customers = admin.MapGroup("/customers").WithTags("Admin customers");
        customers.MapGet("", AdminCustomerList.ListAsync).Describe(AdminCustomerList.Docs.List);
        customers.MapPost("", AdminCustomersRoutes.CreateAsync).Describe(AdminCustomersRoutes.Docs.Create);
        customers.MapGet("/{id}", AdminCustomersRoutes.GetAsync).Describe(AdminCustomersRoutes.Docs.Get);
        customers.MapPost("/{id}", AdminCustomersRoutes.UpdateAsync).Describe(AdminCustomersRoutes.Docs.Update);
        customers.MapDelete("/{id}", AdminCustomersRoutes.DeleteAsync).Describe(AdminCustomersRoutes.Docs.Delete);
        customers.MapGet("/{id}/addresses", AdminCustomerAddressRoutes.ListAsync).Describe(AdminCustomerAddressRoutes.Docs.List);
        customers.MapPost("/{id}/addresses", AdminCustomerAddressRoutes.AddAsync).Describe(AdminCustomerAddressRoutes.Docs.Add);
        customers.MapGet("/{id}/addresses/{addressId}", AdminCustomerAddressRoutes.GetAsync).Describe(AdminCustomerAddressRoutes.Docs.Get);
        customers.MapPost("/{id}/addresses/{addressId}", AdminCustomerAddressRoutes.UpdateAsync).Describe(AdminCustomerAddressRoutes.Docs.Update);
        customers.MapDelete("/{id}/addresses/{addressId}", AdminCustomerAddressRoutes.DeleteAsync).Describe(AdminCustomerAddressRoutes.Docs.Delete);
        customers.MapPost("/{id}/customer-groups", AdminCustomerGroupsOfCustomerRoutes.ChangeGroupsAsync)
            .Describe(AdminCustomerGroupsOfCustomerRoutes.Docs.ChangeGroups);

        var groups = admin.MapGroup("/customer-groups").WithTags("Admin customer groups");
        groups.MapGet("", AdminCustomerGroupList.ListAsync).Describe(AdminCustomerGroupList.Docs.List);
        groups.MapPost("", AdminCustomerGroupsRoutes.CreateAsync).Describe(AdminCustomerGroupsRoutes.Docs.Create);
        groups.MapGet("/{id}", AdminCustomerGroupsRoutes.GetAsync).Describe(AdminCustomerGroupsRoutes.Docs.Get);
        groups.MapPost("/{id}", AdminCustomerGroupsRoutes.UpdateAsync).Describe(AdminCustomerGroupsRoutes.Docs.Update);
        groups.MapDelete("/{id}", AdminCustomerGroupsRoutes.DeleteAsync).Describe(AdminCustomerGroupsRoutes.Docs.Delete);
        groups.MapPost("/{id}/customers", AdminCustomerGroupsRoutes.ChangeCustomersAsync).Describe(AdminCustomerGroupsRoutes.Docs.ChangeCustomers);
    }
}
