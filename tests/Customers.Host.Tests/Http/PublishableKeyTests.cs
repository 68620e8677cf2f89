using System.Net;
using Customers.Host.Stores;
using Customers.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Customers.Host.Tests.Http;

/// <summary>The publishable-key gate in front of every <c>/store</c> request (docs/medusa-compatibility.md §2.14),
/// before auth and routing.</summary>
[Collection(HttpCollection.Name)]
public sealed class PublishableKeyTests(CustomersApiFactory api)
{
    private const string Missing =
        """{"type":"not_allowed","message":"Publishable API key required in the request header: x-publishable-api-key. You can manage your keys in settings in the dashboard."}""";

    private const string Invalid =
        """{"type":"not_allowed","message":"A valid publishable key is required to proceed with the request"}""";

    [Theory]
    [InlineData("GET", "/store/customers/me")]
    [InlineData("POST", "/store/customers")]
    [InlineData("GET", "/store/customers/me/addresses")]
    [InlineData("DELETE", "/store/customers/me/addresses/cuaddr_x")]
    [InlineData("GET", "/store/products")]
    [InlineData("GET", "/store")]
    [InlineData("GET", "/STORE/customers/me")]
    [InlineData("GET", "/Store/Customers/Me")]
    public async Task Missing_key_is_refused_before_authentication_and_routing(string method, string path)
    {
        var customer = await api.CreateCustomerAsync();

        var response = await api.Anonymous.SendAsync(new HttpMethod(method), path, null, customer.Token);

        response.Expect(HttpStatusCode.BadRequest, Missing);
    }

    [Fact]
    public async Task Empty_key_counts_as_missing()
    {
        var response = await api.WithPublishableKey("").GetAsync("/store/customers/me");

        response.Expect(HttpStatusCode.BadRequest, Missing);
    }

    [Fact]
    public async Task Unknown_key_is_refused()
    {
        var customer = await api.CreateCustomerAsync();

        var response = await api.WithPublishableKey("pk_" + Guid.NewGuid().ToString("N")).GetAsync("/store/customers/me", customer.Token);

        response.Expect(HttpStatusCode.BadRequest, Invalid);
    }

    [Fact]
    public async Task Key_sent_twice_is_refused_even_when_both_values_are_valid()
    {
        var customer = await api.CreateCustomerAsync();

        var response = await api.Anonymous.GetAsync(
            "/store/customers/me",
            customer.Token,
            r => r.Headers.TryAddWithoutValidation(ApiClient.PublishableKeyHeader, new[] { api.PublishableKey, api.PublishableKey }));

        response.Expect(HttpStatusCode.BadRequest, Invalid);
    }

    [Fact]
    public async Task Secret_key_is_not_a_publishable_key()
    {
        var customer = await api.CreateCustomerAsync();
        var secret = await api.Services.GetRequiredService<ApiKeyStore>()
            .CreateAsync(ApiKeyStore.KeyType.Secret, "secret for the store", "user_http_tests", CancellationToken.None);

        var response = await api.WithPublishableKey(secret.Token).GetAsync("/store/customers/me", customer.Token);

        response.Expect(HttpStatusCode.BadRequest, Invalid);
    }

    [Fact]
    public async Task Revoked_key_is_refused()
    {
        var customer = await api.CreateCustomerAsync();
        var key = await api.Services.GetRequiredService<ApiKeyStore>()
            .CreateAsync(ApiKeyStore.KeyType.Publishable, "revoked", "user_http_tests", CancellationToken.None);
        await Db.ExecuteAsync(api.ConnectionString, "UPDATE api_key SET revoked_at = now() - interval '1 minute', revoked_by = 'user_http_tests' WHERE id = $1", key.Id);

        var response = await api.WithPublishableKey(key.Token).GetAsync("/store/customers/me", customer.Token);

        response.Expect(HttpStatusCode.BadRequest, Invalid);
    }

    [Fact]
    public async Task Another_valid_publishable_key_works()
    {
        var customer = await api.CreateCustomerAsync();
        var key = await api.Services.GetRequiredService<ApiKeyStore>()
            .CreateAsync(ApiKeyStore.KeyType.Publishable, "second storefront", "user_http_tests", CancellationToken.None);

        var response = await api.WithPublishableKey(key.Token).GetAsync("/store/customers/me", customer.Token);

        response.Expect(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("GET", "/store/customers")]
    [InlineData("GET", "/store/products")]
    [InlineData("PUT", "/store/customers/me")]
    public async Task With_a_valid_key_unknown_store_routes_are_404(string method, string path)
    {
        var response = await api.Api.SendAsync(new HttpMethod(method), path, null);

        response.Expect(HttpStatusCode.NotFound);
    }

    [Fact]
    public async Task With_a_valid_key_and_no_credentials_me_is_401()
    {
        var response = await api.Api.GetAsync("/store/customers/me");

        response.ExpectUnauthorized();
    }
}
