using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Customers.Host.Events;

/// <summary>
/// The <c>X-Customers-Signature</c> header: <c>t=&lt;unix seconds&gt;,v1=&lt;lowercase hex HMAC-SHA256 of
/// "&lt;t&gt;.&lt;body&gt;"&gt;</c>, keyed with the webhook's secret (UTF-8). Receivers recompute it over the raw body,
/// compare in constant time and reject old timestamps (docs/events.md).
/// </summary>
internal static class WebhookSignature
{
    public const string Header = "X-Customers-Signature";
    public const string EventIdHeader = "X-Customers-Event-Id";
    public const string EventNameHeader = "X-Customers-Event-Name";
    public const string AttemptHeader = "X-Customers-Delivery-Attempt";

    public static string Create(string secret, long unixSeconds, ReadOnlySpan<byte> body)
    {
        var t = unixSeconds.ToString(CultureInfo.InvariantCulture);
        return $"t={t},v1={Compute(secret, t, body)}";
    }

    /// <summary>True when <paramref name="header"/> is a valid signature of <paramref name="body"/> under <paramref name="secret"/>.</summary>
    public static bool Verify(string secret, string header, ReadOnlySpan<byte> body, out long unixSeconds)
    {
        unixSeconds = 0;
        string? t = null;
        string? v1 = null;
        foreach (var part in header.Split(','))
        {
            var kv = part.Split('=', 2);
            if (kv.Length != 2)
            {
                return false;
            }

            if (kv[0] == "t")
            {
                t = kv[1];
            }
            else if (kv[0] == "v1")
            {
                v1 = kv[1];
            }
        }

        if (t is null || v1 is null || !long.TryParse(t, NumberStyles.None, CultureInfo.InvariantCulture, out unixSeconds))
        {
            return false;
        }

        return CryptographicOperations.FixedTimeEquals(Encoding.ASCII.GetBytes(Compute(secret, t, body)), Encoding.ASCII.GetBytes(v1));
    }

    private static string Compute(string secret, string t, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes(t + ".");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return Convert.ToHexStringLower(HMACSHA256.HashData(Encoding.UTF8.GetBytes(secret), message));
    }
}
