using System.Globalization;
using System.Security.Cryptography;
using System.Text;

namespace Customers.Host.Events;

/// <summary>
/// Standard Webhooks signing (https://www.standardwebhooks.com): <c>webhook-id</c> (the event id, the same on every
/// try), <c>webhook-timestamp</c> (unix seconds of the try) and <c>webhook-signature</c>, one space-separated
/// <c>v1,&lt;base64 HMAC-SHA256&gt;</c> per active secret over <c>"{id}.{timestamp}.{body}"</c>. Secrets are
/// <c>whsec_&lt;base64 key&gt;</c>; signing with every active secret lets a receiver rotate without a gap.
/// </summary>
internal static class WebhookSignature
{
    public const string IdHeader = "webhook-id";
    public const string TimestampHeader = "webhook-timestamp";
    public const string SignatureHeader = "webhook-signature";
    public const string EventNameHeader = "X-Customers-Event-Name";
    public const string AttemptHeader = "X-Customers-Delivery-Attempt";
    public const string SecretPrefix = "whsec_";

    /// <summary>The spec's recommended key sizes.</summary>
    public const int MinKeyBytes = 24;
    public const int MaxKeyBytes = 64;

    /// <summary>The key of a <c>whsec_</c> secret, or null when it is not one of 24 to 64 bytes.</summary>
    public static byte[]? DecodeSecret(string? secret)
    {
        if (secret is null || !secret.StartsWith(SecretPrefix, StringComparison.Ordinal))
        {
            return null;
        }

        var encoded = secret[SecretPrefix.Length..];
        var key = new byte[encoded.Length];
        return Convert.TryFromBase64String(encoded, key, out var length) && length is >= MinKeyBytes and <= MaxKeyBytes
            ? key[..length]
            : null;
    }

    /// <summary>The <c>webhook-signature</c> value: one <c>v1,…</c> per key, in the given order.</summary>
    public static string Sign(IEnumerable<byte[]> keys, string id, long unixSeconds, ReadOnlySpan<byte> body)
    {
        var prefix = Encoding.UTF8.GetBytes($"{id}.{unixSeconds.ToString(CultureInfo.InvariantCulture)}.");
        var message = new byte[prefix.Length + body.Length];
        prefix.CopyTo(message, 0);
        body.CopyTo(message.AsSpan(prefix.Length));
        return string.Join(' ', keys.Select(key => "v1," + Convert.ToBase64String(HMACSHA256.HashData(key, message))));
    }
}
