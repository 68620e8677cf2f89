using System.ComponentModel.DataAnnotations;
using System.Net;
using Customers.Host.Auth.Providers;
using Customers.Host.Stores;
using Customers.Medusa;
using Microsoft.Extensions.Options;
using Xunit;

namespace Customers.Host.Tests.Http;

/// <summary>Security limits are options validated at start-up (docs/security.md), and the host obeys them.</summary>
public sealed class LimitOptionsTests
{
    [Fact]
    public void The_defaults_are_the_documented_numbers_and_valid()
    {
        var signIn = new SignInLimitOptions();
        Assert.Equal((TimeSpan.FromMinutes(10), TimeSpan.FromSeconds(10), 256 * 1024), (signIn.StateLifetime, signIn.ProviderTimeout, signIn.MaxProviderResponseBytes));
        Assert.Equal(TimeSpan.FromSeconds(5), new ApiKeyOptions().CacheLifetime);
        Assert.Equal(1024 * 1024, new BodyLimitOptions().MaxBodyBytes);
        Assert.True(Valid(signIn) && Valid(new ApiKeyOptions()) && Valid(new BodyLimitOptions()));
    }

    [Fact]
    public void Values_out_of_range_are_refused()
    {
        Assert.False(Valid(new SignInLimitOptions { StateLifetime = TimeSpan.FromHours(2) }));
        Assert.False(Valid(new SignInLimitOptions { ProviderTimeout = TimeSpan.Zero }));
        Assert.False(Valid(new SignInLimitOptions { MaxProviderResponseBytes = 100 * 1024 * 1024 }));
        Assert.False(Valid(new ApiKeyOptions { CacheLifetime = TimeSpan.FromMinutes(5) }));
        Assert.False(Valid(new BodyLimitOptions { MaxBodyBytes = 100 }));
    }

    [Fact]
    public async Task A_host_with_an_invalid_limit_does_not_start()
    {
        await using var factory = new LimitedApiFactory(("Customers:Auth:OAuth:StateLifetime", "1.00:00:00"));

        var error = await Assert.ThrowsAsync<OptionsValidationException>(factory.InitializeAsync);

        Assert.Contains(error.Failures, f => f.Contains(nameof(SignInLimitOptions.StateLifetime), StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_configured_body_limit_is_enforced()
    {
        await using var factory = new LimitedApiFactory(("Customers:Http:MaxBodyBytes", "16384"));
        await factory.InitializeAsync();
        var customer = await factory.CreateCustomerAsync();

        // Whitespace padding: the size is all that differs.
        var over = await factory.Api.PostRawAsync("/store/customers/me", """{"first_name":"Ada"}""" + new string(' ', 16 * 1024), token: customer.Token);
        var under = await factory.Api.PostRawAsync("/store/customers/me", """{"first_name":"Ada"}""" + new string(' ', 15 * 1024), token: customer.Token);

        over.ExpectError(HttpStatusCode.RequestEntityTooLarge, "invalid_data", "Request body too large");
        under.Expect(HttpStatusCode.OK);
    }

    private static bool Valid<T>(T options)
        where T : class =>
        Validator.TryValidateObject(options, new ValidationContext(options), null, validateAllProperties: true);

    private sealed class LimitedApiFactory(params (string Key, string Value)[] settings) : CustomersApiFactory
    {
        protected override string DatabasePrefix => "http_limits";

        protected override IEnumerable<KeyValuePair<string, string>> OverrideSettings() =>
            settings.Select(s => KeyValuePair.Create(s.Key, s.Value));
    }
}
