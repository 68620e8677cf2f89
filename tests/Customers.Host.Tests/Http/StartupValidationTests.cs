using Customers.Host.Auth.Providers;
using Customers.Host.Hosting;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.Options;
using Xunit;

namespace Customers.Host.Tests.Http;

/// <summary>Configuration mistakes stop the host at start-up, before it serves a request (docs/auth-providers.md).</summary>
public sealed class StartupValidationTests
{
    [Fact]
    public async Task Two_providers_with_one_id_stop_start_up()
    {
        await using var factory = new DuplicateProviderFactory();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(factory.InitializeAsync);

        Assert.Contains("Two auth providers have the id 'emailpass'.", error.Failures);
    }

    [Fact]
    public async Task A_proxy_that_is_not_an_address_or_a_network_that_is_not_CIDR_stops_start_up_naming_both()
    {
        await using var factory = new BadProxyFactory();

        var error = await Assert.ThrowsAsync<OptionsValidationException>(factory.InitializeAsync);

        Assert.Contains("Customers:Proxy:KnownProxies: 'proxy.example' is not an IP address.", error.Failures);
        Assert.Contains(error.Failures, f => f.StartsWith("Customers:Proxy:KnownNetworks: '10.0.0.0/33' is not a network in CIDR form", StringComparison.Ordinal));
        Assert.Contains("Customers:Proxy:ForwardLimit must be between 1 and 10 (it is 0).", error.Failures);
    }

    private sealed class BadProxyFactory : CustomersApiFactory
    {
        protected override string DatabasePrefix => "http_startup_proxy";

        protected override IEnumerable<KeyValuePair<string, string>> OverrideSettings() =>
        [
            KeyValuePair.Create("Customers:Proxy:KnownProxies:0", "10.0.0.1"),
            KeyValuePair.Create("Customers:Proxy:KnownProxies:1", "proxy.example"),
            KeyValuePair.Create("Customers:Proxy:KnownNetworks:0", "10.0.0.0/33"),
            KeyValuePair.Create("Customers:Proxy:ForwardLimit", "0"),
        ];
    }

    private sealed class DuplicateProviderFactory : CustomersApiFactory
    {
        protected override string DatabasePrefix => "http_startup";

        protected override void ConfigureWebHost(IWebHostBuilder builder)
        {
            base.ConfigureWebHost(builder);
            builder.ConfigureTestServices(services => services.AddAuthProvider<EmailPassProvider>());
        }
    }
}
