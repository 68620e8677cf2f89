using Customers.Testing;
using System.Net;
using System.Text.Json.Nodes;
using Customers.Abstractions.Auth;
using Customers.Abstractions.Ids;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Customers.Host.Tests.Http;

/// <summary>E-mail/password registration and login, token refresh and the provider routes
/// (docs/medusa-compatibility.md §3.2, §3.4-§3.8).</summary>
[Collection(HttpCollection.Name)]
public sealed class AuthTests(CustomersApiFactory api)
{
    private const string Register = "/auth/customer/emailpass/register";
    private const string Login = "/auth/customer/emailpass";
    private const string Refresh = "/auth/token/refresh";

    private static readonly string[] ClaimOrder =
    [
        "actor_id", "actor_type", "auth_identity_id", "auth_provider", "mfa_enabled", "mfa_challenge_completed_at",
        "app_metadata", "user_metadata", "iat", "exp",
    ];

    [Fact]
    public async Task Register_answers_only_a_token_with_the_actorless_claims_in_Medusa_order()
    {
        var before = api.Clock.GetUtcNow().ToUnixTimeSeconds();

        var response = await api.Api.PostAsync(Register, new { email = CustomersApiFactory.NewEmail(), password = CustomersApiFactory.NewPassword() });

        response.Expect(HttpStatusCode.OK);
        Assert.Equal("application/json; charset=utf-8", response.ContentType);
        var token = response.Token();
        Assert.True(Jwt.HasValidHs256Signature(token, api.JwtKey));
        Assert.Equal("""{"alg":"HS256","typ":"JWT"}""", Jwt.Header(token).ToJsonString());
        var claims = Jwt.Payload(token);
        Assert.Equal(ClaimOrder, claims.Select(c => c.Key));
        Assert.Equal("", claims["actor_id"]!.GetValue<string>());
        Assert.Equal("customer", claims["actor_type"]!.GetValue<string>());
        Assert.Matches("^authid_[0-9A-HJKMNP-TV-Z]{26}$", claims["auth_identity_id"]!.GetValue<string>());
        Assert.Equal("emailpass", claims["auth_provider"]!.GetValue<string>());
        Assert.False(claims["mfa_enabled"]!.GetValue<bool>());
        Assert.Null(claims["mfa_challenge_completed_at"]);
        Assert.True(claims.TryGetPropertyValue("mfa_challenge_completed_at", out _));
        Assert.Equal("{}", claims["app_metadata"]!.ToJsonString());
        Assert.Equal("{}", claims["user_metadata"]!.ToJsonString());
        var issuedAt = claims["iat"]!.GetValue<long>();
        Assert.InRange(issuedAt, before, api.Clock.GetUtcNow().ToUnixTimeSeconds() + 1);
        Assert.Equal(issuedAt + 86_400, claims["exp"]!.GetValue<long>());
    }

    [Fact]
    public async Task Login_token_of_a_linked_identity_carries_the_customer_id()
    {
        var customer = await api.CreateCustomerAsync();

        var claims = Jwt.Payload(customer.Token);

        Assert.Equal(ClaimOrder, claims.Select(c => c.Key));
        Assert.Equal(customer.CustomerId, claims["actor_id"]!.GetValue<string>());
        Assert.Equal("customer", claims["actor_type"]!.GetValue<string>());
        Assert.Equal(Jwt.Payload(customer.RegistrationToken)["auth_identity_id"]!.GetValue<string>(), customer.AuthIdentityId);
        Assert.Equal("emailpass", claims["auth_provider"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["customer_id"] = customer.CustomerId }, claims["app_metadata"]));
    }

    [Fact]
    public async Task Login_of_an_identity_without_customer_gives_an_actorless_token()
    {
        var email = CustomersApiFactory.NewEmail();
        var password = CustomersApiFactory.NewPassword();
        var registration = await api.RegisterAsync(email, password);

        var token = await api.LoginAsync(email, password);

        Assert.Equal("", Jwt.Payload(token)["actor_id"]!.GetValue<string>());
        Assert.Equal(Jwt.Payload(registration)["auth_identity_id"]!.ToJsonString(), Jwt.Payload(token)["auth_identity_id"]!.ToJsonString());
    }

    [Fact]
    public async Task Registering_again_with_the_same_password_before_linking_returns_the_same_identity()
    {
        var email = CustomersApiFactory.NewEmail();
        var password = CustomersApiFactory.NewPassword();
        var first = await api.RegisterAsync(email, password);

        var second = (await api.Api.PostAsync(Register, new { email, password })).Expect(HttpStatusCode.OK).Token();

        Assert.Equal(Jwt.Payload(first)["auth_identity_id"]!.GetValue<string>(), Jwt.Payload(second)["auth_identity_id"]!.GetValue<string>());
        Assert.Equal("", Jwt.Payload(second)["actor_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Registering_again_with_another_password_is_refused()
    {
        var email = CustomersApiFactory.NewEmail();
        await api.RegisterAsync(email, CustomersApiFactory.NewPassword());

        var response = await api.Api.PostAsync(Register, new { email, password = CustomersApiFactory.NewPassword() });

        response.ExpectError(HttpStatusCode.Unauthorized, "unauthorized", "Identity with email already exists");
    }

    [Fact]
    public async Task Registering_again_after_the_customer_was_created_is_refused_even_with_the_same_password()
    {
        var customer = await api.CreateCustomerAsync();

        var response = await api.Api.PostAsync(Register, new { email = customer.Email, password = customer.Password });

        response.ExpectError(HttpStatusCode.Unauthorized, "unauthorized", "Identity with email already exists");
    }

    [Fact]
    public async Task Emails_differing_only_in_case_are_different_identities()
    {
        var lower = CustomersApiFactory.NewEmail("case");
        var upper = lower.ToUpperInvariant();

        var first = await api.RegisterAsync(lower, CustomersApiFactory.NewPassword());
        var second = await api.RegisterAsync(upper, CustomersApiFactory.NewPassword());

        Assert.NotEqual(Jwt.Payload(first)["auth_identity_id"]!.GetValue<string>(), Jwt.Payload(second)["auth_identity_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Login_with_wrong_password_answers_like_unknown_email()
    {
        var customer = await api.CreateCustomerAsync();

        var wrongPassword = await api.Api.PostAsync(Login, new { email = customer.Email, password = CustomersApiFactory.NewPassword() });
        var unknownEmail = await api.Api.PostAsync(Login, new { email = CustomersApiFactory.NewEmail(), password = customer.Password });

        wrongPassword.ExpectError(HttpStatusCode.Unauthorized, "unauthorized", "Invalid email or password");
        unknownEmail.ExpectError(HttpStatusCode.Unauthorized, "unauthorized", "Invalid email or password");
        Assert.Equal(Describe(wrongPassword), Describe(unknownEmail));
    }

    [Fact]
    public async Task Login_email_is_case_sensitive_as_typed()
    {
        var customer = await api.CreateCustomerAsync();

        var response = await api.Api.PostAsync(Login, new { email = customer.Email.ToUpperInvariant(), password = customer.Password });

        response.ExpectError(HttpStatusCode.Unauthorized, "unauthorized", "Invalid email or password");
    }

    [Theory]
    [InlineData("""{}""", "Password should be a string")]
    [InlineData("""{"email":"someone@example.com"}""", "Password should be a string")]
    [InlineData("""{"email":"someone@example.com","password":""}""", "Password should be a string")]
    [InlineData("""{"email":"someone@example.com","password":12345678}""", "Password should be a string")]
    [InlineData("""{"email":"someone@example.com","password":null}""", "Password should be a string")]
    [InlineData("""{"password":"long-enough-password"}""", "Email should be a string")]
    [InlineData("""{"email":"","password":"long-enough-password"}""", "Email should be a string")]
    [InlineData("""{"email":42,"password":"long-enough-password"}""", "Email should be a string")]
    [InlineData("""{"email":{"$ne":null},"password":"long-enough-password"}""", "Email should be a string")]
    public async Task Login_and_register_check_the_password_type_before_the_email_type(string body, string message)
    {
        var login = await api.Api.PostRawAsync(Login, body);
        var register = await api.Api.PostRawAsync(Register, body);

        login.ExpectError(HttpStatusCode.Unauthorized, "unauthorized", message);
        register.ExpectError(HttpStatusCode.Unauthorized, "unauthorized", message);
    }

    [Fact]
    public async Task Login_accepts_an_url_encoded_form()
    {
        var customer = await api.CreateCustomerAsync();
        var form = $"email={Uri.EscapeDataString(customer.Email)}&password={Uri.EscapeDataString(customer.Password)}";

        var response = await api.Api.PostRawAsync(Login, form, "application/x-www-form-urlencoded");

        var token = response.Expect(HttpStatusCode.OK).Token();
        Assert.Equal(customer.CustomerId, Jwt.Payload(token)["actor_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Auth_routes_ignore_the_publishable_key()
    {
        var customer = await api.CreateCustomerAsync();
        var withBadKey = api.WithPublishableKey("pk_not-a-key");

        var response = await withBadKey.PostAsync(Login, new { email = customer.Email, password = customer.Password });

        response.Expect(HttpStatusCode.OK).Token();
    }

    [Theory]
    [InlineData("password123")]
    [InlineData("qwertyuiop")]
    public async Task Register_refuses_a_common_password_and_creates_nothing(string password)
    {
        var email = CustomersApiFactory.NewEmail();

        var response = await api.Api.PostAsync(Register, new { email, password });

        response.Expect(HttpStatusCode.BadRequest);
        Assert.Equal("invalid_data", response.Type);
        Assert.Contains("common", response.Message, StringComparison.OrdinalIgnoreCase);
        await AssertNoIdentityAsync(email, password);
    }

    [Theory]
    [InlineData(7)]
    [InlineData(129)]
    public async Task Register_refuses_a_password_outside_8_to_128_characters(int length)
    {
        var email = CustomersApiFactory.NewEmail();
        var password = string.Concat(Enumerable.Repeat("kq7Zw", 30))[..length];

        var response = await api.Api.PostAsync(Register, new { email, password });

        response.Expect(HttpStatusCode.BadRequest);
        Assert.Equal("invalid_data", response.Type);
        Assert.Contains("128", response.Message, StringComparison.Ordinal);
        await AssertNoIdentityAsync(email, password);
    }

    [Theory]
    [InlineData(8)]
    [InlineData(128)]
    public async Task Register_accepts_passwords_of_8_and_128_characters_verified_exactly(int length)
    {
        var email = CustomersApiFactory.NewEmail();
        var password = string.Concat(Enumerable.Repeat("kq7Zw ", 30))[..(length - 1)] + "é";

        await api.RegisterAsync(email, password);

        await api.LoginAsync(email, password);
        (await api.Api.PostAsync(Login, new { email, password = password[..^1] + "e" }))
            .ExpectError(HttpStatusCode.Unauthorized, "unauthorized", "Invalid email or password");
    }

    [Fact]
    public async Task Refresh_keeps_actor_and_provider_and_issues_later_iat_and_exp()
    {
        var customer = await api.CreateCustomerAsync();
        api.Clock.Advance(TimeSpan.FromSeconds(2));

        var refreshed = (await api.Api.PostAsync(Refresh, token: customer.Token)).Expect(HttpStatusCode.OK).Token();

        var before = Jwt.Payload(customer.Token);
        var after = Jwt.Payload(refreshed);
        Assert.Equal(ClaimOrder, after.Select(c => c.Key));
        foreach (var claim in new[] { "actor_id", "actor_type", "auth_identity_id", "auth_provider", "app_metadata", "user_metadata" })
        {
            Assert.True(JsonNode.DeepEquals(before[claim], after[claim]), $"{claim}: {before[claim]?.ToJsonString()} vs {after[claim]?.ToJsonString()}");
        }

        Assert.True(Jwt.IssuedAt(refreshed) > Jwt.IssuedAt(customer.Token));
        Assert.True(Jwt.Expires(refreshed) > Jwt.Expires(customer.Token));
        (await api.Api.GetAsync("/store/customers/me", refreshed)).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Refresh_turns_the_registration_token_into_a_customer_token_once_linked()
    {
        var customer = await api.CreateCustomerAsync();
        (await api.Api.GetAsync("/store/customers/me", customer.RegistrationToken)).ExpectUnauthorized();

        var refreshed = (await api.Api.PostAsync(Refresh, token: customer.RegistrationToken)).Expect(HttpStatusCode.OK).Token();

        var claims = Jwt.Payload(refreshed);
        Assert.Equal(customer.CustomerId, claims["actor_id"]!.GetValue<string>());
        Assert.Equal(customer.AuthIdentityId, claims["auth_identity_id"]!.GetValue<string>());
        Assert.Equal("emailpass", claims["auth_provider"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["customer_id"] = customer.CustomerId }, claims["app_metadata"]));
        var me = (await api.Api.GetAsync("/store/customers/me", refreshed)).Expect(HttpStatusCode.OK);
        Assert.Equal(customer.CustomerId, me.Object["customer"]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Refresh_of_an_unlinked_identity_stays_actorless()
    {
        var email = CustomersApiFactory.NewEmail();
        var registration = await api.RegisterAsync(email, CustomersApiFactory.NewPassword());

        var refreshed = (await api.Api.PostAsync(Refresh, token: registration)).Expect(HttpStatusCode.OK).Token();

        Assert.Equal("", Jwt.Payload(refreshed)["actor_id"]!.GetValue<string>());
        Assert.Equal(Jwt.Payload(registration)["auth_identity_id"]!.GetValue<string>(), Jwt.Payload(refreshed)["auth_identity_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Minimal_claims_token_works_on_the_store_but_cannot_be_refreshed()
    {
        var customer = await api.CreateCustomerAsync();
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var minimal = Jwt.Sign(new JsonObject
        {
            ["actor_id"] = customer.CustomerId,
            ["actor_type"] = "customer",
            ["auth_identity_id"] = customer.AuthIdentityId,
            ["iat"] = now,
            ["exp"] = now + 3600,
        }, api.JwtKey);

        (await api.Api.GetAsync("/store/customers/me", minimal)).Expect(HttpStatusCode.OK);
        var response = await api.Api.PostAsync(Refresh, token: minimal);

        response.ExpectError(HttpStatusCode.Unauthorized, "unauthorized", "The auth provider is not set while refreshing token");
    }

    [Fact]
    public async Task Refresh_without_credentials_is_unauthorized()
    {
        var response = await api.Api.PostAsync(Refresh);

        response.ExpectUnauthorized();
    }

    [Fact]
    public async Task Identity_shared_by_an_admin_logs_in_as_customer_unlinked_and_keeps_both_links_after_sign_up()
    {
        // docs/medusa-compatibility.md §3.14.3: one e-mail identity for both roles; app_metadata keys other than the
        // actor's survive refresh.
        var email = CustomersApiFactory.NewEmail("admin");
        var password = CustomersApiFactory.NewPassword();
        var registration = await api.RegisterAsync(email, password);
        var identityId = Jwt.Payload(registration)["auth_identity_id"]!.GetValue<string>();
        var userId = EntityId.New(EntityId.User, DateTimeOffset.UtcNow);
        await api.Services.GetRequiredService<IGrainFactory>().GetGrain<IAuthIdentityGrain>(identityId).LinkActorAsync("user", userId);

        var asCustomer = await api.LoginAsync(email, password);
        var reRegister = await api.Api.PostAsync(Register, new { email, password });
        var created = (await api.Api.PostAsync("/store/customers", new { email }, asCustomer)).Expect(HttpStatusCode.OK);
        var refreshed = (await api.Api.PostAsync(Refresh, token: asCustomer)).Expect(HttpStatusCode.OK).Token();
        var asUser = (await api.Api.PostAsync("/auth/user/emailpass", new { email, password })).Expect(HttpStatusCode.OK).Token();

        Assert.Equal("", Jwt.Payload(asCustomer)["actor_id"]!.GetValue<string>());
        Assert.Equal($$"""{"user_id":"{{userId}}"}""", Jwt.Payload(asCustomer)["app_metadata"]!.ToJsonString());
        reRegister.ExpectError(HttpStatusCode.Unauthorized, "unauthorized", "Identity with email already exists");
        var customerId = created.Object["customer"]!["id"]!.GetValue<string>();
        var claims = Jwt.Payload(refreshed);
        Assert.Equal(customerId, claims["actor_id"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["user_id"] = userId, ["customer_id"] = customerId }, claims["app_metadata"]), claims.ToJsonString());
        Assert.Equal(userId, Jwt.Payload(asUser)["actor_id"]!.GetValue<string>());
        Assert.Equal("user", Jwt.Payload(asUser)["actor_type"]!.GetValue<string>());
        (await api.Api.GetAsync("/store/customers/me", asUser)).ExpectUnauthorized();
    }

    [Theory]
    [InlineData("customer")]
    [InlineData("user")]
    [InlineData("anything")]
    public async Task Providers_lists_emailpass_for_any_actor_without_auth(string actorType)
    {
        var response = await api.Anonymous.GetAsync($"/auth/{actorType}/providers");

        response.Expect(
            HttpStatusCode.OK,
            """{"providers":[{"id":"emailpass","identifier":"emailpass","display_name":"Email/Password Authentication","flow":"credentials"}]}""");
    }

    [Fact]
    public async Task Admin_actor_may_not_use_google()
    {
        var response = await api.Api.PostAsync("/auth/user/google", new { });

        response.ExpectError(HttpStatusCode.BadRequest, "not_allowed", "The actor type user is not allowed to use the auth provider google");
    }

    [Fact]
    public async Task Customer_login_with_a_provider_that_is_not_installed_is_refused()
    {
        var response = await api.Api.PostAsync("/auth/customer/google", new { });

        response.ExpectError(
            HttpStatusCode.Unauthorized,
            "unauthorized",
            "\nUnable to retrieve the auth provider with id: google\nPlease make sure that the provider is registered in the container and it is configured correctly in your project configuration file.");
    }

    private async Task AssertNoIdentityAsync(string email, string password)
    {
        Assert.Equal(0L, await Db.ScalarAsync<long>(api.ConnectionString, "SELECT count(*) FROM provider_identity WHERE entity_id = $1", email));
        (await api.Api.PostAsync(Login, new { email, password }))
            .ExpectError(HttpStatusCode.Unauthorized, "unauthorized", "Invalid email or password");
    }

    private static string Describe(ApiResponse response) =>
        $"{(int)response.Status} {response.Body} " + string.Join("; ", response.AllHeaders.OrderBy(h => h.Key).Select(h => $"{h.Key}: {h.Value}"));
}
