using Customers.Host.Http.Admin;
using Customers.Host.Http.Admin.Customers;
using Customers.Host.ReadModel;
using Customers.Host.ReadModel.Search;
using Customers.Host.Stores;

namespace Customers.Host.Hosting;

/// <summary>The admin API: its stores and flows, the deny-by-default gate and the <c>/admin</c> routes.</summary>
internal static class AdminSetup
{
    public static WebApplicationBuilder AddCustomersAdmin(this WebApplicationBuilder builder)
    {
        builder.Services.AddSingleton<UserStore>();
        builder.Services.AddSingleton<CustomerSearchStatistics>();
        builder.Services.AddSingleton<CustomerSearchPlanner>();
        builder.Services.AddSingleton<CustomerReadModel>();
        builder.Services.AddSingleton<CustomerDeletion>();
        builder.Services.AddSingleton<CustomerGroupReadModel>();
        builder.Services.AddSingleton<CustomerGroupMembership>();
        return builder;
    }

    /// <summary>
    /// Puts <see cref="AdminGate"/> in the pipeline. It must run before any endpoint (the fallback included), so that
    /// unknown admin paths answer 401 before 404; CORS preflights are answered before it.
    /// </summary>
    public static WebApplication UseCustomersAdminGate(this WebApplication app)
    {
        app.UseMiddleware<AdminGate>();
        return app;
    }
}
