using System.Text;

namespace Customers.Host.Auth;

/// <summary>
/// Reads a secret API key from <c>Authorization</c> the way Medusa does (docs/medusa-compatibility.md §2.15):
/// <c>Basic</c> (any letter case) followed by either the key itself or the base64 of it, each with or without the
/// trailing <c>:</c> of an empty Basic password. The JS SDK sends <c>Basic base64("sk_…:")</c>.
/// </summary>
internal static class SecretKeyCredentials
{
    private const string SecretPrefix = "sk_";

    /// <summary>The <c>sk_…</c> token of a Basic header, or null when the header holds none.</summary>
    public static string? FromAuthorization(string? header)
    {
        if (!TrySplit(header, out var scheme, out var credentials) || !scheme.Equals("Basic", StringComparison.OrdinalIgnoreCase))
        {
            return null;
        }

        var token = credentials;
        if (!token.StartsWith(SecretPrefix, StringComparison.Ordinal))
        {
            var bytes = new byte[credentials.Length];
            if (!Convert.TryFromBase64String(credentials, bytes, out var written))
            {
                return null;
            }

            try
            {
                token = new UTF8Encoding(false, throwOnInvalidBytes: true).GetString(bytes, 0, written);
            }
            catch (DecoderFallbackException)
            {
                return null;
            }
        }

        if (token.EndsWith(':'))
        {
            token = token[..^1];
        }

        return token.StartsWith(SecretPrefix, StringComparison.Ordinal) ? token : null;
    }

    /// <summary>True for <c>Authorization: Bearer sk_…</c>: a secret key sent the wrong way, which Medusa answers with a hint.</summary>
    public static bool IsSentAsBearer(string? header) =>
        TrySplit(header, out var scheme, out var credentials)
        && scheme.Equals("Bearer", StringComparison.OrdinalIgnoreCase)
        && credentials.StartsWith(SecretPrefix, StringComparison.Ordinal);

    private static bool TrySplit(string? header, out string scheme, out string credentials)
    {
        scheme = credentials = "";
        var space = header?.IndexOf(' ') ?? -1;
        if (space <= 0)
        {
            return false;
        }

        scheme = header![..space];
        credentials = header[(space + 1)..].Trim();
        return credentials.Length > 0;
    }
}
