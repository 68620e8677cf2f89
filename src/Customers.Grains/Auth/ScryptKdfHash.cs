using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;
using NSec.Cryptography;

namespace Customers.Grains.Auth;

/// <summary>
/// Password hashes in the format of the npm package <c>scrypt-kdf</c>, which Medusa's emailpass provider stores (base64)
/// and the Medusa importer copies unchanged. Layout of the 96 bytes: <c>"scrypt"</c>, version 0, log2(N) (one byte),
/// r and p (big-endian 32-bit), a 32-byte salt, the first 16 bytes of SHA-256 over the 48 bytes before it (a format
/// check), and HMAC-SHA256 over the 64 bytes before it keyed with the second half of scrypt(password, salt, N, r, p, 64).
/// Only verified: a correct login rehashes the password to bcrypt (<see cref="PasswordHasher.NeedsRehash"/>).
/// </summary>
public static class ScryptKdfHash
{
    private const int Length = 96;
    private const int HeaderLength = 48;
    private const int SaltOffset = 16;
    private const int SaltLength = 32;
    private const int ChecksumLength = 16;
    private const int SignedLength = HeaderLength + ChecksumLength;
    private const int DerivedLength = 64;

    // Bounds on what a stored hash may ask of a login: at most 2^20 * 128 * r bytes (1 GiB at r = 8), so an odd
    // imported row cannot make one login take the machine down. Medusa's default is log2(N) 15, r 8, p 1.
    private const int MaxLogN = 20;
    private const int MaxBlockSize = 32;
    private const int MaxParallelization = 16;
    private const long MaxMemoryBytes = 1L << 30;

    private static ReadOnlySpan<byte> Magic => "scrypt"u8;

    /// <summary>Whether the text is a scrypt-kdf hash this class can verify.</summary>
    public static bool IsScryptKdf(string encoded) => Decode(encoded) is not null;

    /// <summary>Checks <paramref name="password"/> (as UTF-8, like Node's default) against the hash in constant time.</summary>
    public static bool Verify(string password, string encoded)
    {
        var bytes = Decode(encoded);
        if (bytes is null)
        {
            return false;
        }

        var logN = bytes[7];
        var blockSize = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(8));
        var parallelization = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(12));
        var scrypt = PasswordBasedKeyDerivationAlgorithm.Scrypt(new ScryptParameters
        {
            Cost = 1L << logN,
            BlockSize = blockSize,
            Parallelization = parallelization,
        });
        var derived = new byte[DerivedLength];
        try
        {
            scrypt.DeriveBytes(Encoding.UTF8.GetBytes(password), bytes.AsSpan(SaltOffset, SaltLength), derived);
            Span<byte> mac = stackalloc byte[HMACSHA256.HashSizeInBytes];
            HMACSHA256.HashData(derived.AsSpan(DerivedLength / 2), bytes.AsSpan(0, SignedLength), mac);
            return CryptographicOperations.FixedTimeEquals(mac, bytes.AsSpan(SignedLength));
        }
        finally
        {
            CryptographicOperations.ZeroMemory(derived);
        }
    }

    private static byte[]? Decode(string encoded)
    {
        var bytes = new byte[Length];
        if (!Convert.TryFromBase64String(encoded, bytes, out var written) || written != Length
            || !bytes.AsSpan(0, Magic.Length).SequenceEqual(Magic) || bytes[6] != 0)
        {
            return null;
        }

        var logN = bytes[7];
        var blockSize = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(8));
        var parallelization = BinaryPrimitives.ReadInt32BigEndian(bytes.AsSpan(12));
        if (logN is < 1 or > MaxLogN || blockSize is < 1 or > MaxBlockSize || parallelization is < 1 or > MaxParallelization
            || 128L * blockSize * (1L << logN) > MaxMemoryBytes)
        {
            return null;
        }

        Span<byte> checksum = stackalloc byte[SHA256.HashSizeInBytes];
        SHA256.HashData(bytes.AsSpan(0, HeaderLength), checksum);
        return checksum[..ChecksumLength].SequenceEqual(bytes.AsSpan(HeaderLength, ChecksumLength)) ? bytes : null;
    }
}
