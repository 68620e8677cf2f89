using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Customers.Host.Auth.Providers;
using Customers.Testing;
using Microsoft.AspNetCore.WebUtilities;
using Xunit;

namespace Customers.Host.Tests.Http.OAuth;

/// <summary>
/// OAuth / OpenID Connect sign-in that works (docs/medusa-compatibility.md §3.4, §3.6, §3.7, §3.13, §3.14.2): Google (OIDC with
/// discovery, JWKS, nonce), a generic OIDC provider by issuer URL, and GitHub (OAuth 2 + REST API), each against a
/// real HTTP provider on loopback.
/// </summary>
[Collection(OAuthCollection.Name)]
public sealed class OAuthSignInTests(OAuthApiFactory api)
{
    [Fact]
    public async Task Providers_lists_the_configured_providers_by_name_then_emailpass()
    {
        var response = await api.Anonymous.GetAsync("/auth/customer/providers");

        response.Expect(
            HttpStatusCode.OK,
            """{"providers":[""" +
            """{"id":"github","identifier":"github","display_name":"Github Authentication","flow":"redirect"},""" +
            """{"id":"google","identifier":"google","display_name":"Google Authentication","flow":"redirect"},""" +
            """{"id":"keycloak","identifier":"keycloak","display_name":"Staff SSO","flow":"redirect"},""" +
            """{"id":"emailpass","identifier":"emailpass","display_name":"Email/Password Authentication","flow":"credentials"}]}""");
    }

    [Fact]
    public async Task Providers_for_admins_lists_only_what_their_allow_list_permits()
    {
        var response = await api.Anonymous.GetAsync("/auth/user/providers");

        response.Expect(
            HttpStatusCode.OK,
            """{"providers":[{"id":"emailpass","identifier":"emailpass","display_name":"Email/Password Authentication","flow":"credentials"}]}""");
    }

    [Theory]
    [InlineData("POST")]
    [InlineData("GET")]
    public async Task Start_answers_only_a_location_with_pkce_state_and_nonce(string method)
    {
        var response = method == "POST"
            ? await api.Api.PostAsync("/auth/customer/google", new { })
            : await api.Api.GetAsync("/auth/customer/google");

        response.Expect(HttpStatusCode.OK);
        Assert.Equal(["location"], response.Object.Select(p => p.Key));
        var location = new Uri(response.Object["location"]!.GetValue<string>());
        Assert.Equal(api.Idp.Issuer("google") + "/authorize", location.GetLeftPart(UriPartial.Path));
        var query = QueryHelpers.ParseQuery(location.Query);
        Assert.Equal(OAuthApiFactory.GoogleClientId, query["client_id"]);
        Assert.Equal(OAuthApiFactory.GoogleCallbacks[0], query["redirect_uri"]);
        Assert.Equal("code", query["response_type"]);
        Assert.Equal("openid email profile", query["scope"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.Equal(43, query["code_challenge"].ToString().Length);
        Assert.True(query["state"].ToString().Length >= 43, "state carries at least 256 bits");
        Assert.True(query["nonce"].ToString().Length >= 43, "nonce carries at least 256 bits");

        // Kept server-side by its hash only, with the verifier the callback will need.
        var state = query["state"].ToString();
        var rows = await Db.RowsAsync(api.ConnectionString, "SELECT * FROM oauth_state WHERE state_hash = $1", SHA256.HashData(Encoding.UTF8.GetBytes(state)));
        var row = Assert.Single(rows);
        Assert.Equal("google", row["provider"]);
        Assert.Equal("customer", row["actor_type"]);
        Assert.Equal(OAuthApiFactory.GoogleCallbacks[0], row["callback_url"]);
        Assert.Equal(query["nonce"].ToString(), row["nonce"]);
        var verifier = (string)row["code_verifier"]!;
        Assert.Equal(query["code_challenge"].ToString(), System.Buffers.Text.Base64Url.EncodeToString(SHA256.HashData(Encoding.ASCII.GetBytes(verifier))));
        Assert.Equal(0L, await Db.ScalarAsync<long>(api.ConnectionString, "SELECT count(*) FROM oauth_state WHERE callback_url = $1 OR code_verifier = $1 OR nonce = $1", state));
    }

    [Fact]
    public async Task Google_new_user_gets_an_actorless_token_creates_the_customer_and_signs_in_again_as_that_customer()
    {
        var user = FakeUser.New(name: "Grace Hopper");

        // First sign-in: a new identity, no customer yet (docs/medusa-compatibility.md §3.14.2).
        var first = (await api.SignInAsync("google", user)).Token();
        var claims = Jwt.Payload(first);
        Assert.Equal("", claims["actor_id"]!.GetValue<string>());
        Assert.Equal("customer", claims["actor_type"]!.GetValue<string>());
        Assert.Equal("google", claims["auth_provider"]!.GetValue<string>());
        Assert.Equal("{}", claims["app_metadata"]!.ToJsonString());
        Assert.True(JsonNode.DeepEquals(
            new JsonObject { ["name"] = "Grace Hopper", ["email"] = user.Email, ["given_name"] = "Grace" },
            claims["user_metadata"]));
        var identityId = claims["auth_identity_id"]!.GetValue<string>();
        Assert.Equal(identityId, await Db.ScalarAsync<string>(
            api.ConnectionString, "SELECT auth_identity_id FROM provider_identity WHERE provider = 'google' AND entity_id = $1", user.Subject));

        // The storefront creates the customer with that token, then refreshes it.
        var created = (await api.Api.PostAsync("/store/customers", new { email = user.Email, first_name = "Grace" }, first)).Expect(HttpStatusCode.OK);
        var customerId = created.Object["customer"]!["id"]!.GetValue<string>();
        var refreshed = (await api.Api.PostAsync("/auth/token/refresh", null, first)).Expect(HttpStatusCode.OK).Token();
        Assert.Equal(customerId, Jwt.Payload(refreshed)["actor_id"]!.GetValue<string>());
        Assert.Equal("google", Jwt.Payload(refreshed)["auth_provider"]!.GetValue<string>());
        var me = (await api.Api.GetAsync("/store/customers/me", refreshed)).Expect(HttpStatusCode.OK);
        Assert.Equal(user.Email, me.Object["customer"]!["email"]!.GetValue<string>());

        // Returning: the same identity, and the token already names the customer.
        var again = Jwt.Payload((await api.SignInAsync("google", user)).Token());
        Assert.Equal(identityId, again["auth_identity_id"]!.GetValue<string>());
        Assert.Equal(customerId, again["actor_id"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(new JsonObject { ["customer_id"] = customerId }, again["app_metadata"]));
    }

    [Fact]
    public async Task Google_code_exchange_sends_the_pkce_verifier_the_redirect_uri_and_the_secret_in_the_body()
    {
        var location = await api.StartAsync("google");
        var code = api.Idp.Authorize(location, FakeUser.New());

        (await api.CallbackAsync("google", code, OAuthApiFactory.StateOf(location))).Expect(HttpStatusCode.OK);

        var request = api.Idp.TokenRequests.Last(r => r.Tenant == "google" && r.Form.GetValueOrDefault("code") == code);
        Assert.False(request.UsedBasicAuthentication);
        Assert.Equal("authorization_code", request.Form["grant_type"]);
        Assert.Equal(OAuthApiFactory.GoogleCallbacks[0], request.Form["redirect_uri"]);
        Assert.Equal(OAuthApiFactory.GoogleClientId, request.Form["client_id"]);
        Assert.Equal(api.GoogleSecret, request.Form["client_secret"]);
        Assert.Equal(43, request.Form["code_verifier"].Length);
    }

    [Fact]
    public async Task Generic_oidc_provider_uses_basic_client_authentication_and_reads_the_profile_from_userinfo()
    {
        var user = FakeUser.New(name: "Ada Lovelace") with { ProfileOnlyInUserInfo = true };

        var response = await api.SignInAsync("keycloak", user);

        var claims = Jwt.Payload(response.Token());
        Assert.Equal("keycloak", claims["auth_provider"]!.GetValue<string>());
        Assert.Equal(user.Email, claims["user_metadata"]!["email"]!.GetValue<string>());
        Assert.Equal("Ada Lovelace", claims["user_metadata"]!["name"]!.GetValue<string>());
        var request = api.Idp.TokenRequests.Last(r => r.Tenant == "keycloak");
        Assert.True(request.UsedBasicAuthentication);
        Assert.False(request.Form.ContainsKey("client_secret"));
        Assert.True(request.Form.ContainsKey("code_verifier"));
    }

    [Fact]
    public async Task An_identity_is_provider_and_subject_so_one_subject_at_two_providers_is_two_identities()
    {
        var user = FakeUser.New();

        var atGoogle = Jwt.Payload((await api.SignInAsync("google", user)).Token());
        var atKeycloak = Jwt.Payload((await api.SignInAsync("keycloak", user)).Token());

        Assert.NotEqual(atGoogle["auth_identity_id"]!.GetValue<string>(), atKeycloak["auth_identity_id"]!.GetValue<string>());
        Assert.Equal(2L, await Db.ScalarAsync<long>(api.ConnectionString, "SELECT count(*) FROM provider_identity WHERE entity_id = $1", user.Subject));
    }

    [Fact]
    public async Task A_callback_url_on_the_allowlist_may_be_chosen_and_is_used_for_the_code_exchange()
    {
        var location = await api.StartAsync("google", new { callback_url = OAuthApiFactory.GoogleCallbacks[1] });

        Assert.Equal(OAuthApiFactory.GoogleCallbacks[1], QueryHelpers.ParseQuery(location.Query)["redirect_uri"]);
        var code = api.Idp.Authorize(location, FakeUser.New());
        (await api.CallbackAsync("google", code, OAuthApiFactory.StateOf(location))).Expect(HttpStatusCode.OK);
        Assert.Equal(OAuthApiFactory.GoogleCallbacks[1], api.Idp.TokenRequests.Last(r => r.Form.GetValueOrDefault("code") == code).Form["redirect_uri"]);
    }

    [Fact]
    public async Task Callback_by_post_takes_the_code_from_the_body_and_the_state_from_the_query()
    {
        var location = await api.StartAsync("google");
        var code = api.Idp.Authorize(location, FakeUser.New());

        var response = await api.Api.PostAsync($"/auth/customer/google/callback?state={Uri.EscapeDataString(OAuthApiFactory.StateOf(location))}", new { code });

        response.Expect(HttpStatusCode.OK).Token();
    }

    [Fact]
    public async Task GitHub_signs_in_with_the_numeric_id_and_the_primary_verified_email()
    {
        var login = $"octo-{Guid.NewGuid():N}"[..20];
        var gitHubId = RandomNumberGenerator.GetInt32(1, int.MaxValue);
        var primary = $"{login}@users.example";
        var user = new FakeUser(login, Name: "Mona Octocat")
        {
            GitHubId = gitHubId,
            GitHubEmails =
            [
                new GitHubEmail($"{login}@old.example", Primary: false, Verified: true),
                new GitHubEmail(primary, Primary: true, Verified: true),
            ],
        };

        var location = await api.StartAsync("github");
        var query = QueryHelpers.ParseQuery(location.Query);
        Assert.Equal(api.Idp.BaseUrl + "/github/login/oauth/authorize", location.GetLeftPart(UriPartial.Path));
        Assert.Equal(OAuthApiFactory.GitHubClientId, query["client_id"]);
        Assert.Equal(OAuthApiFactory.GitHubCallbacks[0], query["redirect_uri"]);
        Assert.Equal("read:user user:email", query["scope"]);
        Assert.Equal("S256", query["code_challenge_method"]);
        Assert.False(query.ContainsKey("nonce"));
        var code = api.Idp.Authorize(location, user);
        var claims = Jwt.Payload((await api.CallbackAsync("github", code, OAuthApiFactory.StateOf(location))).Expect(HttpStatusCode.OK).Token());

        Assert.Equal("", claims["actor_id"]!.GetValue<string>());
        Assert.Equal("github", claims["auth_provider"]!.GetValue<string>());
        Assert.Equal(
            $$"""{"profile_url":"https://api.github.com/users/{{login}}","avatar":"https://avatars.githubusercontent.com/u/{{gitHubId}}?v=4","email":"{{primary}}","name":"Mona Octocat","company":"@acme","two_factor_authentication":true}""",
            claims["user_metadata"]!.ToJsonString());
        Assert.Equal(claims["auth_identity_id"]!.GetValue<string>(), await Db.ScalarAsync<string>(
            api.ConnectionString, "SELECT auth_identity_id FROM provider_identity WHERE provider = 'github' AND entity_id = $1",
            gitHubId.ToString(System.Globalization.CultureInfo.InvariantCulture)));
        var request = api.Idp.TokenRequests.Last(r => r.Tenant == "github" && r.Form.GetValueOrDefault("code") == code);
        Assert.Equal(api.GitHubSecret, request.Form["client_secret"]);
        Assert.Equal(OAuthApiFactory.GitHubCallbacks[0], request.Form["redirect_uri"]);
        Assert.Equal(43, request.Form["code_verifier"].Length);

        var again = Jwt.Payload((await api.SignInAsync("github", user)).Token());
        Assert.Equal(claims["auth_identity_id"]!.GetValue<string>(), again["auth_identity_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task GitHub_without_a_primary_verified_email_signs_in_with_a_null_email()
    {
        var login = $"octo-{Guid.NewGuid():N}"[..20];
        var user = new FakeUser(login, Name: "No Mail")
        {
            GitHubId = RandomNumberGenerator.GetInt32(1, int.MaxValue),
            GitHubEmails = [new GitHubEmail($"{login}@unverified.example", Primary: true, Verified: false)],
        };

        var claims = Jwt.Payload((await api.SignInAsync("github", user)).Token());

        Assert.True(claims["user_metadata"]!.AsObject().ContainsKey("email"));
        Assert.Null(claims["user_metadata"]!["email"]);
    }

    [Theory]
    [InlineData("google", "Google does not support registration. Use method `authenticate` instead.")]
    [InlineData("github", "Github does not support registration. Use method `authenticate` instead.")]
    [InlineData("keycloak", "Keycloak does not support registration. Use method `authenticate` instead.")]
    public async Task Redirect_providers_refuse_registration_as_Medusa_does(string provider, string message)
    {
        var response = await api.Api.PostAsync($"/auth/customer/{provider}/register", new { email = CustomersApiFactory.NewEmail(), password = CustomersApiFactory.NewPassword() });

        response.ExpectError(HttpStatusCode.Unauthorized, "unauthorized", message);
    }

    [Fact]
    public async Task Emailpass_has_no_callback()
    {
        var response = await api.Api.GetAsync("/auth/customer/emailpass/callback?code=x&state=y");

        response.ExpectError(HttpStatusCode.Unauthorized, "unauthorized", "Callback authentication not implemented for provider emailpass");
    }

    [Fact]
    public async Task Emailpass_still_registers_and_logs_in_through_the_provider_interface()
    {
        var customer = await api.CreateCustomerAsync();

        Assert.Equal(customer.CustomerId, Jwt.Payload(customer.Token)["actor_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Client_secrets_never_reach_a_log_or_the_options_text()
    {
        await api.SignInAsync("google", FakeUser.New());
        await api.SignInAsync("keycloak", FakeUser.New() with { ProfileOnlyInUserInfo = true });
        await api.SignInAsync("github", new FakeUser($"octo-{Guid.NewGuid():N}"[..20]) { GitHubId = RandomNumberGenerator.GetInt32(1, int.MaxValue) });
        await api.SignInAsync("google", FakeUser.New(), new Forgery { TokenEndpointStatus = 500 });

        Assert.NotEmpty(api.Logs);
        foreach (var secret in new[] { api.GoogleSecret, api.KeycloakSecret, api.GitHubSecret })
        {
            Assert.DoesNotContain(api.Logs, line => line.Contains(secret, StringComparison.Ordinal));
        }

        var options = new OAuthProviderOptions { Type = "google", ClientId = "id", ClientSecret = api.GoogleSecret };
        Assert.DoesNotContain(api.GoogleSecret, options.ToString(), StringComparison.Ordinal);
        Assert.Contains("(redacted)", options.ToString(), StringComparison.Ordinal);
    }
}
