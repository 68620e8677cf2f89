using System.ComponentModel.DataAnnotations;

namespace Customers.Grains.Auth;

/// <summary>Multi-factor authentication (TOTP and recovery codes). Defaults are Medusa 2.21's.</summary>
public sealed class MfaOptions
{
    public const string Section = "Customers:Mfa";

    /// <summary>
    /// Encrypts TOTP secrets at rest. Unset: generated and kept beside the data for a local setup (Development or the
    /// embedded database); elsewhere every MFA operation answers 400 until one is set, and a host refuses to start
    /// without it once any identity has a factor.
    /// </summary>
    public string? EncryptionKey { get; set; }

    /// <summary>Keys used before <see cref="EncryptionKey"/>; secrets sealed with them still open (key rotation).</summary>
    public List<string> PreviousEncryptionKeys { get; set; } = [];

    public TotpOptions Totp { get; set; } = new();

    /// <summary>Recovery codes made when the request names no count.</summary>
    [Range(1, 50)]
    public int RecoveryCodeCount { get; set; } = 10;

    /// <summary>Lifetime of a login challenge.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "1.00:00:00")]
    public TimeSpan ChallengeTtl { get; set; } = TimeSpan.FromMinutes(5);

    /// <summary>Wrong codes a challenge tolerates; the one that reaches the limit locks it.</summary>
    [Range(1, 100)]
    public int ChallengeMaxAttempts { get; set; } = 5;

    /// <summary><c>Session</c>: an MFA-complete login may disable a factor. <c>Challenge</c>: it also needs a current code.</summary>
    public MfaDisablePolicy DisablePolicy { get; set; } = MfaDisablePolicy.Session;
}

/// <summary>RFC 6238 parameters. Authenticator apps assume 6 / 30 / 1: change them only if every client copes.</summary>
public sealed class TotpOptions
{
    /// <summary>Issuer in the <c>otpauth://</c> URL when the enrolment names none.</summary>
    [Required]
    [MinLength(1)]
    public string Issuer { get; set; } = "Medusa";

    [Range(6, 8)]
    public int Digits { get; set; } = 6;

    [Range(1, 300)]
    public int Period { get; set; } = 30;

    /// <summary>Time steps accepted on either side of the current one.</summary>
    [Range(0, 10)]
    public int Window { get; set; } = 1;
}

public enum MfaDisablePolicy
{
    Session = 0,
    Challenge = 1,
}
