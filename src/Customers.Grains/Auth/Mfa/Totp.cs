using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Customers.Grains.Auth.Mfa;

/// <summary>
/// Time-based one-time passwords (RFC 6238 over RFC 4226 HOTP) with the parameters authenticator apps assume:
/// HMAC-SHA-1, T0 = 0, a period in seconds, dynamic truncation, a fixed number of decimal digits.
/// </summary>
public static class Totp
{
    /// <summary>The time step of <paramref name="at"/>: <c>floor(unix seconds / period)</c>.</summary>
    public static long StepAt(DateTimeOffset at, int period) => Math.DivRem(at.ToUnixTimeSeconds(), period, out var rest) - (rest < 0 ? 1 : 0);

    /// <summary>The code of <paramref name="step"/>, left-padded with zeros to <paramref name="digits"/> digits.</summary>
    public static string Code(ReadOnlySpan<byte> secret, long step, int digits)
    {
        Span<byte> counter = stackalloc byte[8];
        BinaryPrimitives.WriteInt64BigEndian(counter, step);
        Span<byte> mac = stackalloc byte[HMACSHA1.HashSizeInBytes];
        HMACSHA1.HashData(secret, counter, mac);
        var offset = mac[^1] & 0x0f;
        var binary = ((mac[offset] & 0x7f) << 24) | (mac[offset + 1] << 16) | (mac[offset + 2] << 8) | mac[offset + 3];
        var modulus = (int)Math.Pow(10, digits);
        return (binary % modulus).ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(digits, '0');
    }

    /// <summary>
    /// The step whose code <paramref name="code"/> is, searched from <paramref name="window"/> steps before the current
    /// one to as many after, skipping steps at or before <paramref name="lastAccepted"/> (no replay, RFC 6238 §5.2).
    /// Null when none matches. Anything but exactly <paramref name="digits"/> ASCII digits never matches. Every
    /// candidate is compared in constant time.
    /// </summary>
    public static long? Match(ReadOnlySpan<byte> secret, string code, long currentStep, int digits, int window, long? lastAccepted)
    {
        if (code.Length != digits || !code.All(char.IsAsciiDigit))
        {
            return null;
        }

        var presented = Encoding.ASCII.GetBytes(code);
        long? matched = null;
        for (var step = currentStep - window; step <= currentStep + window; step++)
        {
            var expected = Encoding.ASCII.GetBytes(Code(secret, step, digits));
            if (CryptographicOperations.FixedTimeEquals(presented, expected) && step > (lastAccepted ?? long.MinValue))
            {
                matched ??= step;
            }
        }

        return matched;
    }
}
