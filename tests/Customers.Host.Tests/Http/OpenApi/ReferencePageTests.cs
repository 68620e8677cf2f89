using System.Net;
using Microsoft.AspNetCore.Hosting;
using Xunit;

namespace Customers.Host.Tests.Http.OpenApi;

/// <summary>The interactive reference page (Scalar) is served in Development, where the test hosts run.</summary>
[Collection(HttpCollection.Name)]
public sealed class ReferencePageTests(CustomersApiFactory api)
{
    [Fact]
    public async Task In_development_the_reference_page_shows_the_document()
    {
        var page = (await api.Anonymous.GetAsync("/scalar/v1")).Expect(HttpStatusCode.OK);

        Assert.StartsWith("text/html", page.ContentType, StringComparison.Ordinal);
        Assert.Contains("\"url\":\"openapi/v1.json\"", page.Body, StringComparison.Ordinal);
        (await api.Anonymous.GetAsync("/scalar/scalar.js")).Expect(HttpStatusCode.OK);
    }
}

/// <summary>A host in the Production environment.</summary>
public sealed class ProductionApiFactory : CustomersApiFactory
{
    protected override string DatabasePrefix => "production";

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment("Production");
    }
}

/// <summary>Outside Development there is no reference page (the document stays).</summary>
public sealed class ProductionReferencePageTests(ProductionApiFactory api) : IClassFixture<ProductionApiFactory>
{
    [Theory]
    [InlineData("/scalar/v1")]
    [InlineData("/scalar/scalar.js")]
    public async Task Outside_development_the_reference_page_is_404(string path)
    {
        (await api.Anonymous.GetAsync(path)).Expect(HttpStatusCode.NotFound);
        (await api.Anonymous.GetAsync("/openapi/v1.json")).Expect(HttpStatusCode.OK);
    }
}
