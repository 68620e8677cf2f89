using System.Net;
using Xunit;

namespace Customers.Host.Tests.Http;

/// <summary>Liveness, readiness (database reachable, silo active) and the OpenAPI document.</summary>
[Collection(HttpCollection.Name)]
public sealed class HealthTests(CustomersApiFactory api)
{
    [Theory]
    [InlineData("/health")]
    [InlineData("/health/ready")]
    public async Task Health_endpoints_answer_200_without_any_key(string path)
    {
        var response = await api.Anonymous.GetAsync(path);

        response.Expect(HttpStatusCode.OK);
        Assert.Equal("Healthy", response.Body);
    }

    [Fact]
    public async Task OpenApi_document_describes_the_store_and_auth_routes()
    {
        var response = (await api.Anonymous.GetAsync("/openapi/v1.json")).Expect(HttpStatusCode.OK);

        var document = response.Object;
        Assert.StartsWith("3.", document["openapi"]!.GetValue<string>(), StringComparison.Ordinal);
        var paths = document["paths"]!.AsObject().Select(p => p.Key).ToList();
        Assert.Contains("/store/customers/me", paths);
        Assert.Contains("/store/customers/me/addresses/{addressId}", paths);
        Assert.Contains("/auth/session", paths);
    }
}
