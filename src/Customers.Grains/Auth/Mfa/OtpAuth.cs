namespace Customers.Grains.Auth.Mfa;

/// <summary>
/// The <c>otpauth://totp/&lt;issuer&gt;:&lt;account&gt;?secret=…&amp;issuer=…</c> URL that authenticator apps scan. The
/// account is split on <c>:</c> and each piece percent-encoded as JavaScript's <c>encodeURIComponent</c> does, so
/// colons stay colons; digits and period appear only when they differ from the defaults every app assumes (6, 30).
/// </summary>
public static class OtpAuth
{
    public static string Url(string issuer, string account, string base32Secret, TotpOptions settings)
    {
        var label = string.Join(':', account.Split(':').Select(EncodeComponent));
        var url = $"otpauth://totp/{EncodeComponent(issuer)}:{label}?secret={base32Secret}&issuer={EncodeComponent(issuer)}";
        if (settings.Digits != 6)
        {
            url += $"&digits={settings.Digits}";
        }

        if (settings.Period != 30)
        {
            url += $"&period={settings.Period}";
        }

        return url;
    }

    /// <summary><c>encodeURIComponent</c>: RFC 3986 escaping that also leaves <c>! ' ( ) *</c> alone.</summary>
    public static string EncodeComponent(string text) =>
        Uri.EscapeDataString(text)
            .Replace("%21", "!", StringComparison.Ordinal)
            .Replace("%27", "'", StringComparison.Ordinal)
            .Replace("%28", "(", StringComparison.Ordinal)
            .Replace("%29", ")", StringComparison.Ordinal)
            .Replace("%2A", "*", StringComparison.Ordinal);
}
