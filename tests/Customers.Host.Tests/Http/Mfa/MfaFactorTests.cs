using System.Net;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Customers.Testing;
using Xunit;

namespace Customers.Host.Tests.Http.Mfa;

/// <summary>
/// Enrolment, confirmation, listing, disabling and recovery codes (<c>/auth/mfa/factors</c>, <c>/auth/mfa/recovery-codes</c>),
/// with every error case of the contract and what we do beyond Medusa: sealed secrets, revocation of other tokens.
/// </summary>
[Collection(MfaCollection.Name)]
public sealed partial class MfaFactorTests(MfaApiFactory api)
{
    private const string Factors = "/auth/mfa/factors";

    [Fact]
    public async Task Enrolment_answers_a_pending_factor_its_Base32_secret_and_otpauth_url()
    {
        var customer = await api.CreateCustomerAsync();

        var body = (await api.Api.PostAsync(Factors, new { provider = "totp", label = "Shop: " + customer.Email, metadata = new { device = "phone" } }, customer.Token))
            .Expect(HttpStatusCode.OK).Object;

        var factor = body["mfa_factor"]!.AsObject();
        var secret = body["secret"]!.GetValue<string>();
        Assert.Matches("^authmfa_[0-9A-HJKMNP-TV-Z]{26}$", factor["id"]!.GetValue<string>());
        Assert.Equal(customer.AuthIdentityId, factor["auth_identity_id"]!.GetValue<string>());
        Assert.Equal("totp", factor["provider"]!.GetValue<string>());
        Assert.Equal("pending", factor["status"]!.GetValue<string>());
        Assert.Equal("phone", factor["metadata"]!["device"]!.GetValue<string>());
        Assert.Equal("Shop: " + customer.Email, factor["metadata"]!["label"]!.GetValue<string>());
        Assert.Null(factor["provider_metadata"]);
        Assert.Matches("^[A-Z2-7]{32}$", secret);
        Assert.Equal(
            $"otpauth://totp/Test%20Shop:Shop:%20{Uri.EscapeDataString(customer.Email)}?secret={secret}&issuer=Test%20Shop",
            body["otpauth_url"]!.GetValue<string>());

        // At rest the secret is sealed: neither its Base32 nor its bytes appear in the stored state.
        var stored = (await Db.StoredStateAsync(api.ConnectionString, "authidentity", customer.AuthIdentityId))!;
        Assert.DoesNotContain(secret, stored, StringComparison.Ordinal);
        Assert.DoesNotContain(Convert.ToBase64String(Customers.Grains.Auth.Mfa.Base32.Decode(secret)!), stored, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Enrolment_without_label_uses_the_identity_id_and_a_request_issuer_wins()
    {
        var customer = await api.CreateCustomerAsync();

        var body = (await api.Api.PostAsync(Factors, new { provider = "totp", issuer = "Other" }, customer.RegistrationToken)).Expect(HttpStatusCode.OK).Object;

        Assert.StartsWith($"otpauth://totp/Other:{customer.AuthIdentityId}?secret=", body["otpauth_url"]!.GetValue<string>());
        Assert.Equal("{}", body["mfa_factor"]!["metadata"]!.ToJsonString());
    }

    [Fact]
    public async Task Enrolment_refuses_bad_bodies_unknown_providers_and_a_second_active_factor()
    {
        var customer = await api.CreateCustomerAsync();

        (await api.Api.PostAsync(Factors, new { }, customer.Token))
            .ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Invalid request: Field 'provider' is required");
        (await api.Api.PostAsync(Factors, new { provider = "totp", foo = 1 }, customer.Token))
            .ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Invalid request: Unrecognized fields: 'foo'");
        (await api.Api.PostAsync(Factors + "?x=1", new { provider = "totp" }, customer.Token))
            .ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Invalid request: Unrecognized fields: 'x'");
        (await api.Api.PostAsync(Factors, new { provider = "sms" }, customer.Token))
            .ExpectError(HttpStatusCode.BadRequest, "invalid_data", "MFA provider \"sms\" is not supported");
        (await api.Api.PostAsync(Factors, new { provider = "recovery_code" }, customer.Token))
            .ExpectError(HttpStatusCode.BadRequest, "invalid_data", "MFA provider \"recovery_code\" is not supported");
        await api.EnrolAsync(customer.Token);
        (await api.Api.PostAsync(Factors, new { provider = "totp" }, customer.Token))
            .ExpectError(HttpStatusCode.BadRequest, "not_allowed", "An active TOTP factor already exists for this auth identity");
        (await api.Anonymous.PostAsync(Factors, new { provider = "totp" })).ExpectUnauthorized();
    }

    [Fact]
    public async Task Confirmation_enables_with_a_current_code_and_refuses_wrong_codes_and_other_identities()
    {
        var customer = await api.CreateCustomerAsync();
        var stranger = await api.CreateCustomerAsync();
        var (factorId, secret) = await api.EnrolAsync(customer.Token);
        var verify = $"{Factors}/{factorId}/verify";

        (await api.Api.PostAsync(verify, new { }, customer.Token))
            .ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Invalid request: Field 'code' is required");
        foreach (var wrong in new[] { "000000", "12345", "1234567", "abcdef" })
        {
            (await api.Api.PostAsync(verify, new { code = wrong == "000000" && api.Code(secret) == "000000" ? "111111" : wrong }, customer.Token))
                .ExpectError(HttpStatusCode.BadRequest, "not_allowed", "Invalid TOTP code");
        }

        (await api.Api.PostAsync(verify, new { code = api.Code(secret) }, stranger.Token))
            .ExpectError(HttpStatusCode.NotFound, "not_found", $"MFA factor with id \"{factorId}\" was not found");
        (await api.Api.PostAsync($"{Factors}/authmfa_nope/verify", new { code = "123456" }, customer.Token))
            .ExpectError(HttpStatusCode.NotFound, "not_found", "MFA factor with id \"authmfa_nope\" was not found");
        Assert.Equal("pending", (await ListAsync(customer.Token)).Single()!["status"]!.GetValue<string>());

        var enabled = (await api.Api.PostAsync(verify, new { code = api.NextCode(secret) }, customer.Token)).Expect(HttpStatusCode.OK).Object;

        Assert.Equal("enabled", enabled["mfa_factor"]!["status"]!.GetValue<string>());
        var listed = Assert.Single(await ListAsync(customer.Token))!.AsObject();
        Assert.Equal(["id", "auth_identity_id", "auth_identity", "provider", "status", "metadata", "created_at", "updated_at", "deleted_at"],
            listed.Select(p => p.Key));
        Assert.Equal("enabled", listed["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_confirmed_code_cannot_be_replayed_and_the_next_step_is_accepted()
    {
        var customer = await api.CreateCustomerAsync();
        var (factorId, secret) = await api.EnrolAsync(customer.Token);
        var code = api.NextCode(secret);
        (await api.Api.PostAsync($"{Factors}/{factorId}/verify", new { code }, customer.Token)).Expect(HttpStatusCode.OK);

        // Already enabled: a fresh code answers 200 unchanged, the same code again is refused.
        (await api.Api.PostAsync($"{Factors}/{factorId}/verify", new { code }, customer.Token))
            .ExpectError(HttpStatusCode.BadRequest, "not_allowed", "Invalid TOTP code");
        var again = await api.Api.PostAsync($"{Factors}/{factorId}/verify", new { code = api.NextCode(secret) }, customer.Token);
        Assert.Equal("enabled", again.Expect(HttpStatusCode.OK).Object["mfa_factor"]!["status"]!.GetValue<string>());
    }

    [Fact]
    public async Task Enabling_revokes_the_identitys_other_tokens_and_sessions_but_not_the_callers()
    {
        var customer = await api.CreateCustomerAsync();
        var other = await api.LoginAsync(customer.Email, customer.Password);
        var session = (await api.Api.PostAsync("/auth/session", null, other)).Expect(HttpStatusCode.OK).Header("Set-Cookie")!.Split(';')[0];
        api.Clock.Advance(TimeSpan.FromSeconds(1));
        var enrolling = await api.LoginAsync(customer.Email, customer.Password);

        await api.EnableAsync(enrolling);

        (await api.Api.GetAsync("/store/customers/me", other)).ExpectUnauthorized();
        (await api.Api.GetAsync("/store/customers/me", customer.Token)).ExpectUnauthorized();
        (await api.Api.GetAsync("/store/customers/me", configure: r => r.Headers.Add("Cookie", session))).ExpectUnauthorized();
        (await api.Api.PostAsync("/auth/token/refresh", null, other)).ExpectUnauthorized();
        (await api.Api.GetAsync("/store/customers/me", enrolling)).Expect(HttpStatusCode.OK);
        (await api.Api.PostAsync("/auth/mfa/recovery-codes", new { }, enrolling)).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Disabling_with_the_session_policy_needs_no_code_and_turns_logins_back_to_plain_tokens()
    {
        var customer = await api.CreateCustomerAsync();
        var (factorId, secret) = await api.EnableAsync(customer.Token);
        (await api.Api.PostAsync("/auth/mfa/recovery-codes", new { }, customer.Token)).Expect(HttpStatusCode.OK);
        var (challenge, pending) = await api.ChallengeAsync(customer.Email, customer.Password);
        var complete = (await api.AnswerAsync(challenge["id"]!.GetValue<string>(), pending, "totp", api.NextCode(secret))).Token();

        (await api.Api.DeleteAsync($"{Factors}/{factorId}", pending))
            .Expect(HttpStatusCode.Unauthorized, """{"message":"MFA verification is required to complete this request"}""");
        var disabled = (await api.Api.DeleteAsync($"{Factors}/{factorId}", complete)).Expect(HttpStatusCode.OK).Object;
        var twice = (await api.Api.DeleteAsync($"{Factors}/{factorId}", complete)).Expect(HttpStatusCode.OK).Object;

        Assert.Equal("disabled", disabled["mfa_factor"]!["status"]!.GetValue<string>());
        Assert.Equal("disabled", twice["mfa_factor"]!["status"]!.GetValue<string>());
        var token = await api.LoginAsync(customer.Email, customer.Password);
        Assert.False(Jwt.Payload(token)["mfa_enabled"]!.GetValue<bool>());
        (await api.Api.PostAsync("/auth/mfa/recovery-codes", new { }, complete))
            .ExpectError(HttpStatusCode.BadRequest, "not_allowed", "Recovery codes require an enabled MFA factor");
        Assert.DoesNotContain("recovery_code_hashes\":[\"", (await Db.StoredStateAsync(api.ConnectionString, "authidentity", customer.AuthIdentityId))!, StringComparison.Ordinal);
        Assert.Single(await ListAsync(complete));
        (await api.Api.DeleteAsync($"{Factors}/authmfa_nope", complete))
            .ExpectError(HttpStatusCode.NotFound, "not_found", "MFA factor with id \"authmfa_nope\" was not found");

        // A new enrolment may start, and the old factor stays listed.
        await api.EnrolAsync(complete);
        Assert.Equal(2, (await ListAsync(complete)).Count);
        var events = await Db.RowsAsync(api.ConnectionString,
            "SELECT name FROM event_outbox WHERE data ->> 'auth_identity_id' = $1 ORDER BY sequence", customer.AuthIdentityId);
        Assert.Equal(["auth.mfa_enabled", "auth.mfa_recovery_codes_generated", "auth.mfa_disabled"], events.Select(e => (string)e["name"]!));
    }

    [Fact]
    public async Task A_pending_factor_can_be_disabled_and_disabled_factors_cannot_be_verified()
    {
        var customer = await api.CreateCustomerAsync();
        var (factorId, secret) = await api.EnrolAsync(customer.Token);

        (await api.Api.DeleteAsync($"{Factors}/{factorId}", customer.Token)).Expect(HttpStatusCode.OK);

        (await api.Api.PostAsync($"{Factors}/{factorId}/verify", new { code = api.NextCode(secret) }, customer.Token))
            .ExpectError(HttpStatusCode.BadRequest, "not_allowed", "Disabled MFA factors cannot be verified");
        Assert.DoesNotContain("sealed_secret\":\"", (await Db.StoredStateAsync(api.ConnectionString, "authidentity", customer.AuthIdentityId))!, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Recovery_codes_have_Medusas_format_and_count_and_are_validated()
    {
        var customer = await api.CreateCustomerAsync();
        (await api.Api.PostAsync("/auth/mfa/recovery-codes", new { }, customer.Token))
            .ExpectError(HttpStatusCode.BadRequest, "not_allowed", "Recovery codes require an enabled MFA factor");
        await api.EnrolAsync(customer.Token);
        (await api.Api.PostAsync("/auth/mfa/recovery-codes", new { }, customer.Token))
            .ExpectError(HttpStatusCode.BadRequest, "not_allowed", "Recovery codes require an enabled MFA factor");
        var token = await api.LoginAsync(customer.Email, customer.Password);
        var factor = (await ListAsync(token)).Single()!["id"]!.GetValue<string>();
        await api.Api.DeleteAsync($"{Factors}/{factor}", token);
        await api.EnableAsync(token);

        var codes = (await api.Api.PostAsync("/auth/mfa/recovery-codes", new { }, token)).Expect(HttpStatusCode.OK).Object["recovery_codes"]!.AsArray();
        var three = (await api.Api.PostAsync("/auth/mfa/recovery-codes", new { count = 3 }, token)).Expect(HttpStatusCode.OK).Object["recovery_codes"]!.AsArray();

        Assert.Equal(10, codes.Count);
        Assert.All(codes, code => Assert.Matches(RecoveryCode(), code!.GetValue<string>()));
        Assert.Equal(10, codes.Select(c => c!.GetValue<string>()).Distinct().Count());
        Assert.Equal(3, three.Count);
        var stored = (await Db.StoredStateAsync(api.ConnectionString, "authidentity", customer.AuthIdentityId))!;
        Assert.All(codes.Concat(three), code => Assert.DoesNotContain(code!.GetValue<string>(), stored, StringComparison.Ordinal));
        (await api.Api.PostAsync("/auth/mfa/recovery-codes", new { count = 0 }, token))
            .ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Invalid request: Value for field 'count' too small, expected at least: '1'");
        (await api.Api.PostAsync("/auth/mfa/recovery-codes", new { count = 51 }, token))
            .ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Invalid request: Value for field 'count' too big, expected at most: '50'");
        (await api.Api.PostAsync("/auth/mfa/recovery-codes", new { count = "3" }, token))
            .ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Invalid request: Expected type: 'number' for field 'count', got: '3'");
    }

    [Fact]
    public async Task List_is_behind_the_gate_and_takes_no_query()
    {
        var customer = await api.CreateCustomerAsync();

        Assert.Empty(await ListAsync(customer.Token));
        (await api.Api.GetAsync(Factors + "?limit=1", customer.Token))
            .ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Invalid request: Unrecognized fields: 'limit'");
        (await api.Anonymous.GetAsync(Factors)).ExpectUnauthorized();
    }

    private async Task<JsonArray> ListAsync(string token) =>
        (await api.Api.GetAsync(Factors, token)).Expect(HttpStatusCode.OK).Object["mfa_factors"]!.AsArray();

    [GeneratedRegex("^[0-9a-f]{4}(-[0-9a-f]{4}){7}$")]
    private static partial Regex RecoveryCode();
}
