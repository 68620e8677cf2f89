using System.Buffers.Text;
using System.Net;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Customers.Testing;
using Xunit;

namespace Customers.Host.Tests.Http;

/// <summary>
/// Password reset (docs/medusa-compatibility.md §3.10-§3.11) with the security baseline on top: 256-bit token ids stored
/// only as a hash, single use, newest token only, 15 minutes, at most 3 requests a minute per account, lockout
/// cleared and earlier tokens revoked on completion. The token is read where the development notification sink
/// records the <c>auth.password_reset</c> event (the factory runs in the Development environment).
/// </summary>
[Collection(HttpCollection.Name)]
public sealed class PasswordResetTests(CustomersApiFactory api)
{
    private const string ResetPassword = "/auth/customer/emailpass/reset-password";
    private const string Update = "/auth/customer/emailpass/update";
    private const string Login = "/auth/customer/emailpass";
    private const string Me = "/store/customers/me";
    private const string InvalidCredentials = "Invalid email or password";

    private static readonly string[] ResetClaimOrder = ["entity_id", "provider", "actor_type", "purpose", "iat", "exp", "jti"];

    [Fact]
    public async Task Reset_password_for_an_existing_identity_answers_201_Created_as_text()
    {
        var customer = await api.CreateCustomerAsync();

        var response = await PostResetAsync(new { identifier = customer.Email });

        AssertCreated(response);
        Assert.Single(await ResetEventsAsync(customer.Email));
    }

    [Fact]
    public async Task Reset_password_without_identifier_is_a_400()
    {
        var missing = await PostResetAsync(new { });
        var wrongType = await PostResetAsync(new { identifier = 5 });
        var unknownField = await PostResetAsync(new { identifier = CustomersApiFactory.NewEmail(), email = "x" });

        missing.ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Invalid request: Field 'identifier' is required");
        wrongType.ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Invalid request: Expected type: 'string' for field 'identifier', got: '5'");
        unknownField.ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Invalid request: Unrecognized fields: 'email'");
    }

    [Fact]
    public async Task Reset_password_for_an_unknown_identifier_answers_the_same_201_and_does_nothing()
    {
        var known = await api.CreateCustomerAsync();
        var unknown = CustomersApiFactory.NewEmail();

        var forKnown = await PostResetAsync(new { identifier = known.Email });
        var forUnknown = await PostResetAsync(new { identifier = unknown });
        var otherCase = await PostResetAsync(new { identifier = known.Email.ToUpperInvariant() });

        AssertCreated(forUnknown);
        AssertCreated(otherCase);
        Assert.Equal(forKnown.Body, forUnknown.Body);
        Assert.Equal(Comparable(forKnown), Comparable(forUnknown));
        Assert.Empty(await ResetEventsAsync(unknown));
        Assert.Empty(await ResetEventsAsync(known.Email.ToUpperInvariant()));
    }

    [Fact]
    public async Task Reset_password_with_a_provider_that_is_not_installed_answers_201_unless_the_allow_list_refuses_it()
    {
        var customer = await api.CreateCustomerAsync();

        var notInstalled = await api.Api.PostAsync("/auth/customer/non-existing-provider/reset-password", new { identifier = customer.Email });
        var notAllowed = await api.Api.PostAsync("/auth/user/google/reset-password", new { identifier = customer.Email });
        var notAllowedAndInvalid = await api.Api.PostAsync("/auth/user/google/reset-password", new { });

        AssertCreated(notInstalled);
        notAllowed.ExpectError(HttpStatusCode.BadRequest, "not_allowed", "The actor type user is not allowed to use the auth provider google");
        notAllowedAndInvalid.ExpectError(HttpStatusCode.BadRequest, "not_allowed", "The actor type user is not allowed to use the auth provider google");
        Assert.Empty(await ResetEventsAsync(customer.Email));
    }

    [Fact]
    public async Task Reset_event_carries_entity_id_actor_type_token_and_metadata_exactly_once()
    {
        var customer = await api.CreateCustomerAsync();
        var metadata = new JsonObject { ["locale"] = "da-DK", ["nested"] = new JsonObject { ["x"] = new JsonArray(1, "y", null) } };
        var before = api.Clock.GetUtcNow().ToUnixTimeSeconds();

        AssertCreated(await PostResetAsync(new JsonObject { ["identifier"] = customer.Email, ["metadata"] = metadata.DeepClone() }));

        var data = Assert.Single(await ResetEventsAsync(customer.Email));
        Assert.Equal(["actor_type", "entity_id", "metadata", "token"], data.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Equal(customer.Email, data["entity_id"]!.GetValue<string>());
        Assert.Equal("customer", data["actor_type"]!.GetValue<string>());
        Assert.True(JsonNode.DeepEquals(metadata, data["metadata"]), data.ToJsonString());

        var token = data["token"]!.GetValue<string>();
        Assert.Equal("""{"alg":"HS256","typ":"JWT"}""", Jwt.Header(token).ToJsonString());
        Assert.True(Jwt.HasValidHs256Signature(token, api.JwtKey));
        var claims = Jwt.Payload(token);
        Assert.Equal(ResetClaimOrder, claims.Select(c => c.Key));
        Assert.Equal(customer.Email, claims["entity_id"]!.GetValue<string>());
        Assert.Equal("emailpass", claims["provider"]!.GetValue<string>());
        Assert.Equal("customer", claims["actor_type"]!.GetValue<string>());
        Assert.Equal("reset", claims["purpose"]!.GetValue<string>());
        var issuedAt = claims["iat"]!.GetValue<long>();
        Assert.InRange(issuedAt, before, api.Clock.GetUtcNow().ToUnixTimeSeconds());
        Assert.Equal(issuedAt + 900, claims["exp"]!.GetValue<long>());
        var jti = claims["jti"]!.GetValue<string>();
        Assert.Equal(32, Base64Url.DecodeFromChars(jti).Length); // 256 random bits
    }

    [Fact]
    public async Task Reset_event_without_metadata_has_an_empty_metadata_object()
    {
        var customer = await api.CreateCustomerAsync();

        AssertCreated(await PostResetAsync(new { identifier = customer.Email }));

        Assert.Equal("{}", Assert.Single(await ResetEventsAsync(customer.Email))["metadata"]!.ToJsonString());
    }

    [Fact]
    public async Task The_identity_stores_only_the_hash_of_the_token_id()
    {
        var customer = await api.CreateCustomerAsync();

        var token = await RequestTokenAsync(customer.Email);

        var jti = Jwt.Payload(token)["jti"]!.GetValue<string>();
        var stateJson = (await Db.StoredStateAsync(api.ConnectionString, "authidentity", customer.AuthIdentityId))!;
        Assert.DoesNotContain(jti, stateJson, StringComparison.Ordinal);
        Assert.DoesNotContain(token, stateJson, StringComparison.Ordinal);
        var reset = JsonNode.Parse(stateJson)!["password_reset"]!;
        Assert.Equal(Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(jti))), reset["token_hash"]!.GetValue<string>());
        Assert.InRange(
            reset["expires_at"]!.GetValue<DateTimeOffset>(),
            DateTimeOffset.FromUnixTimeSeconds(Jwt.Expires(token)),
            DateTimeOffset.FromUnixTimeSeconds(Jwt.Expires(token) + 1));
    }

    [Fact]
    public async Task Update_with_the_reset_token_sets_the_new_password()
    {
        var customer = await api.CreateCustomerAsync();
        var token = await RequestTokenAsync(customer.Email);
        var newPassword = CustomersApiFactory.NewPassword();

        var response = await UpdateAsync(token, new { password = newPassword });

        response.Expect(HttpStatusCode.OK, """{"success":true}""");
        (await LoginAsync(customer.Email, customer.Password)).ExpectError(HttpStatusCode.Unauthorized, "unauthorized", InvalidCredentials);
        var fresh = (await LoginAsync(customer.Email, newPassword)).Expect(HttpStatusCode.OK).Token();
        Assert.Equal(customer.CustomerId, (await api.Api.GetAsync(Me, fresh)).Expect(HttpStatusCode.OK).Object["customer"]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Replaying_a_used_token_is_refused_and_its_password_is_not_set()
    {
        var customer = await api.CreateCustomerAsync();
        var token = await RequestTokenAsync(customer.Email);
        var firstPassword = CustomersApiFactory.NewPassword();
        var replayedPassword = CustomersApiFactory.NewPassword();
        (await UpdateAsync(token, new { password = firstPassword })).Expect(HttpStatusCode.OK);

        var replay = await UpdateAsync(token, new { password = replayedPassword });

        ExpectInvalidToken(replay);
        (await LoginAsync(customer.Email, replayedPassword)).Expect(HttpStatusCode.Unauthorized);
        (await LoginAsync(customer.Email, firstPassword)).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Concurrent_updates_with_one_token_succeed_exactly_once()
    {
        var customer = await api.CreateCustomerAsync();
        var token = await RequestTokenAsync(customer.Email);
        var passwords = Enumerable.Range(0, 6).Select(_ => CustomersApiFactory.NewPassword()).ToArray();

        var responses = await Task.WhenAll(passwords.Select(p => UpdateAsync(token, new { password = p })));

        var winner = Assert.Single(responses, r => r.Status == HttpStatusCode.OK);
        Assert.All(responses.Where(r => r != winner), ExpectInvalidToken);
        var winningPassword = passwords[Array.IndexOf(responses, winner)];
        (await LoginAsync(customer.Email, winningPassword)).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_second_token_invalidates_the_first()
    {
        var customer = await api.CreateCustomerAsync();
        var first = await RequestTokenAsync(customer.Email);
        var second = await RequestTokenAsync(customer.Email);
        Assert.NotEqual(first, second);

        var withFirst = await UpdateAsync(first, new { password = CustomersApiFactory.NewPassword() });
        var withSecond = await UpdateAsync(second, new { password = CustomersApiFactory.NewPassword() });

        ExpectInvalidToken(withFirst);
        withSecond.Expect(HttpStatusCode.OK, """{"success":true}""");
    }

    [Fact]
    public async Task Login_and_registration_tokens_are_not_reset_tokens()
    {
        var customer = await api.CreateCustomerAsync();

        var withLogin = await UpdateAsync(customer.Token, new { password = CustomersApiFactory.NewPassword() });
        var withRegistration = await UpdateAsync(customer.RegistrationToken, new { password = CustomersApiFactory.NewPassword() });

        ExpectInvalidToken(withLogin);
        ExpectInvalidToken(withRegistration);
        (await LoginAsync(customer.Email, customer.Password)).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_reset_token_is_not_a_session_token()
    {
        var customer = await api.CreateCustomerAsync();
        var token = await RequestTokenAsync(customer.Email);

        (await api.Api.GetAsync(Me, token)).ExpectUnauthorized();
        (await api.Api.PostAsync("/auth/session", token: token)).ExpectUnauthorized();
        (await api.Api.PostAsync("/auth/token/refresh", token: token)).ExpectUnauthorized();
        (await UpdateAsync(token, new { password = CustomersApiFactory.NewPassword() })).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Update_changes_only_the_password_even_when_the_body_carries_an_email()
    {
        var customer = await api.CreateCustomerAsync();
        var token = await RequestTokenAsync(customer.Email);
        var newEmail = CustomersApiFactory.NewEmail();
        var newPassword = CustomersApiFactory.NewPassword();

        (await UpdateAsync(token, new { email = newEmail, password = newPassword })).Expect(HttpStatusCode.OK, """{"success":true}""");

        (await LoginAsync(newEmail, newPassword)).ExpectError(HttpStatusCode.Unauthorized, "unauthorized", InvalidCredentials);
        (await LoginAsync(customer.Email, newPassword)).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task An_expired_token_is_refused()
    {
        var customer = await api.CreateCustomerAsync();
        var token = await RequestTokenAsync(customer.Email);

        api.Clock.Advance(TimeSpan.FromMinutes(16));
        var response = await UpdateAsync(token, new { password = CustomersApiFactory.NewPassword() });

        ExpectInvalidToken(response);
        (await LoginAsync(customer.Email, customer.Password)).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_token_whose_stored_expiry_passed_is_refused_even_with_a_valid_signature()
    {
        // The JWT alone would still pass: exp is re-signed far in the future, but the identity's own expiry holds.
        var customer = await api.CreateCustomerAsync();
        var token = await RequestTokenAsync(customer.Email);
        api.Clock.Advance(TimeSpan.FromMinutes(16));
        var claims = Jwt.Payload(token);
        claims["exp"] = api.Clock.GetUtcNow().ToUnixTimeSeconds() + 600;

        var response = await UpdateAsync(Jwt.Sign(claims, api.JwtKey), new { password = CustomersApiFactory.NewPassword() });

        ExpectInvalidToken(response);
    }

    [Theory]
    [InlineData("no header")]
    [InlineData("empty bearer")]
    [InlineData("garbage")]
    [InlineData("basic scheme")]
    public async Task Update_without_a_bearer_reset_token_is_refused(string variant)
    {
        var customer = await api.CreateCustomerAsync();
        var token = await RequestTokenAsync(customer.Email);
        Action<HttpRequestMessage>? configure = variant switch
        {
            "no header" => null,
            "empty bearer" => r => r.Headers.TryAddWithoutValidation("Authorization", "Bearer "),
            "garbage" => r => r.Headers.TryAddWithoutValidation("Authorization", "Bearer not.a.jwt"),
            "basic scheme" => r => r.Headers.TryAddWithoutValidation("Authorization", "Basic " + token),
            _ => throw new ArgumentOutOfRangeException(nameof(variant)),
        };

        var response = await api.Api.PostAsync(Update, new { password = CustomersApiFactory.NewPassword() }, configure: configure);

        ExpectInvalidToken(response);
        (await UpdateAsync(token, new { password = CustomersApiFactory.NewPassword() })).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task The_bearer_scheme_is_matched_case_insensitively()
    {
        var customer = await api.CreateCustomerAsync();
        var token = await RequestTokenAsync(customer.Email);

        var response = await api.Api.PostAsync(Update, new { password = CustomersApiFactory.NewPassword() },
            configure: r => r.Headers.TryAddWithoutValidation("Authorization", "bearer " + token));

        response.Expect(HttpStatusCode.OK, """{"success":true}""");
    }

    [Fact]
    public async Task A_session_cookie_is_not_looked_at()
    {
        var customer = await api.CreateCustomerAsync();
        var session = (await api.Api.PostAsync("/auth/session", token: customer.Token)).Expect(HttpStatusCode.OK);
        var cookie = session.SetCookies.Single().Split(';')[0];
        await RequestTokenAsync(customer.Email);

        var response = await api.Api.PostAsync(Update, new { password = CustomersApiFactory.NewPassword() },
            configure: r => r.Headers.TryAddWithoutValidation("Cookie", cookie));

        ExpectInvalidToken(response);
    }

    [Fact]
    public async Task A_token_made_for_the_user_actor_is_refused_on_the_customer_route()
    {
        var customer = await api.CreateCustomerAsync();
        AssertCreated(await api.Api.PostAsync("/auth/user/emailpass/reset-password", new { identifier = customer.Email }));
        var data = Assert.Single(await ResetEventsAsync(customer.Email));
        Assert.Equal("user", data["actor_type"]!.GetValue<string>());
        var token = data["token"]!.GetValue<string>();

        var onCustomerRoute = await UpdateAsync(token, new { password = CustomersApiFactory.NewPassword() });
        var onUserRoute = await api.Api.PostAsync("/auth/user/emailpass/update", new { password = CustomersApiFactory.NewPassword() }, token);

        ExpectInvalidToken(onCustomerRoute);
        onUserRoute.Expect(HttpStatusCode.OK, """{"success":true}""");
    }

    [Fact]
    public async Task A_token_signed_with_another_secret_is_refused_and_the_real_one_still_works()
    {
        var customer = await api.CreateCustomerAsync();
        var token = await RequestTokenAsync(customer.Email);
        var forged = Jwt.Sign(Jwt.Payload(token), RandomNumberGenerator.GetBytes(32));

        var response = await UpdateAsync(forged, new { password = CustomersApiFactory.NewPassword() });

        ExpectInvalidToken(response);
        (await UpdateAsync(token, new { password = CustomersApiFactory.NewPassword() })).Expect(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("purpose is not reset")]
    [InlineData("no purpose")]
    [InlineData("no jti")]
    [InlineData("another jti")]
    [InlineData("no entity_id")]
    [InlineData("entity_id of another identity")]
    [InlineData("jti of another identity's token")]
    [InlineData("actor_type user")]
    [InlineData("provider google")]
    [InlineData("no exp")]
    [InlineData("HS512")]
    [InlineData("alg none")]
    public async Task A_token_with_tampered_claims_is_refused_and_the_real_one_still_works(string variant)
    {
        var customer = await api.CreateCustomerAsync();
        var other = await api.CreateCustomerAsync();
        var otherToken = await RequestTokenAsync(other.Email);
        var token = await RequestTokenAsync(customer.Email);
        var claims = Jwt.Payload(token);
        var tampered = variant switch
        {
            "purpose is not reset" => Jwt.Sign(With(claims, c => c["purpose"] = "login"), api.JwtKey),
            "no purpose" => Jwt.Sign(With(claims, c => c.Remove("purpose")), api.JwtKey),
            "no jti" => Jwt.Sign(With(claims, c => c.Remove("jti")), api.JwtKey),
            "another jti" => Jwt.Sign(With(claims, c => c["jti"] = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(32))), api.JwtKey),
            "no entity_id" => Jwt.Sign(With(claims, c => c.Remove("entity_id")), api.JwtKey),
            "entity_id of another identity" => Jwt.Sign(With(claims, c => c["entity_id"] = other.Email), api.JwtKey),
            "jti of another identity's token" => Jwt.Sign(With(claims, c => c["jti"] = Jwt.Payload(otherToken)["jti"]!.GetValue<string>()), api.JwtKey),
            "actor_type user" => Jwt.Sign(With(claims, c => c["actor_type"] = "user"), api.JwtKey),
            "provider google" => Jwt.Sign(With(claims, c => c["provider"] = "google"), api.JwtKey),
            "no exp" => Jwt.Sign(With(claims, c => c.Remove("exp")), api.JwtKey),
            "HS512" => Jwt.Sign(new JsonObject { ["alg"] = "HS512", ["typ"] = "JWT" }, claims, api.JwtKey),
            "alg none" => Jwt.Unsigned(claims),
            _ => throw new ArgumentOutOfRangeException(nameof(variant)),
        };

        var response = await UpdateAsync(tampered, new { password = CustomersApiFactory.NewPassword() });

        ExpectInvalidToken(response);
        (await UpdateAsync(token, new { password = CustomersApiFactory.NewPassword() })).Expect(HttpStatusCode.OK);
        (await UpdateAsync(otherToken, new { password = CustomersApiFactory.NewPassword() })).Expect(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("{}")]
    [InlineData("""{"password":""}""")]
    [InlineData("""{"password":12345678}""")]
    [InlineData("""{"password":null}""")]
    [InlineData("")]
    public async Task Update_without_a_password_answers_401_and_uses_the_token_up(string body)
    {
        var customer = await api.CreateCustomerAsync();
        var token = await RequestTokenAsync(customer.Email);

        var response = await api.Api.PostRawAsync(Update, body, token: token);

        response.ExpectError(HttpStatusCode.Unauthorized, "unauthorized", "Unauthorized");
        ExpectInvalidToken(await UpdateAsync(token, new { password = CustomersApiFactory.NewPassword() }));
        (await LoginAsync(customer.Email, customer.Password)).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_password_that_breaks_the_policy_is_a_400_and_the_token_stays_valid()
    {
        var customer = await api.CreateCustomerAsync();
        var token = await RequestTokenAsync(customer.Email);
        var newPassword = CustomersApiFactory.NewPassword();

        var tooShort = await UpdateAsync(token, new { password = "short" });
        var tooCommon = await UpdateAsync(token, new { password = "password1" });
        var good = await UpdateAsync(token, new { password = newPassword });

        tooShort.ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Password must be between 8 and 128 characters long.");
        tooCommon.ExpectError(HttpStatusCode.BadRequest, "invalid_data", "This password is too common. Please choose a password that is harder to guess.");
        good.Expect(HttpStatusCode.OK, """{"success":true}""");
        (await LoginAsync(customer.Email, newPassword)).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_weak_password_with_a_bad_token_is_a_401_not_a_400()
    {
        var response = await UpdateAsync(Jwt.Sign(new JsonObject { ["purpose"] = "reset" }, api.JwtKey), new { password = "short" });

        ExpectInvalidToken(response);
    }

    [Fact]
    public async Task Malformed_json_is_a_400_and_the_allow_list_applies_to_update()
    {
        var customer = await api.CreateCustomerAsync();
        var token = await RequestTokenAsync(customer.Email);

        var malformed = await api.Api.PostRawAsync(Update, "{\"password\":", token: token);
        var notAllowed = await api.Api.PostAsync("/auth/user/github/update", new { password = CustomersApiFactory.NewPassword() }, token);

        malformed.Expect(HttpStatusCode.BadRequest);
        Assert.Equal("invalid_data", malformed.Type);
        notAllowed.ExpectError(HttpStatusCode.BadRequest, "not_allowed", "The actor type user is not allowed to use the auth provider github");
        (await UpdateAsync(token, new { password = CustomersApiFactory.NewPassword() })).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Completing_a_reset_clears_the_lockout()
    {
        var customer = await api.CreateCustomerAsync();
        for (var i = 0; i < 10; i++)
        {
            (await LoginAsync(customer.Email, CustomersApiFactory.NewPassword())).Expect(HttpStatusCode.Unauthorized);
        }

        (await LoginAsync(customer.Email, customer.Password)).ExpectError(HttpStatusCode.Unauthorized, "unauthorized", InvalidCredentials);
        var token = await RequestTokenAsync(customer.Email);
        var newPassword = CustomersApiFactory.NewPassword();

        (await UpdateAsync(token, new { password = newPassword })).Expect(HttpStatusCode.OK);

        (await LoginAsync(customer.Email, newPassword)).Expect(HttpStatusCode.OK);
        var state = JsonNode.Parse((await Db.StoredStateAsync(api.ConnectionString, "authidentity", customer.AuthIdentityId))!)!;
        Assert.Equal(0, state["failed_logins"]!.GetValue<int>());
        Assert.Null(state["locked_until"]);
    }

    [Fact]
    public async Task Completing_a_reset_revokes_earlier_tokens_and_sessions()
    {
        var customer = await api.CreateCustomerAsync();
        var bystander = await api.CreateCustomerAsync();
        var session = (await api.Api.PostAsync("/auth/session", token: customer.Token)).Expect(HttpStatusCode.OK);
        var cookie = session.SetCookies.Single().Split(';')[0];
        (await api.Api.GetAsync(Me, customer.Token)).Expect(HttpStatusCode.OK);
        var token = await RequestTokenAsync(customer.Email);
        var newPassword = CustomersApiFactory.NewPassword();

        (await UpdateAsync(token, new { password = newPassword })).Expect(HttpStatusCode.OK);

        (await api.Api.GetAsync(Me, customer.Token)).ExpectUnauthorized();
        (await api.Api.GetAsync(Me, configure: r => r.Headers.TryAddWithoutValidation("Cookie", cookie))).ExpectUnauthorized();
        (await api.Api.PostAsync("/auth/token/refresh", token: customer.RegistrationToken)).ExpectUnauthorized();
        var fresh = (await LoginAsync(customer.Email, newPassword)).Expect(HttpStatusCode.OK).Token();
        (await api.Api.GetAsync(Me, fresh)).Expect(HttpStatusCode.OK);
        (await api.Api.GetAsync(Me, bystander.Token)).Expect(HttpStatusCode.OK);
        Assert.NotNull(await Db.ScalarAsync<DateTime?>(api.ConnectionString,
            "SELECT tokens_valid_after FROM auth_identity WHERE id = $1", customer.AuthIdentityId));
    }

    [Fact]
    public async Task Beyond_three_requests_a_minute_the_answer_is_the_same_but_no_token_is_made()
    {
        var customer = await api.CreateCustomerAsync();
        for (var i = 0; i < 3; i++)
        {
            AssertCreated(await PostResetAsync(new { identifier = customer.Email }));
        }

        var newest = (await ResetEventsAsync(customer.Email))[^1]["token"]!.GetValue<string>();

        var fourth = await PostResetAsync(new { identifier = customer.Email });

        AssertCreated(fourth);
        Assert.Equal(3, (await ResetEventsAsync(customer.Email)).Count);
        api.Clock.Advance(TimeSpan.FromSeconds(61));
        AssertCreated(await PostResetAsync(new { identifier = customer.Email }));
        var events = await ResetEventsAsync(customer.Email);
        Assert.Equal(4, events.Count);
        ExpectInvalidToken(await UpdateAsync(newest, new { password = CustomersApiFactory.NewPassword() }));
        (await UpdateAsync(events[^1]["token"]!.GetValue<string>(), new { password = CustomersApiFactory.NewPassword() })).Expect(HttpStatusCode.OK);
    }

    private async Task<string> RequestTokenAsync(string email)
    {
        var before = (await ResetEventsAsync(email)).Count;
        AssertCreated(await PostResetAsync(new { identifier = email }));
        var events = await ResetEventsAsync(email);
        Assert.Equal(before + 1, events.Count);
        return events[^1]["token"]!.GetValue<string>();
    }

    /// <summary>The data of the <c>auth.password_reset</c> events recorded for <paramref name="email"/>, oldest first.</summary>
    private async Task<List<JsonObject>> ResetEventsAsync(string email)
    {
        await api.WhenBackgroundWorkDoneAsync();
        var rows = await Db.RowsAsync(api.ConnectionString,
            "SELECT data::text AS data FROM dev_notification WHERE event_name = 'auth.password_reset' AND data ->> 'entity_id' = $1 ORDER BY id",
            email);
        return rows.Select(row => JsonNode.Parse((string)row["data"]!)!.AsObject()).ToList();
    }

    /// <summary>Requests a reset and waits for the work the host does after answering, so events arrive in order.</summary>
    private async Task<ApiResponse> PostResetAsync(object body)
    {
        var response = await api.Api.PostAsync(ResetPassword, body);
        await api.WhenBackgroundWorkDoneAsync();
        return response;
    }

    private Task<ApiResponse> UpdateAsync(string token, object body) => api.Api.PostAsync(Update, body, token);

    private Task<ApiResponse> LoginAsync(string email, string password) => api.Api.PostAsync(Login, new { email, password });

    private static void AssertCreated(ApiResponse response)
    {
        response.Expect(HttpStatusCode.Created);
        Assert.Equal("Created", response.Body);
        Assert.Equal("text/plain; charset=utf-8", response.ContentType);
    }

    private static void ExpectInvalidToken(ApiResponse response) =>
        response.ExpectError(HttpStatusCode.Unauthorized, "unauthorized", "Invalid token");

    /// <summary>Headers that may differ between two answers for reasons other than the identifier (none do today but Date).</summary>
    private static List<KeyValuePair<string, string>> Comparable(ApiResponse response) =>
        response.AllHeaders.Where(h => !h.Key.Equals("Date", StringComparison.OrdinalIgnoreCase)).OrderBy(h => h.Key).ToList();

    private static JsonObject With(JsonObject claims, Action<JsonObject> change)
    {
        var copy = claims.DeepClone().AsObject();
        change(copy);
        return copy;
    }
}
