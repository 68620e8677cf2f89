using System.Net;
using Customers.Host.Tests.Http.Admin;
using Xunit;

namespace Customers.Host.Tests.Http.Operations;

/// <summary>The Orleans Dashboard is at <c>/dashboard</c> for admins only; everyone else gets the admin 401.</summary>
[Collection(HttpCollection.Name)]
public sealed class DashboardTests(CustomersApiFactory api)
{
    [Theory]
    [InlineData("/dashboard/")]
    [InlineData("/dashboard/index.min.js")]
    [InlineData("/dashboard/version")]
    [InlineData("/dashboard/DashboardCounters")]
    [InlineData("/dashboard/ClusterStats")]
    public async Task Without_admin_credentials_the_dashboard_is_401(string path)
    {
        (await api.Anonymous.GetAsync(path)).ExpectUnauthorized();
        var customer = await api.CreateCustomerAsync();
        (await api.Api.GetAsync(path, customer.Token)).ExpectUnauthorized();
        (await api.Anonymous.GetAsync(path, configure: AdminFixture.Basic("sk_not_a_key"))).ExpectUnauthorized();
    }

    [Fact]
    public async Task Admins_get_the_dashboard()
    {
        var key = await api.CreateSecretKeyAsync();
        var page = (await api.AdminGetAsync("/dashboard/", key)).Expect(HttpStatusCode.OK);
        Assert.Contains("text/html", page.ContentType);
        (await api.AdminGetAsync("/dashboard/version", key)).Expect(HttpStatusCode.OK);
        (await api.AdminGetAsync("/dashboard/DashboardCounters", key)).Expect(HttpStatusCode.OK);

        var admin = await api.CreateAdminAsync();
        (await api.Anonymous.GetAsync("/dashboard/version", admin.Token)).Expect(HttpStatusCode.OK);
    }
}

/// <summary>A host with <c>Customers:Dashboard:Enabled=false</c>.</summary>
public sealed class NoDashboardApiFactory : CustomersApiFactory
{
    protected override string DatabasePrefix => "no_dashboard";

    protected override IEnumerable<KeyValuePair<string, string>> OverrideSettings() => [new("Customers:Dashboard:Enabled", "false")];
}

/// <summary>Turned off, the dashboard is not there at all, even for admins; the rest of the service is.</summary>
public sealed class DisabledDashboardTests(NoDashboardApiFactory api) : IClassFixture<NoDashboardApiFactory>
{
    [Theory]
    [InlineData("/dashboard/")]
    [InlineData("/dashboard/version")]
    public async Task Admins_get_404(string path)
    {
        var key = await api.CreateSecretKeyAsync();

        (await api.AdminGetAsync(path, key)).Expect(HttpStatusCode.NotFound);
        (await api.AdminGetAsync("/admin/customers?limit=1", key)).Expect(HttpStatusCode.OK);
    }
}
