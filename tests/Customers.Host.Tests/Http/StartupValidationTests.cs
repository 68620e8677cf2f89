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
