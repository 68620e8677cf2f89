using Customers.Host.Auth;
using Microsoft.Extensions.Configuration;
using Xunit;

namespace Customers.Host.Tests.Http;

/// <summary>Safe defaults of <c>Customers:Auth:MethodsPerActor</c>: configuring one actor type never opens another.</summary>
public sealed class ProviderAllowListTests
{
    [Fact]
    public void Unconfigured_customers_use_every_provider_and_admins_emailpass_only()
    {
        var list = AllowList();

        Assert.True(list.Allows("customer", "google"));
        Assert.True(list.Allows("user", "emailpass"));
        Assert.False(list.Allows("user", "google"));
    }

    [Fact]
    public void Configuring_customers_only_keeps_admins_on_emailpass()
    {
        var list = AllowList(("customer:0", "emailpass"), ("customer:1", "github"));

        Assert.True(list.Allows("customer", "github"));
        Assert.False(list.Allows("customer", "google"));
        Assert.False(list.Allows("user", "github"));
        Assert.True(list.Allows("user", "emailpass"));
    }

    [Theory]
    [InlineData("seller")]
    [InlineData("User")]
    public void An_actor_type_not_listed_gets_emailpass_only(string actorType)
    {
        var list = AllowList(("customer:0", "google"));

        Assert.True(list.Allows(actorType, "emailpass"));
        Assert.False(list.Allows(actorType, "google"));
    }

    [Fact]
    public void A_configured_admin_list_replaces_the_admin_default()
    {
        var list = AllowList(("user:0", "emailpass"), ("user:1", "keycloak"));

        Assert.True(list.Allows("user", "keycloak"));
        Assert.True(list.Allows("customer", "keycloak"));
        Assert.False(list.Allows("user", "google"));
    }

    private static ProviderAllowList AllowList(params (string Key, string Value)[] settings) =>
        new(new ConfigurationBuilder()
            .AddInMemoryCollection(settings.Select(s => KeyValuePair.Create($"{ProviderAllowList.Section}:{s.Key}", (string?)s.Value)))
            .Build());
}
