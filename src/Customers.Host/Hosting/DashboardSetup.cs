using Orleans.Dashboard;

namespace Customers.Host.Hosting;

/// <summary>
/// The Orleans Dashboard (<c>Microsoft.Orleans.Dashboard</c>) at <c>/dashboard</c>, for operators only: every route of
/// it (page, assets and its JSON API) requires the same admin credential as <c>/admin</c> (a secret API key, an admin
/// user's session or bearer token); anyone else gets Medusa's 401. Mapped with a prefix, so it never takes over <c>/</c>.
/// </summary>
internal static class DashboardSetup
{
    /// <summary>
    /// <c>Customers:Dashboard:Enabled</c> (default false). The dashboard records grain calls only while someone has
    /// looked at it within the last minute, but its grain-call filter, metrics and history still cost about 8 % of
    /// <c>/me</c>'s CPU and 60-75 MiB of memory (docs/benchmarks.md), which is most of what keeps an idle silo above
    /// 200 MiB. So it is off unless an operator turns it on to look; off, neither the silo part nor the routes exist.
    /// </summary>
    public static bool IsEnabled(IConfiguration configuration) => configuration.GetValue("Customers:Dashboard:Enabled", false);

    public static IHostApplicationBuilder AddCustomersDashboard(this IHostApplicationBuilder builder)
    {
        if (IsEnabled(builder.Configuration))
        {
            builder.UseOrleans(silo => silo.AddDashboard());
        }

        return builder;
    }
}
