using System.Net;
using Customers.Host.Http;
using Xunit;

namespace Customers.Host.Tests.Http;

/// <summary>The key per-client limits count under: IPv4 alone, IPv4-mapped IPv6 as IPv4, IPv6 per /64.</summary>
public sealed class ClientAddressTests
{
    [Theory]
    [InlineData("203.0.113.7", "203.0.113.7")]
    [InlineData("::ffff:203.0.113.7", "203.0.113.7")]
    [InlineData("2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:2::1", "2001:db8:1:2::/64")]
    [InlineData("2001:db8:1:3::1", "2001:db8:1:3::/64")]
    [InlineData("::1", "::/64")]
    public void Keys(string address, string key) => Assert.Equal(key, ClientAddress.KeyOf(IPAddress.Parse(address)));

    [Fact]
    public void Two_addresses_of_one_IPv6_64_share_a_key_and_neighbouring_64s_do_not()
    {
        var first = ClientAddress.KeyOf(IPAddress.Parse("2001:db8:abcd:12::1"));
        var second = ClientAddress.KeyOf(IPAddress.Parse("2001:db8:abcd:12:ffff:ffff:ffff:fffe"));
        var neighbour = ClientAddress.KeyOf(IPAddress.Parse("2001:db8:abcd:13::1"));

        Assert.Equal(first, second);
        Assert.NotEqual(first, neighbour);
    }

    [Fact]
    public void A_connection_without_an_address_has_one_shared_key() => Assert.Equal("unknown", ClientAddress.KeyOf(null));
}
