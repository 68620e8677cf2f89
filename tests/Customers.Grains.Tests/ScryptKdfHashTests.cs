using Customers.Grains.Auth;
using Microsoft.Extensions.Options;
using Xunit;

namespace Customers.Grains.Tests;

/// <summary>Hashes made by the npm package scrypt-kdf (4.0.0) with parameters other than Medusa's defaults.</summary>
public sealed class ScryptKdfHashTests
{
    private const string Password = "correct horse ✓"; // non-ASCII: Node hashes the UTF-8 bytes

    // scrypt-kdf kdf(Password, { logN: 10, r: 8, p: 1 }) and kdf(Password, { logN: 4, r: 2, p: 3 }), base64.
    private const string LogN10 = "c2NyeXB0AAoAAAAIAAAAAT2OrRQigl3sCrkkFu/HUyhAxCLJm1DQtw1XvF5YlFOf19AGuomHQ4e6I7XUVqRUdBlGedNJ7VXV384/1h/Q43LrglZ72anXUh+1DZUVq1GM";
    private const string LogN4R2P3 = "c2NyeXB0AAQAAAACAAAAAzo65vPsjGytPodlipcpQ77stKGhdgSA7r9WrAk3GEYUG8SO1YkvjiHOLxXzxveX5yPJj7IhlNs+AGherbgkvVMpy4yBn9Jw3f6Dp9+Dgj6I";

    [Theory]
    [InlineData(LogN10)]
    [InlineData(LogN4R2P3)]
    public void The_right_password_matches_and_others_do_not(string hash)
    {
        Assert.True(ScryptKdfHash.IsScryptKdf(hash));
        Assert.True(ScryptKdfHash.Verify(Password, hash));
        Assert.False(ScryptKdfHash.Verify("correct horse ?", hash));
        Assert.False(ScryptKdfHash.Verify("", hash));
    }

    [Fact]
    public void A_changed_byte_anywhere_fails_the_check()
    {
        var bytes = Convert.FromBase64String(LogN10);
        foreach (var position in new[] { 20, 50, 70, 95 }) // salt, checksum, MAC
        {
            var tampered = (byte[])bytes.Clone();
            tampered[position] ^= 1;
            Assert.False(ScryptKdfHash.Verify(Password, Convert.ToBase64String(tampered)), $"byte {position}");
        }
    }

    [Theory]
    [InlineData("")]
    [InlineData("not base64 at all")]
    [InlineData("$2a$11$abcdefghijklmnopqrstuu5sBNCi1S4J8yFkT4yL2bOeMc4B2gXcu")] // bcrypt
    [InlineData("c2NyeXB0AAoAAAAIAAAAAT2OrRQigl3s")] // truncated
    public void Other_text_is_not_taken_for_a_scrypt_kdf_hash(string text)
    {
        Assert.False(ScryptKdfHash.IsScryptKdf(text));
        Assert.False(ScryptKdfHash.Verify(Password, text));
    }

    [Fact]
    public void Parameters_beyond_the_bounds_are_refused_before_any_work()
    {
        // log2 N = 31 would ask for 256 GiB; the header checksum is made valid so only the bound refuses it.
        var bytes = Convert.FromBase64String(LogN10);
        bytes[7] = 31;
        System.Security.Cryptography.SHA256.HashData(bytes.AsSpan(0, 48)).AsSpan(0, 16).CopyTo(bytes.AsSpan(48));
        Assert.False(ScryptKdfHash.IsScryptKdf(Convert.ToBase64String(bytes)));
    }

    [Fact]
    public async Task The_password_hasher_verifies_them_and_asks_for_a_bcrypt_rehash()
    {
        var hasher = new PasswordHasher(Options.Create(new PasswordOptions { WorkFactor = 4 }));
        Assert.True(await hasher.VerifyAsync(Password, LogN4R2P3));
        Assert.False(await hasher.VerifyAsync("wrong password", LogN4R2P3));
        Assert.True(hasher.NeedsRehash(LogN4R2P3));

        var bcrypt = await hasher.HashAsync(Password);
        Assert.True(await hasher.VerifyAsync(Password, bcrypt));
        Assert.False(hasher.NeedsRehash(bcrypt));
        Assert.False(await hasher.VerifyAsync(Password, "an imported hash of another kind"));
    }
}
