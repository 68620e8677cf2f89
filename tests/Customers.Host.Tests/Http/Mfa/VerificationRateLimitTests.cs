using System.Net;
using Xunit;

namespace Customers.Host.Tests.Http.Mfa;

/// <summary>
/// Failed verification confirms spend the client address's failed-login budget (the code alone is the credential), so
/// guessing codes ends in 429. A host of its own: the budget is per address and the TestServer has only one.
/// </summary>
public sealed class VerificationRateLimitTests(RateLimitedApiFactory api) : IClassFixture<RateLimitedApiFactory>
{
    [Fact]
    public async Task Failed_confirms_use_up_the_budget_then_even_the_right_code_answers_429()
    {
        var customer = await api.CreateCustomerAsync();
        (await api.Api.PostAsync(VerificationTests.Request, new { entity_id = customer.Email, entity_type = "email" }, customer.Token))
            .Expect(HttpStatusCode.Created);
        var code = await VerificationTests.LatestCodeAsync(api, customer.Email);

        for (var i = 0; i < RateLimitedApiFactory.Limit; i++)
        {
            (await api.Anonymous.PostAsync(VerificationTests.Confirm, new { code = $"guess-{i}" }))
                .ExpectError(HttpStatusCode.BadRequest, "not_allowed", "Verification code is invalid or already used");
        }

        RateLimitTests.AssertTooManyRequests(await api.Anonymous.PostAsync(VerificationTests.Confirm, new { code }));
    }
}
