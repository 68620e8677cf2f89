using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Customers.Abstractions.Auth;
using Customers.Host.Auth;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Customers.Host.Tests.Http;

/// <summary>
/// <c>connect.sid</c> sessions (docs/medusa-compatibility.md §3.9) and token revocation. Logout revokes every earlier
/// token of the identity on every silo: stricter than Medusa, whose tokens outlive a logout.
/// </summary>
[Collection(HttpCollection.Name)]
public sealed class SessionTests(CustomersApiFactory api)
{
    private const string Session = "/auth/session";
    private const string Me = "/store/customers/me";

    [Fact]
    public async Task Session_from_a_bearer_token_answers_its_claims_and_sets_an_http_only_cookie()
    {
        var customer = await api.CreateCustomerAsync();
        var now = api.Clock.GetUtcNow();

        var response = (await api.Api.PostAsync(Session, token: customer.Token)).Expect(HttpStatusCode.OK);

        Assert.Equal(["user"], response.Object.Select(p => p.Key));
        Assert.True(JsonNode.DeepEquals(Jwt.Payload(customer.Token), response.Object["user"]), response.Body);
        var setCookie = Assert.Single(response.SetCookies);
        Assert.StartsWith("connect.sid=s%3A", setCookie, StringComparison.Ordinal);
        var attributes = setCookie.Split("; ").Skip(1).ToList();
        Assert.Contains("Path=/", attributes);
        Assert.Contains("HttpOnly", attributes);
        var expires = DateTimeOffset.ParseExact(
            Assert.Single(attributes, a => a.StartsWith("Expires=", StringComparison.Ordinal))["Expires=".Length..],
            "R",
            CultureInfo.InvariantCulture);
        Assert.InRange(expires, now.AddHours(10).AddSeconds(-5), api.Clock.GetUtcNow().AddHours(10).AddSeconds(5));
    }

    [Fact]
    public async Task Session_cookie_alone_authenticates_the_customer()
    {
        var customer = await api.CreateCustomerAsync();
        var cookie = await StartSessionAsync(customer.Token);

        var me = (await api.Api.GetAsync(Me, configure: WithCookie(cookie))).Expect(HttpStatusCode.OK);

        Assert.Equal(customer.CustomerId, me.Object["customer"]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Session_with_a_tampered_cookie_signature_is_unauthorized()
    {
        var customer = await api.CreateCustomerAsync();
        var cookie = await StartSessionAsync(customer.Token);
        var at = "connect.sid=s%3A".Length;
        var tampered = cookie[..at] + (cookie[at] == 'A' ? 'B' : 'A') + cookie[(at + 1)..];

        var response = await api.Api.GetAsync(Me, configure: WithCookie(tampered));

        response.ExpectUnauthorized();
    }

    [Fact]
    public async Task Starting_a_session_needs_a_bearer_token_not_a_cookie()
    {
        var customer = await api.CreateCustomerAsync();
        var cookie = await StartSessionAsync(customer.Token);

        var withCookie = await api.Api.PostAsync(Session, configure: WithCookie(cookie));
        var anonymous = await api.Api.PostAsync(Session);

        withCookie.ExpectUnauthorized();
        anonymous.ExpectUnauthorized();
    }

    [Fact]
    public async Task Session_from_a_registration_token_stays_actorless()
    {
        var customer = await api.CreateCustomerAsync();
        var cookie = await StartSessionAsync(customer.RegistrationToken);

        var response = await api.Api.GetAsync(Me, configure: WithCookie(cookie));

        response.ExpectUnauthorized();
    }

    [Fact]
    public async Task Session_from_a_registration_token_can_create_the_customer_and_refresh()
    {
        var email = CustomersApiFactory.NewEmail();
        var registration = await api.RegisterAsync(email, CustomersApiFactory.NewPassword());
        var cookie = await StartSessionAsync(registration);

        var created = await api.Api.PostAsync("/store/customers", new { email }, configure: WithCookie(cookie));
        var refreshed = await api.Api.PostAsync("/auth/token/refresh", configure: WithCookie(cookie));

        var customerId = created.Expect(HttpStatusCode.OK).Object["customer"]!["id"]!.GetValue<string>();
        var token = refreshed.Expect(HttpStatusCode.OK).Token();
        Assert.Equal(customerId, Jwt.Payload(token)["actor_id"]!.GetValue<string>());
        (await api.Api.GetAsync(Me, token)).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Session_is_checked_before_the_bearer_token()
    {
        var sessionOwner = await api.CreateCustomerAsync();
        var bearerOwner = await api.CreateCustomerAsync();
        var cookie = await StartSessionAsync(sessionOwner.Token);

        var response = await api.Api.GetAsync(Me, bearerOwner.Token, WithCookie(cookie));

        Assert.Equal(sessionOwner.CustomerId, response.Expect(HttpStatusCode.OK).Object["customer"]!["id"]!.GetValue<string>());
    }

    [Fact]
    public async Task Logout_clears_the_cookie_and_the_old_cookie_no_longer_works()
    {
        var customer = await api.CreateCustomerAsync();
        var cookie = await StartSessionAsync(customer.Token);

        var logout = await api.Api.DeleteAsync(Session, configure: WithCookie(cookie));

        logout.Expect(HttpStatusCode.OK, """{"success":true}""");
        var cleared = Assert.Single(logout.SetCookies);
        Assert.StartsWith("connect.sid=;", cleared, StringComparison.Ordinal);
        Assert.Contains("Path=/", cleared.Split("; "));
        Assert.Contains("Expires=Thu, 01 Jan 1970 00:00:00 GMT", cleared.Split("; "));
        (await api.Api.GetAsync(Me, configure: WithCookie(cookie))).ExpectUnauthorized();
        (await api.Api.DeleteAsync(Session, configure: WithCookie(cookie))).ExpectUnauthorized();
    }

    [Fact]
    public async Task Logout_revokes_bearer_tokens_issued_before_it_but_a_new_login_works()
    {
        var customer = await api.CreateCustomerAsync();
        var otherCustomer = await api.CreateCustomerAsync();
        var cookie = await StartSessionAsync(customer.Token);

        (await api.Api.DeleteAsync(Session, configure: WithCookie(cookie))).Expect(HttpStatusCode.OK);

        (await api.Api.GetAsync(Me, customer.Token)).ExpectUnauthorized();
        (await api.Api.GetAsync(Me, customer.RegistrationToken)).ExpectUnauthorized();
        (await api.Api.PostAsync("/auth/token/refresh", token: customer.Token)).ExpectUnauthorized();
        (await api.Api.PostAsync(Session, token: customer.Token)).ExpectUnauthorized();
        var fresh = await api.LoginAsync(customer.Email, customer.Password);
        var me = (await api.Api.GetAsync(Me, fresh)).Expect(HttpStatusCode.OK);
        Assert.Equal(customer.CustomerId, me.Object["customer"]!["id"]!.GetValue<string>());
        (await api.Api.GetAsync(Me, otherCustomer.Token)).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Logout_needs_a_session_cookie()
    {
        var customer = await api.CreateCustomerAsync();

        var withBearer = await api.Api.DeleteAsync(Session, customer.Token);
        var anonymous = await api.Api.DeleteAsync(Session);

        withBearer.ExpectUnauthorized();
        anonymous.ExpectUnauthorized();
        (await api.Api.GetAsync(Me, customer.Token)).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Revocation_written_by_another_silo_reaches_this_one_through_the_feed()
    {
        // Another silo's logout is a grain write plus a row in auth_identity; this silo learns of it only by pulling.
        var customer = await api.CreateCustomerAsync();
        var cookie = await StartSessionAsync(customer.Token);
        (await api.Api.GetAsync(Me, customer.Token)).Expect(HttpStatusCode.OK);

        await api.Services.GetRequiredService<IGrainFactory>().GetGrain<IAuthIdentityGrain>(customer.AuthIdentityId).RevokeTokensAsync();
        await api.Services.GetRequiredService<TokenRevocationFeed>().PullAsync(CancellationToken.None);

        (await api.Api.GetAsync(Me, customer.Token)).ExpectUnauthorized();
        (await api.Api.GetAsync(Me, configure: WithCookie(cookie))).ExpectUnauthorized();
        var fresh = await api.LoginAsync(customer.Email, customer.Password);
        (await api.Api.GetAsync(Me, fresh)).Expect(HttpStatusCode.OK);
    }

    private async Task<string> StartSessionAsync(string token)
    {
        var response = (await api.Api.PostAsync(Session, token: token)).Expect(HttpStatusCode.OK);
        var setCookie = Assert.Single(response.SetCookies);
        return setCookie[..setCookie.IndexOf(';', StringComparison.Ordinal)];
    }

    private static Action<HttpRequestMessage> WithCookie(string cookie) =>
        request => request.Headers.TryAddWithoutValidation("Cookie", cookie);
}
