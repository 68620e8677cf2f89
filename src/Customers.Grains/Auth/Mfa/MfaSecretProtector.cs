using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Customers.Abstractions.Errors;

namespace Customers.Grains.Auth.Mfa;

/// <summary>
/// Encrypts TOTP secrets at rest with AES-256-GCM under <c>Customers:Mfa:EncryptionKey</c> (the AES key is the SHA-256
/// of the configured text). A sealed secret reads <c>v1.&lt;key id&gt;.&lt;nonce&gt;.&lt;tag&gt;.&lt;ciphertext&gt;</c>
/// (base64url); the key id names the key it was sealed with, so after a rotation secrets sealed with a previous key
/// (<c>Customers:Mfa:PreviousEncryptionKeys</c>) still open and are sealed again with the current one on their next use.
/// The identity id is bound in as associated data: a sealed secret copied to another identity does not open.
/// </summary>
public sealed class MfaSecretProtector
{
    public const string KeyRequiredMessage = "MFA encryption key is required to use MFA methods";

    private const string Version = "v1";
    private const int NonceBytes = 12;
    private const int TagBytes = 16;

    private readonly Key? _current;
    private readonly Key[] _all;

    /// <param name="currentKey">The key new secrets are sealed with; null when none is configured (MFA unusable).</param>
    /// <param name="previousKeys">Earlier keys that may still have sealed secrets.</param>
    public MfaSecretProtector(string? currentKey, IEnumerable<string>? previousKeys = null)
    {
        _current = string.IsNullOrEmpty(currentKey) ? null : new Key(currentKey);
        _all = [.. (_current is null ? [] : new[] { _current }), .. (previousKeys ?? []).Where(k => k.Length > 0).Select(k => new Key(k))];
    }

    public bool HasKey => _current is not null;

    /// <summary>Seals <paramref name="secret"/> for <paramref name="identityId"/> with the current key.</summary>
    public string Seal(ReadOnlySpan<byte> secret, string identityId)
    {
        var key = _current ?? throw CustomersException.InvalidData(KeyRequiredMessage);
        var nonce = RandomNumberGenerator.GetBytes(NonceBytes);
        var ciphertext = new byte[secret.Length];
        var tag = new byte[TagBytes];
        using (var aes = new AesGcm(key.Bytes, TagBytes))
        {
            aes.Encrypt(nonce, secret, ciphertext, tag, Encoding.UTF8.GetBytes(identityId));
        }

        return string.Join('.', Version, key.Id, Base64Url.EncodeToString(nonce), Base64Url.EncodeToString(tag), Base64Url.EncodeToString(ciphertext));
    }

    /// <summary>
    /// Opens a sealed secret. <paramref name="sealedWithCurrentKey"/> is false when a previous key was needed (the caller
    /// should seal it again). Fails with InvalidData when no configured key opens it.
    /// </summary>
    public byte[] Open(string sealedSecret, string identityId, out bool sealedWithCurrentKey)
    {
        if (_current is null)
        {
            throw CustomersException.InvalidData(KeyRequiredMessage);
        }

        var parts = sealedSecret.Split('.');
        var key = parts.Length == 5 && parts[0] == Version ? _all.FirstOrDefault(k => k.Id == parts[1]) : null;
        if (key is null)
        {
            throw CustomersException.InvalidData("The MFA secret was sealed with an encryption key that is not configured.");
        }

        var nonce = Base64Url.DecodeFromChars(parts[2]);
        var tag = Base64Url.DecodeFromChars(parts[3]);
        var ciphertext = Base64Url.DecodeFromChars(parts[4]);
        var secret = new byte[ciphertext.Length];
        using (var aes = new AesGcm(key.Bytes, TagBytes))
        {
            aes.Decrypt(nonce, ciphertext, tag, secret, Encoding.UTF8.GetBytes(identityId));
        }

        sealedWithCurrentKey = ReferenceEquals(key, _current);
        return secret;
    }

    private sealed class Key
    {
        public Key(string configured)
        {
            Bytes = SHA256.HashData(Encoding.UTF8.GetBytes(configured));
            // Names the key without revealing it: a hash of the AES key, not the AES key.
            Id = Convert.ToHexStringLower(SHA256.HashData(Bytes))[..8];
        }

        public byte[] Bytes { get; }

        public string Id { get; }
    }
}
