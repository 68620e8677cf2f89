using System.Net;
using Customers.Host.Tests.Http.Mfa;
using Customers.Testing;
using Xunit;

namespace Customers.Host.Tests.Http.OAuth;

/// <summary>A provider's callback is a login like any other: an identity with an enabled factor gets a challenge first.</summary>
[Collection(OAuthCollection.Name)]
public sealed class OAuthMfaTests(OAuthApiFactory api)
{
    [Fact]
    public async Task The_callback_answers_a_challenge_whose_answer_gives_the_MFA_complete_token()
    {
        var user = FakeUser.New(name: "Grace Hopper");
        var first = (await api.SignInAsync("google", user)).Token();
        var customerId = (await api.Api.PostAsync("/store/customers", new { email = user.Email }, first)).Expect(HttpStatusCode.OK)
            .Object["customer"]!["id"]!.GetValue<string>();
        var token = (await api.Api.PostAsync("/auth/token/refresh", null, first)).Token();
        var (_, secret) = await api.EnableAsync(token);

        var body = (await api.SignInAsync("google", user)).Expect(HttpStatusCode.OK).Object;

        Assert.True(body["mfa_required"]!.GetValue<bool>(), body.ToJsonString());
        var challenge = body["mfa_challenge"]!.AsObject();
        Assert.Equal("google", challenge["auth_provider"]!.GetValue<string>());
        var pending = body["token"]!.GetValue<string>();
        Assert.Equal("", Jwt.Payload(pending)["actor_id"]!.GetValue<string>());
        var complete = Jwt.Payload((await api.AnswerAsync(challenge["id"]!.GetValue<string>(), pending, "totp", api.NextCode(secret))).Token());
        Assert.Equal(customerId, complete["actor_id"]!.GetValue<string>());
        Assert.Equal("google", complete["auth_provider"]!.GetValue<string>());
        Assert.NotNull(complete["mfa_challenge_completed_at"]);
    }
}
