using System.Net;
using System.Text.Json.Nodes;
using Customers.Testing;
using Xunit;

namespace Customers.Host.Tests.Http;

/// <summary>
/// <c>POST /store/customers/me/password</c> (our extension; Medusa has none): a signed-in customer changes their
/// password with the current one. Wrong current passwords count toward the lockout; success revokes earlier tokens
/// and any pending reset token.
/// </summary>
[Collection(HttpCollection.Name)]
public sealed class ChangePasswordTests(CustomersApiFactory api)
{
    private const string Password = "/store/customers/me/password";
    private const string Me = "/store/customers/me";
    private const string Login = "/auth/customer/emailpass";
    private const string InvalidCredentials = "Invalid email or password";

    [Fact]
    public async Task Change_with_the_current_password_sets_the_new_one_and_revokes_earlier_tokens()
    {
        var customer = await api.CreateCustomerAsync();
        var bystander = await api.CreateCustomerAsync();
        var newPassword = CustomersApiFactory.NewPassword();

        var response = await ChangeAsync(customer.Token, customer.Password, newPassword);

        response.Expect(HttpStatusCode.OK, """{"success":true}""");
        (await api.Api.GetAsync(Me, customer.Token)).ExpectUnauthorized();
        (await LoginAsync(customer.Email, customer.Password)).ExpectError(HttpStatusCode.Unauthorized, "unauthorized", InvalidCredentials);
        var fresh = (await LoginAsync(customer.Email, newPassword)).Expect(HttpStatusCode.OK).Token();
        (await api.Api.GetAsync(Me, fresh)).Expect(HttpStatusCode.OK);
        (await api.Api.GetAsync(Me, bystander.Token)).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Change_works_with_a_session_cookie()
    {
        var customer = await api.CreateCustomerAsync();
        var session = (await api.Api.PostAsync("/auth/session", token: customer.Token)).Expect(HttpStatusCode.OK);
        var cookie = session.SetCookies.Single().Split(';')[0];
        var newPassword = CustomersApiFactory.NewPassword();

        var response = await api.Api.PostAsync(Password, new { current_password = customer.Password, new_password = newPassword },
            configure: WithCookie(cookie));

        response.Expect(HttpStatusCode.OK, """{"success":true}""");
        (await api.Api.GetAsync(Me, configure: WithCookie(cookie))).ExpectUnauthorized();
        (await LoginAsync(customer.Email, newPassword)).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_wrong_current_password_is_a_401_and_counts_toward_the_lockout()
    {
        var customer = await api.CreateCustomerAsync();
        var newPassword = CustomersApiFactory.NewPassword();

        var wrong = await ChangeAsync(customer.Token, CustomersApiFactory.NewPassword(), newPassword);

        wrong.ExpectError(HttpStatusCode.Unauthorized, "unauthorized", InvalidCredentials);
        var state = JsonNode.Parse((await Db.StoredStateAsync(api.ConnectionString, "authidentity", customer.AuthIdentityId))!)!;
        Assert.Equal(1, state["failed_logins"]!.GetValue<int>());
        (await api.Api.GetAsync(Me, customer.Token)).Expect(HttpStatusCode.OK);
        (await LoginAsync(customer.Email, customer.Password)).Expect(HttpStatusCode.OK);
        (await LoginAsync(customer.Email, newPassword)).Expect(HttpStatusCode.Unauthorized);
    }

    [Fact]
    public async Task Ten_wrong_current_passwords_lock_the_account_even_for_the_right_one()
    {
        var customer = await api.CreateCustomerAsync();
        for (var i = 0; i < 10; i++)
        {
            (await ChangeAsync(customer.Token, CustomersApiFactory.NewPassword(), CustomersApiFactory.NewPassword()))
                .ExpectError(HttpStatusCode.Unauthorized, "unauthorized", InvalidCredentials);
        }

        var right = await ChangeAsync(customer.Token, customer.Password, CustomersApiFactory.NewPassword());

        right.ExpectError(HttpStatusCode.Unauthorized, "unauthorized", InvalidCredentials);
        (await LoginAsync(customer.Email, customer.Password)).ExpectError(HttpStatusCode.Unauthorized, "unauthorized", InvalidCredentials);
    }

    [Fact]
    public async Task A_new_password_that_breaks_the_policy_is_a_400_and_is_not_a_failed_login()
    {
        var customer = await api.CreateCustomerAsync();

        var weakWithWrongCurrent = await ChangeAsync(customer.Token, CustomersApiFactory.NewPassword(), "short");
        var common = await ChangeAsync(customer.Token, customer.Password, "password1");

        weakWithWrongCurrent.ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Password must be between 8 and 128 characters long.");
        common.ExpectError(HttpStatusCode.BadRequest, "invalid_data", "This password is too common. Please choose a password that is harder to guess.");
        var state = JsonNode.Parse((await Db.StoredStateAsync(api.ConnectionString, "authidentity", customer.AuthIdentityId))!)!;
        Assert.Equal(0, state["failed_logins"]!.GetValue<int>());
        (await api.Api.GetAsync(Me, customer.Token)).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_body_is_validated_strictly()
    {
        var customer = await api.CreateCustomerAsync();

        var missing = await api.Api.PostAsync(Password, new { current_password = customer.Password }, customer.Token);
        var unknown = await api.Api.PostAsync(Password,
            new { current_password = customer.Password, new_password = CustomersApiFactory.NewPassword(), email = "x@example.com" }, customer.Token);
        var wrongType = await api.Api.PostAsync(Password, new { current_password = 5, new_password = CustomersApiFactory.NewPassword() }, customer.Token);

        missing.ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Invalid request: Field 'new_password' is required");
        unknown.ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Invalid request: Unrecognized fields: 'email'");
        wrongType.ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Invalid request: Expected type: 'string' for field 'current_password', got: '5'");
        (await LoginAsync(customer.Email, customer.Password)).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Callers_without_a_customer_token_are_refused()
    {
        var customer = await api.CreateCustomerAsync();
        var body = new { current_password = customer.Password, new_password = CustomersApiFactory.NewPassword() };

        (await api.Api.PostAsync(Password, body)).ExpectUnauthorized();
        (await api.Api.PostAsync(Password, body, customer.RegistrationToken)).ExpectUnauthorized();
        (await api.Anonymous.PostAsync(Password, body, customer.Token)).Expect(HttpStatusCode.BadRequest);
        (await LoginAsync(customer.Email, customer.Password)).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_password_change_invalidates_a_pending_reset_token()
    {
        var customer = await api.CreateCustomerAsync();
        (await api.Api.PostAsync("/auth/customer/emailpass/reset-password", new { identifier = customer.Email })).Expect(HttpStatusCode.Created);
        await api.WhenBackgroundWorkDoneAsync();
        var token = (await Db.ScalarAsync<string>(api.ConnectionString,
            "SELECT data ->> 'token' FROM dev_notification WHERE event_name = 'auth.password_reset' AND data ->> 'entity_id' = $1 ORDER BY id DESC LIMIT 1",
            customer.Email))!;
        var newPassword = CustomersApiFactory.NewPassword();

        (await ChangeAsync(customer.Token, customer.Password, newPassword)).Expect(HttpStatusCode.OK);
        var reset = await api.Api.PostAsync("/auth/customer/emailpass/update", new { password = CustomersApiFactory.NewPassword() }, token);

        reset.ExpectError(HttpStatusCode.Unauthorized, "unauthorized", "Invalid token");
        (await LoginAsync(customer.Email, newPassword)).Expect(HttpStatusCode.OK);
    }

    private Task<ApiResponse> ChangeAsync(string token, string currentPassword, string newPassword) =>
        api.Api.PostAsync(Password, new { current_password = currentPassword, new_password = newPassword }, token);

    private Task<ApiResponse> LoginAsync(string email, string password) => api.Api.PostAsync(Login, new { email, password });

    private static Action<HttpRequestMessage> WithCookie(string cookie) =>
        request => request.Headers.TryAddWithoutValidation("Cookie", cookie);
}
