using Customers.Testing;
using System.Net;
using System.Text.Json.Nodes;
using Xunit;

namespace Customers.Host.Tests.Http;

/// <summary>
/// Per-account lockout (security baseline): after 10 consecutive failures even the right password is refused,
/// and the answer looks exactly like a wrong password. The counter lives in the identity's persisted state.
/// </summary>
[Collection(HttpCollection.Name)]
public sealed class LockoutTests(CustomersApiFactory api)
{
    private const string Login = "/auth/customer/emailpass";
    private const int MaxFailures = 10;

    [Fact]
    public async Task Ten_wrong_passwords_lock_the_account_even_for_the_right_password()
    {
        var customer = await api.CreateCustomerAsync();
        var bystander = await api.CreateCustomerAsync();
        for (var i = 0; i < MaxFailures; i++)
        {
            (await LoginAsync(customer.Email, CustomersApiFactory.NewPassword()))
                .ExpectError(HttpStatusCode.Unauthorized, "unauthorized", "Invalid email or password");
        }

        var rightPassword = await LoginAsync(customer.Email, customer.Password);
        var wrongPassword = await LoginAsync(customer.Email, CustomersApiFactory.NewPassword());

        rightPassword.ExpectError(HttpStatusCode.Unauthorized, "unauthorized", "Invalid email or password");
        Assert.Equal(wrongPassword.Body, rightPassword.Body);
        Assert.Equal(wrongPassword.AllHeaders.OrderBy(h => h.Key), rightPassword.AllHeaders.OrderBy(h => h.Key));
        (await LoginAsync(bystander.Email, bystander.Password)).Expect(HttpStatusCode.OK);

        // Persisted with the identity, so every silo (and a restarted one) sees the lock.
        var state = JsonNode.Parse((await Db.StoredStateAsync(api.ConnectionString, "authidentity", customer.AuthIdentityId))!)!;
        Assert.True(state["failed_logins"]!.GetValue<int>() >= MaxFailures, state.ToJsonString());
        Assert.True(state["locked_until"]!.GetValue<DateTimeOffset>() > api.Clock.GetUtcNow(), state.ToJsonString());
    }

    [Fact]
    public async Task Refusal_of_a_locked_account_carries_Retry_After_until_the_lock_ends()
    {
        var customer = await api.CreateCustomerAsync();
        for (var i = 0; i < MaxFailures - 1; i++)
        {
            Assert.Null((await LoginAsync(customer.Email, CustomersApiFactory.NewPassword())).Header("Retry-After"));
        }

        var locking = await LoginAsync(customer.Email, CustomersApiFactory.NewPassword());
        api.Clock.Advance(TimeSpan.FromSeconds(20));
        var whileLocked = await LoginAsync(customer.Email, customer.Password);

        locking.ExpectError(HttpStatusCode.Unauthorized, "unauthorized", "Invalid email or password");
        Assert.Equal("60", locking.Header("Retry-After"));
        whileLocked.ExpectError(HttpStatusCode.Unauthorized, "unauthorized", "Invalid email or password");
        Assert.Equal("40", whileLocked.Header("Retry-After"));
    }

    [Fact]
    public async Task Lock_does_not_stop_the_existing_tokens_of_the_account()
    {
        var customer = await api.CreateCustomerAsync();
        for (var i = 0; i < MaxFailures; i++)
        {
            (await LoginAsync(customer.Email, CustomersApiFactory.NewPassword())).Expect(HttpStatusCode.Unauthorized);
        }

        var response = await api.Api.GetAsync("/store/customers/me", customer.Token);

        response.Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Successful_login_resets_the_failure_count()
    {
        var customer = await api.CreateCustomerAsync();

        for (var round = 0; round < 2; round++)
        {
            for (var i = 0; i < MaxFailures - 1; i++)
            {
                (await LoginAsync(customer.Email, CustomersApiFactory.NewPassword())).Expect(HttpStatusCode.Unauthorized);
            }

            (await LoginAsync(customer.Email, customer.Password)).Expect(HttpStatusCode.OK);
        }

        var state = JsonNode.Parse((await Db.StoredStateAsync(api.ConnectionString, "authidentity", customer.AuthIdentityId))!)!;
        Assert.Equal(0, state["failed_logins"]!.GetValue<int>());
        Assert.Null(state["locked_until"]);
    }

    private Task<ApiResponse> LoginAsync(string email, string password) =>
        api.Api.PostAsync(Login, new { email, password });
}
