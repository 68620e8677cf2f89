using Customers.Abstractions;
using Customers.Abstractions.Auth;
using Customers.Abstractions.Customers;
using Customers.Abstractions.Errors;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Customers.Grains.Tests;

/// <summary>
/// Errors must reach callers on other silos as <see cref="CustomersException"/> with kind and message intact (a raw
/// Npgsql exception would arrive as a codec error). Each test finds the silo hosting the grain and calls it from the
/// other silo's grain factory, so the call really crosses silos, and from the cluster client.
/// </summary>
[Collection(GrainClusterCollection.Name)]
public sealed class CrossSiloErrorTests(GrainClusterFixture fixture)
{
    [Fact]
    public async Task Not_found_crosses_silos_intact()
    {
        var id = TestData.NewCustomerId();
        var (remote, viaClient) = await ActivateAndResolveAsync<ICustomerGrain>(id, g => g.GetAsync());

        foreach (var grain in new[] { remote, viaClient })
        {
            var error = await Assert.ThrowsAsync<CustomersException>(() => grain.UpdateAsync(TestData.Update(firstName: Optional<string>.Of("x"))));
            Assert.Equal(ErrorKind.NotFound, error.Kind);
            Assert.Equal($"Customer with id: {id} was not found", error.Message);
        }
    }

    [Fact]
    public async Task A_unique_violation_from_postgres_crosses_silos_intact()
    {
        var email = TestData.NewEmail();
        await fixture.Client.GetGrain<ICustomerGrain>(TestData.NewCustomerId()).CreateAsync(TestData.Customer(email, hasAccount: true));
        var (remote, viaClient) = await ActivateAndResolveAsync<ICustomerGrain>(TestData.NewCustomerId(), g => g.GetAsync());

        foreach (var grain in new[] { remote, viaClient })
        {
            var error = await Assert.ThrowsAsync<CustomersException>(() => grain.CreateAsync(TestData.Customer(email, hasAccount: true)));
            Assert.Equal(ErrorKind.UniqueViolation, error.Kind);
            Assert.Equal($"Customer with email: {email}, has_account: true, already exists.", error.Message);
        }
    }

    [Fact]
    public async Task A_duplicate_registration_crosses_silos_as_unauthorized()
    {
        var email = TestData.NewEmail();
        await fixture.Client.GetGrain<IAuthIdentityGrain>(TestData.NewIdentityId()).RegisterEmailPasswordAsync(email, TestData.Password);

        foreach (var viaOtherSilo in new[] { true, false })
        {
            var (remote, viaClient) = await ActivateAndResolveAsync<IAuthIdentityGrain>(TestData.NewIdentityId(), g => g.GetAsync());
            var grain = viaOtherSilo ? remote : viaClient;
            var error = await Assert.ThrowsAsync<CustomersException>(() => grain.RegisterEmailPasswordAsync(email, TestData.Password));
            Assert.Equal(ErrorKind.Unauthorized, error.Kind);
            Assert.Equal("Identity with email already exists", error.Message);
        }
    }

    [Fact]
    public async Task A_nested_call_error_crosses_silos_intact()
    {
        // Identity -> customer grain -> PostgreSQL, reached from the silo that does not host the identity.
        var email = TestData.NewEmail();
        await fixture.Client.GetGrain<ICustomerGrain>(TestData.NewCustomerId()).CreateAsync(TestData.Customer(email, hasAccount: true));
        var (remote, _) = await ActivateAndResolveAsync<IAuthIdentityGrain>(TestData.NewIdentityId(), g => g.GetAsync());
        await remote.RegisterEmailPasswordAsync(TestData.NewEmail(), TestData.Password);

        var error = await Assert.ThrowsAsync<CustomersException>(() => remote.CreateCustomerAsync(TestData.Customer(email, hasAccount: true)));

        Assert.Equal(ErrorKind.UniqueViolation, error.Kind);
        Assert.Equal($"Customer with email: {email}, has_account: true, already exists.", error.Message);
    }

    /// <summary>
    /// Activates the grain, then returns a reference to it from the grain factory of the silo that does not host it,
    /// and one from the cluster client.
    /// </summary>
    private async Task<(TGrain Remote, TGrain ViaClient)> ActivateAndResolveAsync<TGrain>(string key, Func<TGrain, Task> activate)
        where TGrain : IGrainWithStringKey
    {
        var viaClient = fixture.Client.GetGrain<TGrain>(key);
        await activate(viaClient);
        var other = fixture.Other(fixture.HostOf(viaClient));
        var remote = other.ServiceProvider.GetRequiredService<IGrainFactory>().GetGrain<TGrain>(key);
        return (remote, viaClient);
    }
}
