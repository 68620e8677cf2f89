using System.Collections.Frozen;
using System.Reflection;
using Customers.Abstractions.Errors;
using Microsoft.Extensions.Options;
using BCryptNet = BCrypt.Net.BCrypt;
using HashType = BCrypt.Net.HashType;

namespace Customers.Grains.Auth;

/// <summary>
/// bcrypt in BCrypt.Net-Next's enhanced mode: the password is pre-hashed with SHA-384, so passwords longer than
/// bcrypt's 72 bytes are not silently truncated. Passwords are verified exactly as received (no trimming).
/// Hashes imported from Medusa (<see cref="ScryptKdfHash"/>) are verified too and always need a rehash, so the first
/// correct login replaces them with bcrypt.
/// </summary>
public sealed class PasswordHasher(IOptions<PasswordOptions> options)
{
    private static readonly Lazy<FrozenSet<string>> CommonPasswords = new(LoadCommonPasswords);

    // Verifying against this when an identity does not exist makes "unknown e-mail" cost what "wrong password" costs.
    private readonly Lazy<string> _dummyHash = new(() =>
        BCryptNet.EnhancedHashPassword(Guid.NewGuid().ToString("N"), HashType.SHA384, options.Value.WorkFactor));

    public string Hash(string password) =>
        BCryptNet.EnhancedHashPassword(password, HashType.SHA384, options.Value.WorkFactor);

    /// <summary>bcrypt, or an imported scrypt-kdf hash; an imported hash of neither kind never matches (a password
    /// reset replaces it).</summary>
    public bool Verify(string password, string hash)
    {
        if (ScryptKdfHash.IsScryptKdf(hash))
        {
            return ScryptKdfHash.Verify(password, hash);
        }

        if (!hash.StartsWith("$2", StringComparison.Ordinal))
        {
            VerifyDummy(password);
            return false;
        }

        return BCryptNet.EnhancedVerify(password, hash, HashType.SHA384);
    }

    /// <summary>Spends the time of one verification without any identity, so timing does not reveal existence.</summary>
    public void VerifyDummy(string password) => Verify(password, _dummyHash.Value);

    public bool NeedsRehash(string hash) =>
        ScryptKdfHash.IsScryptKdf(hash) || BCryptNet.PasswordNeedsRehash(hash, options.Value.WorkFactor);

    /// <summary>Throws InvalidData with a clear message when the password breaks the policy.</summary>
    public void EnsureAcceptable(string password)
    {
        var settings = options.Value;
        var length = new System.Globalization.StringInfo(password).LengthInTextElements;
        if (length < settings.MinLength || length > settings.MaxLength)
        {
            throw CustomersException.InvalidData(
                $"Password must be between {settings.MinLength} and {settings.MaxLength} characters long.");
        }

        if (settings.RejectCommon && CommonPasswords.Value.Contains(password.ToLowerInvariant()))
        {
            throw CustomersException.InvalidData(
                "This password is too common. Please choose a password that is harder to guess.");
        }
    }

    // zxcvbn-core ships the 30,000 most common passwords from real breaches.
    private static FrozenSet<string> LoadCommonPasswords()
    {
        var assembly = Assembly.Load("zxcvbn-core");
        using var stream = assembly.GetManifestResourceStream("zxcvbn-core.Dictionaries.passwords.lst")
            ?? throw new InvalidOperationException("zxcvbn-core no longer ships its password list.");
        using var reader = new StreamReader(stream);
        var passwords = new HashSet<string>(StringComparer.Ordinal);
        while (reader.ReadLine() is { } line)
        {
            if (line.Length > 0)
            {
                passwords.Add(line.Trim());
            }
        }

        return passwords.ToFrozenSet(StringComparer.Ordinal);
    }
}
