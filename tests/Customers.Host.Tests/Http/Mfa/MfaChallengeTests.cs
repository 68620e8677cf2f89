using System.Net;
using System.Text.Json.Nodes;
using Customers.Testing;
using Xunit;

namespace Customers.Host.Tests.Http.Mfa;

/// <summary>
/// Login of an identity with an enabled factor: the challenge answer, the MFA gate, challenge verification (every
/// check of the contract, in order), recovery codes, refresh, and beyond Medusa: no replay of a TOTP step, wrong codes
/// counting toward the account lockout, expiry on the host's clock.
/// </summary>
[Collection(MfaCollection.Name)]
public sealed class MfaChallengeTests(MfaApiFactory api)
{
    private const string MfaRequired = """{"message":"MFA verification is required to complete this request"}""";

    [Fact]
    public async Task Login_answers_a_challenge_and_a_pending_token_that_only_the_challenge_routes_accept()
    {
        var customer = await api.CreateCustomerAsync();
        await api.EnableAsync(customer.Token);

        var body = (await api.Api.PostAsync("/auth/customer/emailpass", new { email = customer.Email, password = customer.Password }))
            .Expect(HttpStatusCode.OK).Object;

        Assert.Equal(["mfa_required", "mfa_challenge", "token"], body.Select(p => p.Key));
        var challenge = body["mfa_challenge"]!.AsObject();
        Assert.Equal(["id", "auth_identity_id", "auth_provider", "methods", "expires_at", "attempts", "max_attempts", "completed_at", "metadata"],
            challenge.Select(p => p.Key));
        Assert.StartsWith("authmfachal_", challenge["id"]!.GetValue<string>());
        Assert.Equal(customer.AuthIdentityId, challenge["auth_identity_id"]!.GetValue<string>());
        Assert.Equal("emailpass", challenge["auth_provider"]!.GetValue<string>());
        Assert.Equal("""["totp"]""", challenge["methods"]!.ToJsonString());
        Assert.Equal(0, challenge["attempts"]!.GetValue<int>());
        Assert.Equal(5, challenge["max_attempts"]!.GetValue<int>());
        Assert.Null(challenge["completed_at"]);
        var expiresAt = challenge["expires_at"]!.GetValue<DateTimeOffset>();
        Assert.InRange(expiresAt - api.Clock.GetUtcNow(), MfaApiFactory.ChallengeTtl - TimeSpan.FromSeconds(5), MfaApiFactory.ChallengeTtl);

        var pending = body["token"]!.GetValue<string>();
        var claims = Jwt.Payload(pending);
        Assert.Equal("", claims["actor_id"]!.GetValue<string>());
        Assert.True(claims["mfa_enabled"]!.GetValue<bool>());
        Assert.Null(claims["mfa_challenge_completed_at"]);
        Assert.Null(claims["app_metadata"]!["customer_id"]);
        (await api.Api.GetAsync("/store/customers/me", pending)).Expect(HttpStatusCode.Unauthorized, MfaRequired);
        (await api.Api.GetAsync("/auth/mfa/factors", pending)).Expect(HttpStatusCode.Unauthorized, MfaRequired);
        (await api.Api.PostAsync("/auth/mfa/recovery-codes", new { }, pending)).Expect(HttpStatusCode.Unauthorized, MfaRequired);
        (await api.Api.PostAsync("/auth/session", null, pending)).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task A_correct_totp_code_completes_the_challenge_with_an_MFA_complete_token()
    {
        var customer = await api.CreateCustomerAsync();
        var (_, secret) = await api.EnableAsync(customer.Token);
        var (challenge, pending) = await api.ChallengeAsync(customer.Email, customer.Password);
        var id = challenge["id"]!.GetValue<string>();

        var token = (await api.AnswerAsync(id, pending, "totp", api.NextCode(secret))).Token();

        var claims = Jwt.Payload(token);
        Assert.Equal(customer.CustomerId, claims["actor_id"]!.GetValue<string>());
        Assert.Equal("emailpass", claims["auth_provider"]!.GetValue<string>());
        Assert.True(claims["mfa_enabled"]!.GetValue<bool>());
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", claims["mfa_challenge_completed_at"]!.GetValue<string>());
        Assert.Equal(customer.CustomerId, claims["app_metadata"]!["customer_id"]!.GetValue<string>());
        (await api.Api.GetAsync("/store/customers/me", token)).Expect(HttpStatusCode.OK);
        (await api.AnswerAsync(id, pending, "totp", api.NextCode(secret)))
            .ExpectError(HttpStatusCode.BadRequest, "not_allowed", "MFA challenge has already been completed");

        // Refresh keeps the MFA claims of a complete token and re-challenges a pending one.
        api.Clock.Advance(TimeSpan.FromSeconds(1));
        var refreshed = (await api.Api.PostAsync("/auth/token/refresh", null, token)).Token();
        Assert.Equal(claims["mfa_challenge_completed_at"]!.GetValue<string>(), Jwt.Payload(refreshed)["mfa_challenge_completed_at"]!.GetValue<string>());
        var again = (await api.Api.PostAsync("/auth/token/refresh", null, pending)).Expect(HttpStatusCode.OK).Object;
        Assert.True(again["mfa_required"]!.GetValue<bool>());
        Assert.NotEqual(id, again["mfa_challenge"]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task A_code_accepted_once_is_refused_on_a_later_challenge()
    {
        var customer = await api.CreateCustomerAsync();
        var (_, secret) = await api.EnableAsync(customer.Token);
        var (first, pending) = await api.ChallengeAsync(customer.Email, customer.Password);
        var code = api.NextCode(secret);
        (await api.AnswerAsync(first["id"]!.GetValue<string>(), pending, "totp", code)).Token();

        var (second, pendingAgain) = await api.ChallengeAsync(customer.Email, customer.Password);

        (await api.AnswerAsync(second["id"]!.GetValue<string>(), pendingAgain, "totp", code))
            .ExpectError(HttpStatusCode.BadRequest, "not_allowed", "Invalid MFA challenge code");
    }

    [Fact]
    public async Task Checks_run_in_the_contracts_order_with_its_messages()
    {
        var customer = await api.CreateCustomerAsync();
        var stranger = await api.CreateCustomerAsync();
        var (_, secret) = await api.EnableAsync(customer.Token);
        var (challenge, pending) = await api.ChallengeAsync(customer.Email, customer.Password);
        var id = challenge["id"]!.GetValue<string>();
        var notFound = $"MFA challenge with id \"{id}\" was not found";

        (await api.Api.PostAsync($"/auth/mfa/challenges/{id}/verify", new { code = "1" }, pending))
            .ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Invalid request: Field 'method' is required");
        (await api.Api.PostAsync($"/auth/mfa/challenges/{id}/verify", new { method = "totp", code = "1", x = 1 }, pending))
            .ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Invalid request: Unrecognized fields: 'x'");
        (await api.AnswerAsync("authmfachal_nope", pending, "totp", "123456"))
            .ExpectError(HttpStatusCode.NotFound, "not_found", "MFA challenge with id \"authmfachal_nope\" was not found");
        (await api.AnswerAsync(id, stranger.Token, "totp", api.Code(secret))).ExpectError(HttpStatusCode.NotFound, "not_found", notFound);
        (await api.AnswerAsync(id, pending, "recovery_code", "46b4-15ed-dc0c-2494-06a0-5af2-9be7-fd4a"))
            .ExpectError(HttpStatusCode.BadRequest, "invalid_data", "MFA challenge does not support method \"recovery_code\"");
        (await api.AnswerAsync(id, pending, "sms", "1")).ExpectError(HttpStatusCode.BadRequest, "invalid_data", "MFA challenge does not support method \"sms\"");
        (await api.Anonymous.PostAsync($"/auth/mfa/challenges/{id}/verify", new { method = "totp", code = "1" })).ExpectUnauthorized();

        // Rows 0-6 cost no attempt: the challenge still takes its full five.
        for (var i = 1; i < 5; i++)
        {
            (await api.AnswerAsync(id, pending, "totp", "12345")).ExpectError(HttpStatusCode.BadRequest, "not_allowed", "Invalid MFA challenge code");
        }

        (await api.AnswerAsync(id, pending, "totp", "12345"))
            .ExpectError(HttpStatusCode.BadRequest, "not_allowed", "MFA challenge has too many failed attempts");
        (await api.AnswerAsync(id, pending, "totp", api.NextCode(secret)))
            .ExpectError(HttpStatusCode.BadRequest, "not_allowed", "MFA challenge has too many failed attempts");

        // Any token of the identity may answer a challenge, and an expired one is refused.
        var (late, _) = await api.ChallengeAsync(customer.Email, customer.Password);
        api.Clock.Advance(MfaApiFactory.ChallengeTtl);
        (await api.AnswerAsync(late["id"]!.GetValue<string>(), customer.Token, "totp", api.Code(secret)))
            .ExpectError(HttpStatusCode.BadRequest, "not_allowed", "MFA challenge has expired");
    }

    [Fact]
    public async Task Recovery_codes_answer_a_challenge_once_case_insensitively_and_a_new_batch_replaces_the_old()
    {
        var customer = await api.CreateCustomerAsync();
        var (_, secret) = await api.EnableAsync(customer.Token);
        var first = (await api.Api.PostAsync("/auth/mfa/recovery-codes", new { count = 2 }, customer.Token)).Expect(HttpStatusCode.OK)
            .Object["recovery_codes"]!.AsArray().Select(c => c!.GetValue<string>()).ToArray();

        var (challenge, pending) = await api.ChallengeAsync(customer.Email, customer.Password);
        var id = challenge["id"]!.GetValue<string>();
        Assert.Equal("""["totp","recovery_code"]""", challenge["methods"]!.ToJsonString());
        (await api.AnswerAsync(id, pending, "recovery_code", first[0].Replace("-", "", StringComparison.Ordinal)))
            .ExpectError(HttpStatusCode.BadRequest, "not_allowed", "Invalid MFA challenge code");
        var token = (await api.AnswerAsync(id, pending, "recovery_code", "  " + first[0].ToUpperInvariant() + " ")).Token();
        Assert.True(Jwt.Payload(token)["mfa_challenge_completed_at"] is not null);

        var (reuse, pendingReuse) = await api.ChallengeAsync(customer.Email, customer.Password);
        (await api.AnswerAsync(reuse["id"]!.GetValue<string>(), pendingReuse, "recovery_code", first[0]))
            .ExpectError(HttpStatusCode.BadRequest, "not_allowed", "Invalid MFA challenge code");

        var second = (await api.Api.PostAsync("/auth/mfa/recovery-codes", new { count = 1 }, token)).Expect(HttpStatusCode.OK)
            .Object["recovery_codes"]!.AsArray().Select(c => c!.GetValue<string>()).Single();
        (await api.AnswerAsync(reuse["id"]!.GetValue<string>(), pendingReuse, "recovery_code", first[1]))
            .ExpectError(HttpStatusCode.BadRequest, "not_allowed", "Invalid MFA challenge code");
        (await api.AnswerAsync(reuse["id"]!.GetValue<string>(), pendingReuse, "recovery_code", second)).Token();

        // All codes spent: the next challenge offers TOTP only.
        var (last, _) = await api.ChallengeAsync(customer.Email, customer.Password);
        Assert.Equal("""["totp"]""", last["methods"]!.ToJsonString());
        Assert.NotNull(secret);
    }

    [Fact]
    public async Task Concurrent_answers_spend_a_recovery_code_once()
    {
        var customer = await api.CreateCustomerAsync();
        await api.EnableAsync(customer.Token);
        var code = (await api.Api.PostAsync("/auth/mfa/recovery-codes", new { count = 1 }, customer.Token)).Expect(HttpStatusCode.OK)
            .Object["recovery_codes"]![0]!.GetValue<string>();
        var challenges = new List<(string Id, string Token)>();
        for (var i = 0; i < 4; i++)
        {
            var (challenge, pending) = await api.ChallengeAsync(customer.Email, customer.Password);
            challenges.Add((challenge["id"]!.GetValue<string>(), pending));
        }

        var answers = await Task.WhenAll(challenges.Select(c => api.AnswerAsync(c.Id, c.Token, "recovery_code", code)));

        Assert.Equal(1, answers.Count(a => a.Status == HttpStatusCode.OK));
        Assert.Equal(3, answers.Count(a => a.Status == HttpStatusCode.BadRequest));
    }

    [Fact]
    public async Task Wrong_codes_count_toward_the_account_lockout_and_only_a_completed_challenge_resets_it()
    {
        var customer = await api.CreateCustomerAsync();
        var (_, secret) = await api.EnableAsync(customer.Token);

        // Nine failures: five wrong passwords, then wrong codes on challenges opened with the right one (which resets nothing).
        for (var i = 0; i < 5; i++)
        {
            (await api.Api.PostAsync("/auth/customer/emailpass", new { email = customer.Email, password = "wrong-password-123" }))
                .Expect(HttpStatusCode.Unauthorized);
        }

        var (challenge, pending) = await api.ChallengeAsync(customer.Email, customer.Password);
        for (var i = 0; i < 4; i++)
        {
            (await api.AnswerAsync(challenge["id"]!.GetValue<string>(), pending, "totp", "12345")).Expect(HttpStatusCode.BadRequest);
        }

        var state = JsonNode.Parse((await Db.StoredStateAsync(api.ConnectionString, "authidentity", customer.AuthIdentityId))!)!;
        Assert.Equal(9, state["failed_logins"]!.GetValue<int>());

        // The tenth failure locks the account: then even the right code and the right password are refused.
        var (next, nextPending) = await api.ChallengeAsync(customer.Email, customer.Password);
        (await api.AnswerAsync(next["id"]!.GetValue<string>(), nextPending, "totp", "12345")).Expect(HttpStatusCode.BadRequest);
        (await api.AnswerAsync(next["id"]!.GetValue<string>(), nextPending, "totp", api.NextCode(secret)))
            .ExpectError(HttpStatusCode.BadRequest, "not_allowed", "Invalid MFA challenge code");
        (await api.Api.PostAsync("/auth/customer/emailpass", new { email = customer.Email, password = customer.Password }))
            .ExpectError(HttpStatusCode.Unauthorized, "unauthorized", "Invalid email or password");

        // After the lock, a completed challenge resets the count.
        api.Clock.Advance(TimeSpan.FromMinutes(2));
        var (fresh, freshPending) = await api.ChallengeAsync(customer.Email, customer.Password);
        (await api.AnswerAsync(fresh["id"]!.GetValue<string>(), freshPending, "totp", api.NextCode(secret))).Token();
        state = JsonNode.Parse((await Db.StoredStateAsync(api.ConnectionString, "authidentity", customer.AuthIdentityId))!)!;
        Assert.Equal(0, state["failed_logins"]!.GetValue<int>());
    }

    [Fact]
    public async Task Admin_users_are_challenged_as_well()
    {
        var email = CustomersApiFactory.NewEmail("admin");
        var password = CustomersApiFactory.NewPassword();
        await Customers.Host.Auth.AdminUsers.CreateAsync(
            api.Services.GetService(typeof(IGrainFactory)) as IGrainFactory ?? throw new InvalidOperationException(),
            new Customers.Host.Stores.UserStore((Npgsql.NpgsqlDataSource)api.Services.GetService(typeof(Npgsql.NpgsqlDataSource))!),
            api.Clock, email, password, CancellationToken.None);
        var token = (await api.Api.PostAsync("/auth/user/emailpass", new { email, password })).Token();
        var (_, secret) = await api.EnableAsync(token);

        var (challenge, pending) = await api.ChallengeAsync(email, password, "user");
        (await api.Api.GetAsync("/admin/users/me", pending)).Expect(HttpStatusCode.Unauthorized, MfaRequired);
        var complete = (await api.AnswerAsync(challenge["id"]!.GetValue<string>(), pending, "totp", api.NextCode(secret))).Token();

        (await api.Api.GetAsync("/admin/users/me", complete)).Expect(HttpStatusCode.OK);
    }
}
