using System.Net;
using System.Security.Cryptography;
using System.Text;
using Customers.Testing;
using Xunit;

namespace Customers.Host.Tests.Http.OAuth;

/// <summary>
/// Every way an OAuth / OpenID Connect sign-in must fail (docs/medusa-compatibility.md §3.6, §3.13 and
/// docs/security.md): state replayed, unknown, expired or taken to another provider; forged ID tokens; callback URLs
/// off the allowlist; provider refusals; and an e-mail that matches an existing account, which must never take that
/// account over.
/// </summary>
[Collection(OAuthCollection.Name)]
public sealed class OAuthRefusalTests(OAuthApiFactory api)
{
    private const string StateExpired = "No state provided, or session expired";

    [Theory]
    [InlineData("https://evil.example/auth/google/callback")]
    [InlineData("https://shop.example/auth/google/callback/")]
    [InlineData("https://shop.example/auth/google/callback?next=/")]
    [InlineData("HTTPS://SHOP.EXAMPLE/auth/google/callback")]
    [InlineData("")]
    public async Task A_callback_url_that_is_not_exactly_on_the_allowlist_is_refused_and_nothing_is_stored(string callbackUrl)
    {
        var before = await StateCountAsync();

        var response = await api.Api.PostAsync("/auth/customer/google", new { callback_url = callbackUrl });

        response.ExpectError(HttpStatusCode.BadRequest, "not_allowed", "The callback_url is not an allowed callback URL of the auth provider google");
        Assert.Equal(before, await StateCountAsync());
    }

    [Fact]
    public async Task A_non_string_callback_url_is_refused()
    {
        var response = await api.Api.PostAsync("/auth/customer/keycloak", new { callback_url = 42 });

        response.ExpectError(HttpStatusCode.BadRequest, "not_allowed", "The callback_url is not an allowed callback URL of the auth provider keycloak");
    }

    [Fact]
    public async Task A_replayed_state_is_refused()
    {
        var location = await api.StartAsync("google");
        var code = api.Idp.Authorize(location, FakeUser.New());
        (await api.CallbackAsync("google", code, OAuthApiFactory.StateOf(location))).Expect(HttpStatusCode.OK);

        var replay = await api.CallbackAsync("google", code, OAuthApiFactory.StateOf(location));

        replay.ExpectError(HttpStatusCode.Unauthorized, "unauthorized", StateExpired);
    }

    [Theory]
    [InlineData("/auth/customer/google/callback?code=abc&state=not-a-state-we-made")]
    [InlineData("/auth/customer/google/callback?code=abc")]
    [InlineData("/auth/customer/github/callback?code=abc&state=")]
    public async Task An_unknown_or_missing_state_is_refused(string path)
    {
        var response = await api.Api.GetAsync(path);

        response.ExpectError(HttpStatusCode.Unauthorized, "unauthorized", StateExpired);
    }

    [Fact]
    public async Task A_state_older_than_ten_minutes_is_refused_and_spent()
    {
        var location = await api.StartAsync("google");
        var code = api.Idp.Authorize(location, FakeUser.New());
        var state = OAuthApiFactory.StateOf(location);

        api.Clock.Advance(TimeSpan.FromMinutes(10) + TimeSpan.FromSeconds(1));
        var response = await api.CallbackAsync("google", code, state);

        response.ExpectError(HttpStatusCode.Unauthorized, "unauthorized", StateExpired);
        Assert.Equal(0L, await Db.ScalarAsync<long>(api.ConnectionString, "SELECT count(*) FROM oauth_state WHERE state_hash = $1", Hash(state)));
    }

    [Fact]
    public async Task A_state_is_spent_even_when_the_sign_in_fails_later()
    {
        var location = await api.StartAsync("google");
        var forged = api.Idp.Authorize(location, FakeUser.New(), new Forgery { Nonce = "another-nonce" });
        (await api.CallbackAsync("google", forged, OAuthApiFactory.StateOf(location))).Expect(HttpStatusCode.Unauthorized);

        var honest = api.Idp.Authorize(location, FakeUser.New());
        var retry = await api.CallbackAsync("google", honest, OAuthApiFactory.StateOf(location));

        retry.ExpectError(HttpStatusCode.Unauthorized, "unauthorized", StateExpired);
    }

    [Fact]
    public async Task A_state_made_for_one_provider_does_not_work_at_another()
    {
        var location = await api.StartAsync("google");
        var code = api.Idp.Authorize(location, FakeUser.New());

        var elsewhere = await api.CallbackAsync("keycloak", code, OAuthApiFactory.StateOf(location));

        elsewhere.ExpectError(HttpStatusCode.Unauthorized, "unauthorized", StateExpired);
        // ... and it was spent by that attempt.
        (await api.CallbackAsync("google", code, OAuthApiFactory.StateOf(location))).ExpectError(HttpStatusCode.Unauthorized, "unauthorized", StateExpired);
    }

    [Fact]
    public async Task A_state_made_for_one_actor_type_does_not_work_for_another()
    {
        var location = await api.StartAsync("google");
        var code = api.Idp.Authorize(location, FakeUser.New());

        var response = await api.Api.GetAsync(
            $"/auth/seller/google/callback?code={Uri.EscapeDataString(code)}&state={Uri.EscapeDataString(OAuthApiFactory.StateOf(location))}");

        response.ExpectError(HttpStatusCode.Unauthorized, "unauthorized", StateExpired);
    }

    [Fact]
    public async Task No_code_is_refused_before_the_state_is_looked_at()
    {
        var location = await api.StartAsync("google");

        var response = await api.Api.GetAsync($"/auth/customer/google/callback?state={Uri.EscapeDataString(OAuthApiFactory.StateOf(location))}");

        response.ExpectError(HttpStatusCode.Unauthorized, "unauthorized", "No code provided");
    }

    [Theory]
    [InlineData("tampered", "Could not verify Google id_token: invalid signature")]
    [InlineData("foreign-key", "Could not verify Google id_token: invalid signature")]
    [InlineData("nonce", "Could not verify Google id_token: wrong nonce")]
    [InlineData("audience", "Could not verify Google id_token: wrong audience")]
    [InlineData("issuer", "Could not verify Google id_token: wrong issuer")]
    [InlineData("expired", "Could not verify Google id_token: token expired")]
    public async Task A_forged_or_misdirected_id_token_is_refused_and_creates_nothing(string forgeryName, string message)
    {
        var user = FakeUser.New();
        var forgery = forgeryName switch
        {
            "tampered" => new Forgery { TamperedPayload = true },
            "foreign-key" => new Forgery { WrongKey = true },
            "nonce" => new Forgery { Nonce = Convert.ToBase64String(RandomNumberGenerator.GetBytes(32)) },
            "audience" => new Forgery { Audience = "some-other-client" },
            "issuer" => new Forgery { Issuer = "https://accounts.evil.example" },
            "expired" => new Forgery { Expired = true },
            _ => throw new ArgumentOutOfRangeException(nameof(forgeryName)),
        };

        var response = await api.SignInAsync("google", user, forgery);

        response.ExpectError(HttpStatusCode.Unauthorized, "unauthorized", message);
        Assert.Equal(0L, await Db.ScalarAsync<long>(api.ConnectionString, "SELECT count(*) FROM provider_identity WHERE entity_id IN ($1, 'someone-else')", user.Subject));
    }

    [Fact]
    public async Task Userinfo_for_another_subject_is_refused()
    {
        var user = FakeUser.New() with { ProfileOnlyInUserInfo = true };

        var response = await api.SignInAsync("keycloak", user, new Forgery { UserInfoSubject = "someone-else" });

        response.ExpectError(HttpStatusCode.Unauthorized, "unauthorized", "Could not verify Keycloak id_token: the userinfo subject differs from the token's");
    }

    [Fact]
    public async Task A_token_answer_without_an_id_token_is_refused()
    {
        var response = await api.SignInAsync("google", FakeUser.New(), new Forgery { OmitIdToken = true });

        response.ExpectError(HttpStatusCode.Unauthorized, "unauthorized", "Authentication failed");
    }

    [Fact]
    public async Task A_refused_code_exchange_answers_Medusas_message()
    {
        var response = await api.SignInAsync("google", FakeUser.New(), new Forgery { TokenEndpointStatus = 500 });

        response.ExpectError(HttpStatusCode.Unauthorized, "unauthorized", "Could not exchange token, 500, Internal Server Error");
    }

    [Fact]
    public async Task A_code_the_provider_does_not_know_is_refused()
    {
        var location = await api.StartAsync("google");

        var response = await api.CallbackAsync("google", "made-up-code", OAuthApiFactory.StateOf(location));

        response.ExpectError(HttpStatusCode.Unauthorized, "unauthorized", "Could not exchange token, 400, Bad Request");
    }

    [Fact]
    public async Task An_unverified_google_email_is_refused()
    {
        var response = await api.SignInAsync("google", FakeUser.New() with { EmailVerified = false });

        response.ExpectError(HttpStatusCode.Unauthorized, "unauthorized", "Email not verified, cannot proceed with authentication");
    }

    [Fact]
    public async Task GitHub_answering_a_bad_code_with_an_error_body_is_refused()
    {
        var location = await api.StartAsync("github");

        var response = await api.CallbackAsync("github", "bad-code", OAuthApiFactory.StateOf(location));

        response.ExpectError(HttpStatusCode.Unauthorized, "unauthorized", "Authentication failed");
    }

    [Fact]
    public async Task The_providers_error_answer_is_shown_as_Medusa_words_it_and_spends_the_state()
    {
        var location = await api.StartAsync("google");
        var state = OAuthApiFactory.StateOf(location);

        var response = await api.Api.GetAsync(
            "/auth/customer/google/callback?error=access_denied&error_description=The+user+denied+access" +
            $"&error_uri={Uri.EscapeDataString("https://idp.example/errors/access_denied")}&state={Uri.EscapeDataString(state)}");

        response.ExpectError(HttpStatusCode.Unauthorized, "unauthorized", "The user denied access, read more at: https://idp.example/errors/access_denied");
        Assert.Equal(0L, await Db.ScalarAsync<long>(api.ConnectionString, "SELECT count(*) FROM oauth_state WHERE state_hash = $1", Hash(state)));
    }

    [Fact]
    public async Task An_error_without_description_or_uri_shows_the_error_code()
    {
        var response = await api.Api.GetAsync("/auth/customer/github/callback?error=access_denied");

        response.ExpectError(HttpStatusCode.Unauthorized, "unauthorized", "access_denied");
    }

    [Fact]
    public async Task An_error_on_the_start_route_is_refused_too()
    {
        var response = await api.Api.GetAsync("/auth/customer/google?error=access_denied&error_description=Nope&error_uri=https://idp.example/e");

        response.ExpectError(HttpStatusCode.Unauthorized, "unauthorized", "Nope, read more at: https://idp.example/e");
    }

    [Fact]
    public async Task A_provider_email_that_matches_an_emailpass_account_never_takes_it_over()
    {
        var owner = await api.CreateCustomerAsync();
        var intruder = FakeUser.New(email: owner.Email);

        var token = (await api.SignInAsync("google", intruder)).Token();

        // A separate identity, linked to nothing.
        var claims = Jwt.Payload(token);
        Assert.NotEqual(owner.AuthIdentityId, claims["auth_identity_id"]!.GetValue<string>());
        Assert.Equal("", claims["actor_id"]!.GetValue<string>());
        Assert.Equal("{}", claims["app_metadata"]!.ToJsonString());
        (await api.Api.GetAsync("/store/customers/me", token)).ExpectUnauthorized();

        // Creating a customer with that e-mail is Medusa's duplicate (docs/medusa-compatibility.md §3.13): accounts are
        // not merged.
        var duplicate = (await api.Api.PostAsync("/store/customers", new { email = owner.Email }, token)).Expect(HttpStatusCode.UnprocessableEntity);
        Assert.Equal("duplicate_error", duplicate.Type);
        Assert.Equal("Customer with this email already has an account", duplicate.Message);

        // The owner's account is untouched, and signing in again does not reach it either.
        Assert.Equal(owner.CustomerId, Jwt.Payload(await api.LoginAsync(owner.Email, owner.Password))["actor_id"]!.GetValue<string>());
        var again = Jwt.Payload((await api.SignInAsync("google", intruder)).Token());
        Assert.Equal("", again["actor_id"]!.GetValue<string>());
        Assert.Equal(claims["auth_identity_id"]!.GetValue<string>(), again["auth_identity_id"]!.GetValue<string>());
        Assert.Equal(1L, await Db.ScalarAsync<long>(
            api.ConnectionString, "SELECT count(*) FROM auth_identity WHERE app_metadata ->> 'customer_id' = $1", owner.CustomerId));
    }

    [Fact]
    public async Task Admins_may_not_start_or_finish_a_google_sign_in_by_default()
    {
        (await api.Api.PostAsync("/auth/user/google", new { }))
            .ExpectError(HttpStatusCode.BadRequest, "not_allowed", "The actor type user is not allowed to use the auth provider google");
        (await api.Api.GetAsync("/auth/user/google/callback?code=x&state=y"))
            .ExpectError(HttpStatusCode.BadRequest, "not_allowed", "The actor type user is not allowed to use the auth provider google");
    }

    private Task<long> StateCountAsync() => Db.ScalarAsync<long>(api.ConnectionString, "SELECT count(*) FROM oauth_state");

    private static byte[] Hash(string state) => SHA256.HashData(Encoding.UTF8.GetBytes(state));
}
