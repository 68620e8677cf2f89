using System.Net;
using System.Net.Sockets;

namespace Customers.Host.Http;

/// <summary>
/// The key a client's limits are counted under: its address as the connection or a trusted proxy gives it
/// (<see cref="ProxyOptions"/>). An IPv4 address counts alone (an IPv4-mapped IPv6 address as that IPv4 address);
/// an IPv6 address counts with its whole /64, because one subscriber usually holds a whole /64 and could otherwise
/// take a fresh address for every request.
/// </summary>
internal static class ClientAddress
{
    public static string Of(HttpContext http) => KeyOf(http.Connection.RemoteIpAddress);

    public static string KeyOf(IPAddress? address)
    {
        if (address is null)
        {
            return "unknown";
        }

        if (address.IsIPv4MappedToIPv6)
        {
            return address.MapToIPv4().ToString();
        }

        if (address.AddressFamily != AddressFamily.InterNetworkV6)
        {
            return address.ToString();
        }

        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }
}
