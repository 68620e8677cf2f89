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
/// <para>
/// Hashes run a few at a time (<see cref="PasswordOptions.MaxConcurrentHashes"/>, one per processor by default) and
/// the rest wait their turn in arrival order. A burst of logins or sign-ups then completes one hash per hash-time per
/// core instead of time-slicing dozens of half-done hashes (which all finish late, and whose work is lost when their
/// clients give up); thread-pool threads stay free for every other request; and an Orleans turn never runs longer
/// than one hash.
/// </para>
/// </summary>
public sealed class PasswordHasher(IOptions<PasswordOptions> options)
{
    private static readonly Lazy<FrozenSet<string>> CommonPasswords = new(LoadCommonPasswords);

    private readonly SemaphoreSlim _turns = new(
        options.Value.MaxConcurrentHashes > 0 ? options.Value.MaxConcurrentHashes : Environment.ProcessorCount);

    // Verifying against this when an identity does not exist makes "unknown e-mail" cost what "wrong password" costs.
    private readonly Lazy<string> _dummyHash = new(() =>
        BCryptNet.EnhancedHashPassword(Guid.NewGuid().ToString("N"), HashType.SHA384, options.Value.WorkFactor));

    public Task<string> HashAsync(string password) =>
        InTurnAsync(() => BCryptNet.EnhancedHashPassword(password, HashType.SHA384, options.Value.WorkFactor));

    /// <summary>bcrypt, or an imported scrypt-kdf hash; an imported hash of neither kind never matches (a password
    /// reset replaces it).</summary>
    public Task<bool> VerifyAsync(string password, string hash) => InTurnAsync(() => Verify(password, hash));

    /// <summary>Spends the time of one verification without any identity, so timing does not reveal existence.</summary>
    public Task VerifyDummyAsync(string password) => InTurnAsync(() => Verify(password, _dummyHash.Value));

    internal async Task<T> InTurnAsync<T>(Func<T> hashing)
    {
        await _turns.WaitAsync();
        try
        {
            return hashing();
        }
        finally
        {
            _turns.Release();
        }
    }

    private bool Verify(string password, string hash)
    {
        if (ScryptKdfHash.IsScryptKdf(hash))
        {
            return ScryptKdfHash.Verify(password, hash);
        }

        if (!hash.StartsWith("$2", StringComparison.Ordinal))
        {
            Verify(password, _dummyHash.Value);
            return false;
        }

        return BCryptNet.EnhancedVerify(password, hash, HashType.SHA384);
    }

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
