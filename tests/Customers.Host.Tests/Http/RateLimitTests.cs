using Customers.Testing;
using System.Globalization;
using System.Net;
using Customers.Abstractions.Auth;
using Customers.Abstractions.Ids;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Customers.Host.Tests.Http;

/// <summary>A host whose per-client limits are low enough to reach in a test: 3 registrations, 3 failed logins and 3
/// password reset requests an hour.</summary>
public sealed class RateLimitedApiFactory : CustomersApiFactory
{
    public const int Limit = 3;

    protected override string DatabasePrefix => "http_rate_limits";

    protected override IEnumerable<KeyValuePair<string, string>> OverrideSettings() =>
    [
        KeyValuePair.Create("Customers:RateLimits:RegistrationsPerHour", Limit.ToString(CultureInfo.InvariantCulture)),
        KeyValuePair.Create("Customers:RateLimits:FailedLoginsPerHour", Limit.ToString(CultureInfo.InvariantCulture)),
        KeyValuePair.Create("Customers:RateLimits:PasswordResetsPerHour", Limit.ToString(CultureInfo.InvariantCulture)),
    ];
}

/// <summary>
/// Per-client-IP limits (security baseline): beyond the budget, 429 with <c>Retry-After</c> and a Medusa error body (the
/// SDK shows <c>message</c>). The TestServer has no remote address, so all requests of this factory share one budget:
/// the tests here spend different budgets (registrations, failed logins, reset requests) and nothing else uses this
/// factory.
/// </summary>
public sealed class RateLimitTests(RateLimitedApiFactory api) : IClassFixture<RateLimitedApiFactory>
{
    [Fact]
    public async Task Fourth_registration_within_the_hour_answers_429_with_Retry_After()
    {
        for (var i = 0; i < RateLimitedApiFactory.Limit; i++)
        {
            await api.RegisterAsync(CustomersApiFactory.NewEmail(), CustomersApiFactory.NewPassword());
        }

        var email = CustomersApiFactory.NewEmail();
        var response = await api.Api.PostAsync("/auth/customer/emailpass/register", new { email, password = CustomersApiFactory.NewPassword() });

        AssertTooManyRequests(response);
        Assert.Equal(0L, await Db.ScalarAsync<long>(api.ConnectionString, "SELECT count(*) FROM provider_identity WHERE entity_id = $1", email));
    }

    [Fact]
    public async Task Fourth_failed_login_within_the_hour_answers_429_even_with_the_right_password()
    {
        // Created through the grain: the registration budget belongs to the other test.
        var email = CustomersApiFactory.NewEmail();
        var password = CustomersApiFactory.NewPassword();
        await api.Services.GetRequiredService<IGrainFactory>()
            .GetGrain<IAuthIdentityGrain>(EntityId.New(EntityId.AuthIdentity, DateTimeOffset.UtcNow))
            .RegisterEmailPasswordAsync(email, password);
        (await LoginAsync(email, password)).Expect(HttpStatusCode.OK);

        for (var i = 0; i < RateLimitedApiFactory.Limit; i++)
        {
            (await LoginAsync(CustomersApiFactory.NewEmail(), password))
                .ExpectError(HttpStatusCode.Unauthorized, "unauthorized", "Invalid email or password");
        }

        AssertTooManyRequests(await LoginAsync(CustomersApiFactory.NewEmail(), password));
        AssertTooManyRequests(await LoginAsync(email, password));
    }

    [Fact]
    public async Task Fourth_password_reset_request_within_the_hour_answers_429_for_known_and_unknown_identifiers()
    {
        var known = CustomersApiFactory.NewEmail();
        await api.Services.GetRequiredService<IGrainFactory>()
            .GetGrain<IAuthIdentityGrain>(EntityId.New(EntityId.AuthIdentity, DateTimeOffset.UtcNow))
            .RegisterEmailPasswordAsync(known, CustomersApiFactory.NewPassword());
        for (var i = 0; i < RateLimitedApiFactory.Limit; i++)
        {
            (await ResetAsync(i == 0 ? known : CustomersApiFactory.NewEmail())).Expect(HttpStatusCode.Created);
        }

        var refusedKnown = await ResetAsync(known);
        var refusedUnknown = await ResetAsync(CustomersApiFactory.NewEmail());

        AssertTooManyRequests(refusedKnown);
        AssertTooManyRequests(refusedUnknown);
        Assert.Equal(refusedKnown.Body, refusedUnknown.Body);
        await api.WhenBackgroundWorkDoneAsync();
        Assert.Equal(1L, await Db.ScalarAsync<long>(api.ConnectionString,
            "SELECT count(*) FROM dev_notification WHERE event_name = 'auth.password_reset' AND data ->> 'entity_id' = $1", known));
    }

    private Task<ApiResponse> ResetAsync(string identifier) =>
        api.Api.PostAsync("/auth/customer/emailpass/reset-password", new { identifier });

    private Task<ApiResponse> LoginAsync(string email, string password) =>
        api.Api.PostAsync("/auth/customer/emailpass", new { email, password });

    /// <summary>429 with <c>Retry-After</c> and a Medusa error body; other limit tests check their refusals with it too.</summary>
    internal static void AssertTooManyRequests(ApiResponse response)
    {
        response.Expect(HttpStatusCode.TooManyRequests);
        Assert.Equal("application/json; charset=utf-8", response.ContentType);
        var retryAfter = int.Parse(Assert.Single(response.Headers("Retry-After")), CultureInfo.InvariantCulture);
        Assert.InRange(retryAfter, 1, 3600);
        Assert.False(string.IsNullOrWhiteSpace(response.Message), response.Body);
        Assert.False(string.IsNullOrWhiteSpace(response.Type), response.Body);
    }
}
