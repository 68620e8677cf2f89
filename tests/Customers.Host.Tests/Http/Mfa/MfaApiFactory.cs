using System.Net;
using System.Text.Json.Nodes;
using Customers.Grains.Auth.Mfa;
using Xunit;

namespace Customers.Host.Tests.Http.Mfa;

/// <summary>
/// A host of its own for second-factor tests: they move its clock by whole TOTP periods (so a new code is due) and
/// shorten the challenge lifetime, which other suites should not feel.
/// </summary>
public sealed class MfaApiFactory : CustomersApiFactory
{
    public static readonly TimeSpan ChallengeTtl = TimeSpan.FromSeconds(120);

    protected override string DatabasePrefix => "http_mfa";

    protected override IEnumerable<KeyValuePair<string, string>> OverrideSettings() =>
    [
        new("Customers:Mfa:ChallengeTtl", "00:02:00"),
        new("Customers:Mfa:Totp:Issuer", "Test Shop"),
    ];
}

/// <summary>Second-factor steps through the API, for any host (the clock is the host's own).</summary>
public static class MfaSteps
{
    /// <summary>The current TOTP code of <paramref name="secret"/> on the host's clock.</summary>
    public static string Code(this CustomersApiFactory api, string secret) =>
        Totp.Code(Base32.Decode(secret)!, Totp.StepAt(api.Clock.GetUtcNow(), 30), 6);

    /// <summary>A code no one has used: moves the clock to the next 30-second step first.</summary>
    public static string NextCode(this CustomersApiFactory api, string secret)
    {
        api.Clock.Advance(TimeSpan.FromSeconds(30));
        return api.Code(secret);
    }

    /// <summary>Enrols a TOTP factor with <paramref name="token"/>: (factor id, Base32 secret).</summary>
    public static async Task<(string FactorId, string Secret)> EnrolAsync(this CustomersApiFactory api, string token)
    {
        var started = (await api.Api.PostAsync("/auth/mfa/factors", new { provider = "totp" }, token)).Expect(HttpStatusCode.OK).Object;
        return (started["mfa_factor"]!["id"]!.GetValue<string>(), started["secret"]!.GetValue<string>());
    }

    /// <summary>Enrols and confirms a factor for <paramref name="token"/>'s identity; returns the factor and its secret.</summary>
    public static async Task<(string FactorId, string Secret)> EnableAsync(this CustomersApiFactory api, string token)
    {
        var (factorId, secret) = await api.EnrolAsync(token);
        (await api.Api.PostAsync($"/auth/mfa/factors/{factorId}/verify", new { code = api.NextCode(secret) }, token)).Expect(HttpStatusCode.OK);
        return (factorId, secret);
    }

    /// <summary>Logs in as a customer and expects a challenge: (challenge, MFA-pending token).</summary>
    public static async Task<(JsonObject Challenge, string PendingToken)> ChallengeAsync(
        this CustomersApiFactory api, string email, string password, string actorType = "customer")
    {
        var body = (await api.Api.PostAsync($"/auth/{actorType}/emailpass", new { email, password })).Expect(HttpStatusCode.OK).Object;
        Assert.True(body["mfa_required"]!.GetValue<bool>(), body.ToJsonString());
        return (body["mfa_challenge"]!.AsObject(), body["token"]!.GetValue<string>());
    }

    /// <summary>Answers a challenge.</summary>
    public static Task<ApiResponse> AnswerAsync(this CustomersApiFactory api, string challengeId, string token, string method, string code) =>
        api.Api.PostAsync($"/auth/mfa/challenges/{challengeId}/verify", new { method, code }, token);
}

[CollectionDefinition(Name)]
public sealed class MfaCollection : ICollectionFixture<MfaApiFactory>
{
    public const string Name = "MFA API";
}
