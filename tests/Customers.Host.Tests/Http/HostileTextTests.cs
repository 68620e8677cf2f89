using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Customers.Host.Tests.Http.Admin;
using Customers.Medusa;
using Xunit;

namespace Customers.Host.Tests.Http;

/// <summary>
/// Text PostgreSQL cannot store (NUL, lone surrogates, invalid UTF-8) gets a 400 naming the field on real routes,
/// before any write: the customer reads back unchanged and a retry with good text works.
/// </summary>
[Collection(HttpCollection.Name)]
public sealed class HostileTextTests(CustomersApiFactory api)
{
    private const string Me = "/store/customers/me";

    [Theory]
    [InlineData("""{"first_name":"Eve\u0000"}""", "first_name")]
    [InlineData("""{"last_name":"\ud800"}""", "last_name")]
    [InlineData("""{"metadata":{"note":"\udfff x"}}""", "metadata, note")]
    [InlineData("""{"metadata":{"k\u0000":"v"}}""", "metadata")]
    public async Task A_profile_update_with_unstorable_text_changes_nothing(string body, string field)
    {
        var customer = await api.CreateCustomerAsync();
        var before = (await api.Api.GetAsync(Me, customer.Token)).Expect(HttpStatusCode.OK).Body;

        var response = await api.Api.PostRawAsync(Me, body, token: customer.Token);

        response.ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Invalid request: " + StorableText.Issue(field));
        Assert.Equal(before, (await api.Api.GetAsync(Me, customer.Token)).Expect(HttpStatusCode.OK).Body);
        (await api.Api.PostAsync(Me, new { first_name = "Eve" }, customer.Token)).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Invalid_utf8_bytes_in_an_address_are_refused()
    {
        var customer = await api.CreateCustomerAsync();
        byte[] body = [.. "{\"city\":\""u8, 0xC3, 0x28, .. "\"}"u8];
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new("application/json");

        var response = await api.Api.SendAsync(HttpMethod.Post, Me + "/addresses", content, customer.Token);

        response.ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Invalid request: " + StorableText.Issue("city"));
        var addresses = (await api.Api.GetAsync(Me + "/addresses", customer.Token)).Expect(HttpStatusCode.OK);
        Assert.Empty(addresses.Object["addresses"]!.AsArray());
    }

    [Fact]
    public async Task Registration_with_a_nul_in_the_email_is_refused_and_registers_nothing()
    {
        var email = CustomersApiFactory.NewEmail();
        var body = new JsonObject { ["email"] = email + "\0", ["password"] = CustomersApiFactory.NewPassword() };

        var response = await api.Api.PostAsync("/auth/customer/emailpass/register", body);

        response.ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Invalid request: " + StorableText.Issue("email"));
        (await api.Api.PostAsync("/auth/customer/emailpass", new { email, password = "whatever-1234" }))
            .ExpectError(HttpStatusCode.Unauthorized, "unauthorized", "Invalid email or password");
    }

    [Fact]
    public async Task Admin_list_queries_with_a_nul_are_refused()
    {
        var key = await api.CreateSecretKeyAsync();

        var response = await api.AdminGetAsync("/admin/customers?q=a%00b", key);

        response.ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Invalid request: " + StorableText.Issue("q"));
    }

    [Fact]
    public async Task Admin_create_with_a_lone_surrogate_creates_nothing()
    {
        var key = await api.CreateSecretKeyAsync();
        var email = CustomersApiFactory.NewEmail("guest");

        // Sent as text: a JsonNode cannot even hold the lone surrogate.
        var body = new StringContent($$"""{"email":"{{email}}","company_name":"\ud83d"}""", Encoding.UTF8, "application/json");

        var response = await api.Anonymous.SendAsync(HttpMethod.Post, "/admin/customers", body, configure: AdminFixture.Basic(key.Token));

        response.ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Invalid request: " + StorableText.Issue("company_name"));
        var found = (await api.AdminGetAsync("/admin/customers?email=" + Uri.EscapeDataString(email), key)).Expect(HttpStatusCode.OK);
        Assert.Equal(0, found.Object["count"]!.GetValue<long>());
    }
}
