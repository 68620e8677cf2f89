using System.Net;
using System.Text;
using Customers.Host.Stores;
using Customers.Testing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;
using static Customers.Host.Tests.Http.Admin.AdminFixture;

namespace Customers.Host.Tests.Http.Admin;

/// <summary>
/// Who may call <c>/admin</c> (docs/medusa-compatibility.md §2.15): a linked admin user by bearer token or session, or
/// a secret API key by HTTP Basic; nobody else, on any path.
/// </summary>
[Collection(HttpCollection.Name)]
public sealed class AdminAuthTests(CustomersApiFactory api)
{
    private const string Customers = "/admin/customers";
    private const string Me = "/admin/users/me";

    private const string SecretKeyAsBearer =
        """{"message":"A secret API key was passed as a Bearer token. Secret API keys must be sent using HTTP Basic authentication instead (Authorization: Basic <secret-api-key>)."}""";

    [Fact]
    public async Task Users_me_answers_the_admin_user_of_the_token()
    {
        var admin = await api.CreateAdminAsync();

        var response = (await api.Anonymous.GetAsync(Me, admin.Token)).Expect(HttpStatusCode.OK);

        var user = response.Object["user"]!.AsObject();
        Assert.Equal(
            ["id", "first_name", "last_name", "email", "avatar_url", "metadata", "created_at", "updated_at", "deleted_at"],
            user.Select(p => p.Key));
        Assert.Equal(admin.UserId, user.Id());
        Assert.Equal(admin.Email, user["email"]!.GetValue<string>());
        Assert.Null(user["deleted_at"]);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", user["created_at"]!.GetValue<string>());
    }

    [Fact]
    public async Task Users_me_works_with_the_dashboards_session_cookie_and_honours_fields()
    {
        var admin = await api.CreateAdminAsync();
        var cookie = await api.StartSessionAsync(admin.Token);

        var response = (await api.Anonymous.GetAsync(Me + "?fields=id,email", configure: Cookie(cookie))).Expect(HttpStatusCode.OK);

        Assert.Equal($$$"""{"user":{"id":"{{{admin.UserId}}}","email":"{{{admin.Email}}}"}}""", response.Body);
    }

    [Fact]
    public async Task Users_me_is_for_users_not_secret_keys()
    {
        var key = await api.CreateSecretKeyAsync();

        var response = await api.AdminGetAsync(Me, key);

        response.ExpectUnauthorized();
    }

    [Fact]
    public async Task Users_me_of_a_user_without_a_user_row_is_404()
    {
        var admin = await api.CreateAdminAsync();
        await Db.ExecuteAsync(api.ConnectionString, "UPDATE app_user SET deleted_at = now() WHERE id = $1", admin.UserId);

        var response = await api.Anonymous.GetAsync(Me, admin.Token);

        response.ExpectError(HttpStatusCode.NotFound, "not_found", $"User with id: {admin.UserId} was not found");
    }

    [Theory]
    [InlineData("base64 with colon")]
    [InlineData("base64 without colon")]
    [InlineData("raw")]
    [InlineData("raw with colon")]
    [InlineData("lower-case scheme")]
    public async Task Secret_key_in_basic_authorization_is_accepted_in_every_form_medusa_accepts(string form)
    {
        var key = await api.CreateSecretKeyAsync();
        var header = form switch
        {
            "base64 with colon" => "Basic " + Base64(key.Token + ":"),
            "base64 without colon" => "Basic " + Base64(key.Token),
            "raw" => "Basic " + key.Token,
            "raw with colon" => "Basic " + key.Token + ":",
            _ => "basic " + Base64(key.Token + ":"),
        };

        var response = await api.Anonymous.GetAsync(Customers + "?limit=1", configure: r => r.Headers.TryAddWithoutValidation("Authorization", header));

        response.Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Admin_user_token_and_admin_session_are_accepted()
    {
        var admin = await api.CreateAdminAsync();
        var cookie = await api.StartSessionAsync(admin.Token);

        (await api.Anonymous.GetAsync(Customers + "?limit=1", admin.Token)).Expect(HttpStatusCode.OK);
        (await api.Anonymous.GetAsync(Customers + "?limit=1", configure: Cookie(cookie))).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Secret_key_sent_as_a_bearer_token_gets_medusas_hint()
    {
        var key = await api.CreateSecretKeyAsync();

        var response = await api.Anonymous.GetAsync(Customers, key.Token);

        response.Expect(HttpStatusCode.Unauthorized, SecretKeyAsBearer);
    }

    [Fact]
    public async Task Nothing_but_an_admin_credential_passes()
    {
        var customer = await api.CreateCustomerAsync();
        var customerCookie = await api.StartSessionAsync(customer.Token);
        var revoked = await RevokedSecretKeyAsync();
        var unknown = "sk_" + Convert.ToHexStringLower(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

        var attempts = new Dictionary<string, ApiResponse>
        {
            ["none"] = await api.Anonymous.GetAsync(Customers),
            ["customer token"] = await api.Anonymous.GetAsync(Customers, customer.Token),
            ["customer session"] = await api.Anonymous.GetAsync(Customers, configure: Cookie(customerCookie)),
            ["publishable key header"] = await api.Api.GetAsync(Customers),
            ["publishable key as basic"] = await api.Anonymous.GetAsync(Customers, configure: Basic(api.PublishableKey)),
            ["revoked secret key"] = await api.Anonymous.GetAsync(Customers, configure: Basic(revoked.Token)),
            ["unknown secret key"] = await api.Anonymous.GetAsync(Customers, configure: Basic(unknown)),
            ["garbage basic"] = await api.Anonymous.GetAsync(Customers, configure: BasicRaw("%%%not-base64")),
            ["garbage bearer"] = await api.Anonymous.GetAsync(Customers, "not.a.jwt"),
        };

        Assert.All(attempts, attempt => attempt.Value.ExpectUnauthorized());
    }

    [Fact]
    public async Task Admin_identity_without_a_linked_user_is_refused()
    {
        // A registration token for the user actor type has actor_id "": an identity, but no admin user.
        var email = CustomersApiFactory.NewEmail("not-admin");
        var password = CustomersApiFactory.NewPassword();
        var token = (await api.Anonymous.PostAsync("/auth/user/emailpass/register", new { email, password })).Expect(HttpStatusCode.OK).Token();
        Assert.Equal("", Jwt.Payload(token)["actor_id"]!.GetValue<string>());

        var response = await api.Anonymous.GetAsync(Me, token);

        response.ExpectUnauthorized();
    }

    [Fact]
    public async Task Logout_revokes_the_admins_tokens()
    {
        var admin = await api.CreateAdminAsync();
        var cookie = await api.StartSessionAsync(admin.Token);

        (await api.Anonymous.DeleteAsync("/auth/session", configure: Cookie(cookie))).Expect(HttpStatusCode.OK);

        (await api.Anonymous.GetAsync(Me, admin.Token)).ExpectUnauthorized();
    }

    [Theory]
    [InlineData("GET", "/admin/products")]
    [InlineData("POST", "/admin/customers/cus_x/orders")]
    [InlineData("GET", "/admin")]
    [InlineData("PUT", "/admin/customers")]
    [InlineData("GET", "/ADMIN/customers")]
    [InlineData("GET", "/Admin/Customers")]
    public async Task Unknown_paths_and_methods_answer_401_before_404(string method, string path)
    {
        var key = await api.CreateSecretKeyAsync();

        var anonymous = await api.Anonymous.SendAsync(new HttpMethod(method), path, null);
        var withKey = await api.Anonymous.SendAsync(new HttpMethod(method), path, null, configure: Basic(key.Token));

        anonymous.ExpectUnauthorized();
        Assert.NotEqual(HttpStatusCode.Unauthorized, withKey.Status);
    }

    [Fact]
    public async Task Cors_preflight_of_an_admin_route_is_answered_before_the_gate()
    {
        var response = await api.Anonymous.SendAsync(HttpMethod.Options, Customers, null, configure: r =>
        {
            r.Headers.TryAddWithoutValidation("Origin", "https://admin.example.com");
            r.Headers.TryAddWithoutValidation("Access-Control-Request-Method", "GET");
        });

        Assert.Equal(HttpStatusCode.NoContent, response.Status);
    }

    [Fact]
    public async Task Revoking_a_secret_key_stops_it_at_once_on_this_silo()
    {
        var admin = await api.CreateAdminAsync();
        var key = await api.CreateSecretKeyAsync();
        (await api.AdminGetAsync(Customers + "?limit=1", key)).Expect(HttpStatusCode.OK); // cached as valid now

        (await api.Anonymous.PostAsync($"/admin/api-keys/{key.Id}/revoke", new { }, admin.Token)).Expect(HttpStatusCode.OK);

        (await api.AdminGetAsync(Customers + "?limit=1", key)).ExpectUnauthorized();
    }

    [Fact]
    public async Task Revoking_a_publishable_key_stops_it_at_once_on_this_silo()
    {
        var admin = await api.CreateAdminAsync();
        var customer = await api.CreateCustomerAsync();
        var created = (await api.Anonymous.PostAsync("/admin/api-keys", new { title = "shop", type = "publishable" }, admin.Token))
            .Expect(HttpStatusCode.OK).Object["api_key"]!;
        var store = api.WithPublishableKey(created["token"]!.GetValue<string>());
        (await store.GetAsync("/store/customers/me", customer.Token)).Expect(HttpStatusCode.OK); // cached as valid now

        (await api.Anonymous.PostAsync($"/admin/api-keys/{created.Id()}/revoke", new { }, admin.Token)).Expect(HttpStatusCode.OK);

        (await store.GetAsync("/store/customers/me", customer.Token))
            .ExpectError(HttpStatusCode.BadRequest, "not_allowed", "A valid publishable key is required to proceed with the request");
    }

    [Fact]
    public async Task Secret_key_use_is_recorded_as_last_used_at()
    {
        var key = await api.CreateSecretKeyAsync();

        (await api.AdminGetAsync(Customers + "?limit=1", key)).Expect(HttpStatusCode.OK);

        Assert.NotNull(await Db.ScalarAsync<DateTime?>(api.ConnectionString, "SELECT last_used_at FROM api_key WHERE id = $1", key.Id));
    }

    [Fact]
    public async Task Writes_record_the_admin_actor_as_created_by()
    {
        var admin = await api.CreateAdminAsync();
        var key = await api.CreateSecretKeyAsync();

        var byUser = (await api.Anonymous.PostAsync(Customers, new { }, admin.Token)).Expect(HttpStatusCode.OK);
        var byKey = (await api.AdminPostAsync(Customers, key)).Expect(HttpStatusCode.OK);

        Assert.Equal(admin.UserId, byUser.Object["customer"]!["created_by"]!.GetValue<string>());
        Assert.Equal(key.Id, byKey.Object["customer"]!["created_by"]!.GetValue<string>());
    }

    private async Task<TestSecretKey> RevokedSecretKeyAsync()
    {
        var key = await api.CreateSecretKeyAsync();
        await api.Services.GetRequiredService<ApiKeyStore>().RevokeAsync(key.Id, "user_http_tests", TimeSpan.Zero, CancellationToken.None);
        return key;
    }

    private static string Base64(string text) => Convert.ToBase64String(Encoding.UTF8.GetBytes(text));
}
