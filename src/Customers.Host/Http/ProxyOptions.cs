using System.Net;

namespace Customers.Host.Http;

/// <summary>
/// The reverse proxies and load balancers whose <c>X-Forwarded-For</c> / <c>X-Forwarded-Proto</c> are believed
/// (docs/load-balancers.md). Nothing is trusted by default: a forwarded header from any other peer is ignored, so a
/// client cannot choose the address its limits are counted under.
/// </summary>
public sealed class ProxyOptions
{
    public const string Section = "Customers:Proxy";

    /// <summary>Addresses of trusted proxies, e.g. <c>10.0.0.5</c> or <c>::1</c>.</summary>
    public string[] KnownProxies { get; set; } = [];

    /// <summary>Networks of trusted proxies in CIDR form, e.g. <c>10.0.0.0/8</c> (a Kubernetes pod network).</summary>
    public string[] KnownNetworks { get; set; } = [];

    /// <summary>How many trusted hops of <c>X-Forwarded-For</c> are read, from the right (1: one balancer).</summary>
    public int ForwardLimit { get; set; } = 1;

    public bool TrustsAnyProxy => KnownProxies.Length > 0 || KnownNetworks.Length > 0;

    /// <summary>The problems of these settings, each a sentence naming the key; empty when they are valid.</summary>
    public IEnumerable<string> Problems()
    {
        foreach (var proxy in KnownProxies)
        {
            if (!IPAddress.TryParse(proxy, out _))
            {
                yield return $"{Section}:KnownProxies: '{proxy}' is not an IP address.";
            }
        }

        foreach (var network in KnownNetworks)
        {
            if (!TryParseNetwork(network, out _))
            {
                yield return $"{Section}:KnownNetworks: '{network}' is not a network in CIDR form (such as 10.0.0.0/8 or fd00::/8).";
            }
        }

        if (ForwardLimit is < 1 or > 10)
        {
            yield return $"{Section}:ForwardLimit must be between 1 and 10 (it is {ForwardLimit}).";
        }
    }

    /// <summary>A CIDR network; the address must be the network's own (no host bits set), as the framework's parser wants.</summary>
    public static bool TryParseNetwork(string text, out IPNetwork network) =>
        IPNetwork.TryParse(text.Trim(), out network);
}
