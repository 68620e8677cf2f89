using System.Text;
using Customers.Abstractions.Errors;
using Customers.Grains.Auth;
using Customers.Grains.Auth.Mfa;
using Xunit;

namespace Customers.Grains.Tests;

/// <summary>RFC 6238 (appendix B, SHA-1 seed), RFC 4648 Base32, the <c>otpauth://</c> URL and the sealing of secrets.</summary>
public sealed class TotpTests
{
    // RFC 6238 appendix B: the SHA-1 seed is the ASCII string "12345678901234567890".
    private static readonly byte[] RfcSeed = Encoding.ASCII.GetBytes("12345678901234567890");

    [Theory]
    [InlineData(59L, "94287082")]
    [InlineData(1111111109L, "07081804")]
    [InlineData(1111111111L, "14050471")]
    [InlineData(1234567890L, "89005924")]
    [InlineData(2000000000L, "69279037")]
    [InlineData(20000000000L, "65353130")]
    public void Eight_digit_codes_match_the_RFC_6238_vectors(long unixSeconds, string expected)
    {
        var step = Totp.StepAt(DateTimeOffset.FromUnixTimeSeconds(unixSeconds), 30);

        Assert.Equal(expected, Totp.Code(RfcSeed, step, 8));
    }

    [Theory]
    [InlineData(59L, "287082")]
    [InlineData(1111111109L, "081804")]
    [InlineData(1234567890L, "005924")]
    [InlineData(2000000000L, "279037")]
    public void Six_digit_codes_are_the_last_six_digits(long unixSeconds, string expected)
    {
        Assert.Equal(expected, Totp.Code(RfcSeed, Totp.StepAt(DateTimeOffset.FromUnixTimeSeconds(unixSeconds), 30), 6));
    }

    [Fact]
    public void Match_accepts_one_step_either_side_and_nothing_further()
    {
        const long now = 1000;
        string At(long step) => Totp.Code(RfcSeed, step, 6);

        Assert.Equal(999, Totp.Match(RfcSeed, At(999), now, 6, 1, null));
        Assert.Equal(1000, Totp.Match(RfcSeed, At(1000), now, 6, 1, null));
        Assert.Equal(1001, Totp.Match(RfcSeed, At(1001), now, 6, 1, null));
        Assert.Null(Totp.Match(RfcSeed, At(998), now, 6, 1, null));
        Assert.Null(Totp.Match(RfcSeed, At(1002), now, 6, 1, null));
    }

    [Fact]
    public void Match_refuses_the_last_accepted_step_and_earlier_ones()
    {
        const long now = 1000;

        Assert.Null(Totp.Match(RfcSeed, Totp.Code(RfcSeed, 1000, 6), now, 6, 1, lastAccepted: 1000));
        Assert.Null(Totp.Match(RfcSeed, Totp.Code(RfcSeed, 999, 6), now, 6, 1, lastAccepted: 1000));
        Assert.Equal(1001, Totp.Match(RfcSeed, Totp.Code(RfcSeed, 1001, 6), now, 6, 1, lastAccepted: 1000));
    }

    [Theory]
    [InlineData("12345")]
    [InlineData("1234567")]
    [InlineData("12 456")]
    [InlineData("abcdef")]
    [InlineData("１２３４５６")]
    public void Anything_but_six_ascii_digits_is_a_wrong_code(string code)
    {
        Assert.Null(Totp.Match(RfcSeed, code, 1000, 6, 1, null));
    }

    [Fact]
    public void Base32_round_trips_unpadded_upper_case_and_reads_leniently()
    {
        Assert.Equal("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ", Base32.Encode(RfcSeed));
        Assert.Equal(RfcSeed, Base32.Decode("gezd gnbv gy3t qojq gezd gnbv gy3t qojq=="));
        Assert.Equal("MZXW6", Base32.Encode("foo"u8));
        Assert.Null(Base32.Decode("GEZ1"));
    }

    [Fact]
    public void Otpauth_url_encodes_each_label_piece_and_leaves_default_parameters_out()
    {
        var url = OtpAuth.Url("My Shop", "Shop: a@b", "ABC", new TotpOptions());

        Assert.Equal("otpauth://totp/My%20Shop:Shop:%20a%40b?secret=ABC&issuer=My%20Shop", url);
        Assert.EndsWith("&digits=8&period=60", OtpAuth.Url("i", "a", "ABC", new TotpOptions { Digits = 8, Period = 60 }));
    }

    [Fact]
    public void Sealed_secrets_open_only_with_a_configured_key_for_the_same_identity()
    {
        var old = new MfaSecretProtector("old key");
        var sealedSecret = old.Seal(RfcSeed, "authid_1");
        var rotated = new MfaSecretProtector("new key", ["old key"]);

        Assert.DoesNotContain(Convert.ToBase64String(RfcSeed), sealedSecret, StringComparison.Ordinal);
        Assert.Equal(RfcSeed, rotated.Open(sealedSecret, "authid_1", out var current));
        Assert.False(current);
        Assert.True(rotated.Open(rotated.Seal(RfcSeed, "authid_1"), "authid_1", out current) is { Length: 20 } && current);
        Assert.Equal(ErrorKind.InvalidData, Assert.Throws<CustomersException>(() => new MfaSecretProtector("new key").Open(sealedSecret, "authid_1", out _)).Kind);
        Assert.ThrowsAny<System.Security.Cryptography.CryptographicException>(() => old.Open(sealedSecret, "authid_2", out _));
        Assert.Equal(MfaSecretProtector.KeyRequiredMessage,
            Assert.Throws<CustomersException>(() => new MfaSecretProtector(null).Seal(RfcSeed, "authid_1")).Message);
    }
}
