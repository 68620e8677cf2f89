using System.Net;
using System.Text.Json.Nodes;
using Customers.Host.Tests.Http.Admin;
using Customers.Testing;
using Xunit;

namespace Customers.Host.Tests.Http;

/// <summary>
/// One e-mail rule on every route that takes an e-mail (docs/security.md): at most 254 characters, at most 64 before
/// the '@', no control characters or whitespace; a 400 <c>invalid_data</c>, and nothing is written.
/// </summary>
[Collection(HttpCollection.Name)]
public sealed class EmailRuleTests(CustomersApiFactory api)
{
    public static TheoryData<string, string> Breaking => new()
    {
        { "a" + new string('b', 250) + "@x.io", "must be at most 254 characters" },
        { new string('l', 65) + "@example.com", "must have at most 64 characters before the '@'" },
        { "tab\there@example.com", "must not contain whitespace or control characters" },
        { "bell\u0007@example.com", "must not contain whitespace or control characters" },
        { "new\nline@example.com", "must not contain whitespace or control characters" },
    };

    [Theory]
    [MemberData(nameof(Breaking))]
    public async Task Register_refuses_an_email_that_breaks_the_rule_and_registers_nothing(string email, string issue)
    {
        var unique = Guid.NewGuid().ToString("N")[..8] + email;

        var response = await api.Api.PostAsync("/auth/customer/emailpass/register", new { email = unique, password = CustomersApiFactory.NewPassword() });

        response.ExpectError(HttpStatusCode.BadRequest, "invalid_data", $"Invalid request: Field 'email' {issue}");
        Assert.Equal(0L, await Db.ScalarAsync<long>(api.ConnectionString, "SELECT count(*) FROM provider_identity WHERE entity_id = $1", unique));
    }

    [Theory]
    [MemberData(nameof(Breaking))]
    public async Task Login_and_reset_password_refuse_it_too(string email, string issue)
    {
        var login = await api.Api.PostAsync("/auth/customer/emailpass", new { email, password = CustomersApiFactory.NewPassword() });
        var reset = await api.Api.PostAsync("/auth/customer/emailpass/reset-password", new { identifier = email });

        login.ExpectError(HttpStatusCode.BadRequest, "invalid_data", $"Invalid request: Field 'email' {issue}");
        reset.ExpectError(HttpStatusCode.BadRequest, "invalid_data", $"Invalid request: Field 'identifier' {issue}");
    }

    [Fact]
    public async Task Register_still_accepts_what_Medusa_accepts_within_the_rule()
    {
        var notAnEmail = "not-an-email-" + Guid.NewGuid().ToString("N");

        var response = await api.Api.PostAsync("/auth/customer/emailpass/register", new { email = notAnEmail, password = CustomersApiFactory.NewPassword() });

        response.Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Store_and_admin_create_refuse_a_255_character_email_and_create_nothing()
    {
        var email = new string('a', 60) + "@" + new string('b', 190) + ".com";
        var registration = await api.RegisterAsync(CustomersApiFactory.NewEmail(), CustomersApiFactory.NewPassword());
        var key = await api.CreateSecretKeyAsync();

        var store = await api.Api.PostAsync("/store/customers", new { email }, registration);
        var admin = await api.AdminPostAsync("/admin/customers", key, new JsonObject { ["email"] = email });

        Assert.Equal(255, email.Length);
        store.ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Invalid request: Field 'email' must be at most 254 characters");
        admin.ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Invalid request: Field 'email' must be at most 254 characters");
        Assert.Equal(0L, await Db.ScalarAsync<long>(api.ConnectionString, "SELECT count(*) FROM customer WHERE email = $1", email));
    }
}
