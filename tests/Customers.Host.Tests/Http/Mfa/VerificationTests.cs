using System.Net;
using System.Text.Json.Nodes;
using Customers.Grains.Auth.Mfa;
using Customers.Testing;
using Xunit;

namespace Customers.Host.Tests.Http.Mfa;

/// <summary>
/// E-mail verification (<c>/auth/verification/*</c>, <c>verification_required</c> on login and refresh) with every
/// error case of the contract, and the <c>challenge</c> disable policy of second factors.
/// </summary>
[Collection(VerificationCollection.Name)]
public sealed class VerificationTests(VerificationApiFactory api)
{
    internal const string Request = "/auth/verification/request";
    internal const string Confirm = "/auth/verification/confirm";

    [Fact]
    public async Task Unverified_customers_get_verification_required_until_they_confirm_a_code()
    {
        var email = CustomersApiFactory.NewEmail();
        var password = CustomersApiFactory.NewPassword();
        var registration = (await api.Api.PostAsync($"/auth/customer/emailpass/register", new { email, password })).Token();
        (await api.Api.PostAsync("/store/customers", new { email }, registration)).Expect(HttpStatusCode.OK);

        var first = (await Login(email, password)).Expect(HttpStatusCode.OK).Object;
        Assert.Equal(["verification_required", "token"], first.Select(p => p.Key));
        var unverified = first["token"]!.GetValue<string>();
        Assert.Equal("", Jwt.Payload(unverified)["actor_id"]!.GetValue<string>());
        Assert.Null(Jwt.Payload(unverified)["app_metadata"]!["customer_id"]);
        (await api.Api.GetAsync("/store/customers/me", unverified)).ExpectUnauthorized();
        Assert.True((await api.Api.PostAsync("/auth/token/refresh", null, registration)).Expect(HttpStatusCode.OK).Object["verification_required"]!.GetValue<bool>());

        var requested = (await api.Api.PostAsync(Request, new { entity_id = email, entity_type = "email", metadata = new { source = "test" } }, unverified))
            .Expect(HttpStatusCode.Created).Object;
        var verification = requested["verification"]!.AsObject();
        Assert.Equal(["id", "auth_identity_id", "entity_id", "entity_type", "code_provider", "verified_at", "requested_at", "metadata", "created_at", "updated_at", "deleted_at"],
            verification.Select(p => p.Key));
        Assert.StartsWith("authver_", verification["id"]!.GetValue<string>());
        Assert.Equal("token", verification["code_provider"]!.GetValue<string>());
        Assert.Null(verification["verified_at"]);
        var code = await LatestCodeAsync(email);
        Assert.Matches("^[A-Za-z0-9_-]{43}$", code);
        Assert.DoesNotContain(code, requested.ToJsonString(), StringComparison.Ordinal);
        var stored = (await Db.StoredStateAsync(api.ConnectionString, "authidentity", verification["auth_identity_id"]!.GetValue<string>()))!;
        Assert.DoesNotContain(code, stored, StringComparison.Ordinal);
        var outbox = JsonNode.Parse((await Db.ScalarAsync<string>(api.ConnectionString,
            "SELECT data::text FROM event_outbox WHERE name = 'auth.verification_requested' AND data ->> 'entity_id' = $1", email))!)!;
        Assert.Equal(code, outbox["code"]!.GetValue<string>());
        Assert.Equal("test", outbox["metadata"]!["source"]!.GetValue<string>());

        var pendingLogin = (await Login(email, password)).Expect(HttpStatusCode.OK).Object;
        Assert.Equal(["verification_required", "verification", "token"], pendingLogin.Select(p => p.Key));

        (await api.Anonymous.PostAsync(Confirm, new { code = code + "x" }))
            .ExpectError(HttpStatusCode.BadRequest, "not_allowed", "Verification code is invalid or already used");
        var confirmed = (await api.Anonymous.PostAsync(Confirm, new { code })).Expect(HttpStatusCode.OK).Object;
        Assert.Equal(["entity_id", "entity_type", "code_provider", "verified_at"], confirmed.Select(p => p.Key));
        Assert.Equal(email, confirmed["entity_id"]!.GetValue<string>());
        (await api.Anonymous.PostAsync(Confirm, new { code }))
            .ExpectError(HttpStatusCode.BadRequest, "not_allowed", "Verification code is invalid or already used");

        var token = (await Login(email, password)).Token();
        Assert.NotEqual("", Jwt.Payload(token)["actor_id"]!.GetValue<string>());
        var refreshed = (await api.Api.PostAsync("/auth/token/refresh", null, unverified)).Token();
        (await api.Api.GetAsync("/store/customers/me", refreshed)).Expect(HttpStatusCode.OK);

        // Verified: another request changes nothing and makes no code.
        var again = (await api.Api.PostAsync(Request, new { entity_id = email, entity_type = "email" }, token)).Expect(HttpStatusCode.Created).Object;
        Assert.NotNull(again["verification"]!["verified_at"]);
        Assert.Equal(1L, await Db.ScalarAsync<long>(api.ConnectionString,
            "SELECT count(*) FROM dev_notification WHERE event_name = 'auth.verification_requested' AND data ->> 'entity_id' = $1", email));
    }

    [Fact]
    public async Task Request_validates_its_body_and_accepts_only_the_callers_own_address()
    {
        var (email, token) = await RegisteredAsync();
        var (otherEmail, _) = await RegisteredAsync();

        (await api.Api.PostAsync(Request, new { }, token)).ExpectError(HttpStatusCode.BadRequest, "invalid_data",
            "Invalid request: Field 'entity_id' is required; Field 'entity_type' is required");
        (await api.Api.PostAsync(Request, new { entity_id = email, entity_type = "email", foo = 1 }, token))
            .ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Invalid request: Unrecognized fields: 'foo'");
        (await api.Api.PostAsync(Request, new { entity_id = email, entity_type = "email", code_provider = "sms" }, token))
            .ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Verification provider \"sms\" is not supported");
        (await api.Api.PostAsync(Request, new { entity_id = otherEmail, entity_type = "email" }, token))
            .ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Verification entity does not belong to the authenticated identity");
        (await api.Api.PostAsync(Request, new { entity_id = email, entity_type = "phone" }, token))
            .ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Verification entity does not belong to the authenticated identity");
        (await api.Anonymous.PostAsync(Request, new { entity_id = email, entity_type = "email" })).ExpectUnauthorized();
        Assert.Equal(0L, await Db.ScalarAsync<long>(api.ConnectionString,
            "SELECT count(*) FROM dev_notification WHERE event_name = 'auth.verification_requested' AND data ->> 'entity_id' IN ($1, $2)", email, otherEmail));
    }

    [Fact]
    public async Task Codes_expire_are_replaced_by_newer_ones_and_are_throttled()
    {
        var (email, token) = await RegisteredAsync();
        (await api.Api.PostAsync(Request, new { entity_id = email, entity_type = "email" }, token)).Expect(HttpStatusCode.Created);
        var first = await LatestCodeAsync(email);

        var tooSoon = await api.Api.PostAsync(Request, new { entity_id = email, entity_type = "email" }, token);
        tooSoon.Expect(HttpStatusCode.TooManyRequests);
        Assert.NotNull(tooSoon.Header("Retry-After"));

        api.Clock.Advance(TimeSpan.FromSeconds(61));
        (await api.Api.PostAsync(Request, new { entity_id = email, entity_type = "email" }, token)).Expect(HttpStatusCode.Created);
        var second = await LatestCodeAsync(email);
        Assert.NotEqual(first, second);
        (await api.Anonymous.PostAsync(Confirm, new { code = first }))
            .ExpectError(HttpStatusCode.BadRequest, "not_allowed", "Verification code is invalid or already used");

        api.Clock.Advance(VerificationApiFactory.CodeTtl);
        (await api.Anonymous.PostAsync(Confirm, new { code = second }))
            .ExpectError(HttpStatusCode.BadRequest, "not_allowed", "Verification code has expired");
    }

    [Fact]
    public async Task Confirm_validates_its_body()
    {
        (await api.Anonymous.PostAsync(Confirm, new { })).ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Invalid request: Field 'code' is required");
        (await api.Anonymous.PostAsync(Confirm, new { code = "x", code_provider = "sms" }))
            .ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Verification provider \"sms\" is not supported");
        (await api.Anonymous.PostAsync(Confirm, new { code = "x", extra = 1 }))
            .ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Invalid request: Unrecognized fields: 'extra'");
        (await api.Anonymous.PostAsync(Confirm + "?a=1", new { code = "x" }))
            .ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Invalid request: Unrecognized fields: 'a'");
    }

    [Fact]
    public async Task Admin_users_are_never_asked_to_verify()
    {
        var email = CustomersApiFactory.NewEmail("admin");
        var password = CustomersApiFactory.NewPassword();
        await Customers.Host.Auth.AdminUsers.CreateAsync(
            (IGrainFactory)api.Services.GetService(typeof(IGrainFactory))!,
            new Customers.Host.Stores.UserStore((Npgsql.NpgsqlDataSource)api.Services.GetService(typeof(Npgsql.NpgsqlDataSource))!),
            api.Clock, email, password, CancellationToken.None);

        var token = (await api.Api.PostAsync("/auth/user/emailpass", new { email, password })).Token();

        Assert.NotEqual("", Jwt.Payload(token)["actor_id"]!.GetValue<string>());
    }

    [Fact]
    public async Task The_challenge_policy_disables_an_enabled_factor_only_with_a_code()
    {
        var (_, token) = await RegisteredAsync();
        var factor = (await api.Api.PostAsync("/auth/mfa/factors", new { provider = "totp" }, token)).Expect(HttpStatusCode.OK).Object;
        var id = factor["mfa_factor"]!["id"]!.GetValue<string>();
        var secret = Base32.Decode(factor["secret"]!.GetValue<string>())!;
        string Code() => Totp.Code(secret, Totp.StepAt(api.Clock.GetUtcNow(), 30), 6);
        api.Clock.Advance(TimeSpan.FromSeconds(30));
        (await api.Api.PostAsync($"/auth/mfa/factors/{id}/verify", new { code = Code() }, token)).Expect(HttpStatusCode.OK);

        (await api.Api.DeleteAsync($"/auth/mfa/factors/{id}", token))
            .ExpectError(HttpStatusCode.BadRequest, "invalid_data", "MFA verification code is required to disable MFA");
        (await api.Api.SendAsync(HttpMethod.Delete, $"/auth/mfa/factors/{id}", ApiClient.JsonContent(new { method = "totp", code = "12345" }), token))
            .ExpectError(HttpStatusCode.BadRequest, "not_allowed", "Invalid MFA verification code");
        api.Clock.Advance(TimeSpan.FromSeconds(30));
        var disabled = await api.Api.SendAsync(HttpMethod.Delete, $"/auth/mfa/factors/{id}", ApiClient.JsonContent(new { method = "totp", code = Code() }), token);

        Assert.Equal("disabled", disabled.Expect(HttpStatusCode.OK).Object["mfa_factor"]!["status"]!.GetValue<string>());
    }

    private Task<ApiResponse> Login(string email, string password) =>
        api.Api.PostAsync("/auth/customer/emailpass", new { email, password });

    private async Task<(string Email, string Token)> RegisteredAsync()
    {
        var email = CustomersApiFactory.NewEmail();
        return (email, await api.RegisterAsync(email, CustomersApiFactory.NewPassword()));
    }

    private Task<string> LatestCodeAsync(string email) => LatestCodeAsync(api, email);

    /// <summary>The last code <paramref name="host"/> delivered for <paramref name="email"/> (its development sink keeps them).</summary>
    internal static async Task<string> LatestCodeAsync(CustomersApiFactory host, string email) => (await Db.ScalarAsync<string>(host.ConnectionString,
        "SELECT data ->> 'code' FROM dev_notification WHERE event_name = 'auth.verification_requested' AND data ->> 'entity_id' = $1 ORDER BY id DESC LIMIT 1",
        email))!;
}
