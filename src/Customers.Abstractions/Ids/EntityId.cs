using System.Security.Cryptography;

namespace Customers.Abstractions.Ids;

/// <summary>
/// Medusa-style identifiers: <c>&lt;prefix&gt;_&lt;ULID&gt;</c>, a 26-character Crockford base32 ULID that sorts by
/// creation millisecond (so "order by id" is creation order, which Medusa clients rely on).
/// </summary>
public static class EntityId
{
    /// <summary>Prefix of customer ids.</summary>
    public const string Customer = "cus";

    /// <summary>Prefix of customer address ids.</summary>
    public const string Address = "cuaddr";

    /// <summary>Prefix of customer group ids.</summary>
    public const string CustomerGroup = "cusgroup";

    /// <summary>Prefix of customer group membership rows (<c>customer_group_customer</c>).</summary>
    public const string CustomerGroupCustomer = "cusgc";

    /// <summary>Prefix of auth identity ids.</summary>
    public const string AuthIdentity = "authid";

    /// <summary>Prefix of second-factor ids.</summary>
    public const string MfaFactor = "authmfa";

    /// <summary>Prefix of login challenge ids.</summary>
    public const string MfaChallenge = "authmfachal";

    /// <summary>Prefix of e-mail verification ids.</summary>
    public const string Verification = "authver";

    /// <summary>Prefix of admin user ids.</summary>
    public const string User = "user";

    /// <summary>Prefix of API key ids.</summary>
    public const string ApiKey = "apk";

    private const string Alphabet = "0123456789ABCDEFGHJKMNPQRSTVWXYZ";

    /// <summary>A new id with the given prefix, e.g. <c>cus_01M8BQ95350PBTCTFNG06Z6FD0</c>.</summary>
    public static string New(string prefix, DateTimeOffset now) => prefix + "_" + NewUlid(now);

    /// <summary>A bare ULID (provider identities have no prefix).</summary>
    public static string NewUlid(DateTimeOffset now)
    {
        Span<char> chars = stackalloc char[26];
        var time = (ulong)now.ToUnixTimeMilliseconds();
        for (var i = 9; i >= 0; i--)
        {
            chars[i] = Alphabet[(int)(time & 31)];
            time >>= 5;
        }

        Span<byte> random = stackalloc byte[10];
        RandomNumberGenerator.Fill(random);
        // 80 random bits as 16 base32 characters, 5 bits each.
        var bitBuffer = 0;
        var bitCount = 0;
        var index = 10;
        foreach (var b in random)
        {
            bitBuffer = (bitBuffer << 8) | b;
            bitCount += 8;
            while (bitCount >= 5)
            {
                bitCount -= 5;
                chars[index++] = Alphabet[(bitBuffer >> bitCount) & 31];
            }
        }

        return new string(chars);
    }
}
