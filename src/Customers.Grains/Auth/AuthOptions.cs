using System.ComponentModel.DataAnnotations;

namespace Customers.Grains.Auth;

/// <summary>Password hashing and policy (security baseline: bcrypt, factor 11, 8 to 128 characters).</summary>
public sealed class PasswordOptions
{
    public const string Section = "Customers:Passwords";

    /// <summary>bcrypt work factor. Never below 10 outside tests; hashes below it are upgraded on login.</summary>
    [Range(4, 16)]
    public int WorkFactor { get; set; } = 11;

    [Range(8, 128)]
    public int MinLength { get; set; } = 8;

    [Range(8, 1024)]
    public int MaxLength { get; set; } = 128;

    /// <summary>Refuse passwords found in the bundled common-password list.</summary>
    public bool RejectCommon { get; set; } = true;

    /// <summary>How many bcrypt hashes or verifications run at once in this process; the rest wait their turn in
    /// arrival order. 0 (the default) means one per processor.</summary>
    [Range(0, 1024)]
    public int MaxConcurrentHashes { get; set; }
}

/// <summary>Per-account lockout, persisted with the identity so it holds cluster-wide.</summary>
public sealed class LockoutOptions
{
    public const string Section = "Customers:Lockout";

    /// <summary>Consecutive failures before the account locks.</summary>
    [Range(1, 1000)]
    public int MaxFailures { get; set; } = 10;

    /// <summary>First lock duration; it doubles with every further failure.</summary>
    public TimeSpan FirstLock { get; set; } = TimeSpan.FromSeconds(60);

    public TimeSpan MaxLock { get; set; } = TimeSpan.FromMinutes(15);
}
