using System.Collections.Immutable;

namespace Customers.Abstractions.Auth;

/// <summary>A second factor's lifecycle: enrolled (<c>pending</c>), confirmed with a first code (<c>enabled</c>), <c>disabled</c>.</summary>
public enum MfaFactorStatus
{
    /// <summary>Enrolled, not yet confirmed with a code; logins ignore it.</summary>
    Pending = 0,

    /// <summary>Confirmed: logins answer a challenge.</summary>
    Enabled = 1,

    /// <summary>Turned off; its secret is gone.</summary>
    Disabled = 2,
}

/// <summary>A second factor of an identity (<c>authmfa_…</c>). Its secret is never part of a snapshot.</summary>
/// <remarks><c>MetadataJson</c>: The factor's metadata as a JSON object (the enrolment's <c>label</c> included).</remarks>
[GenerateSerializer]
[Alias("customers.mfa-factor-snapshot")]
[Immutable]
public sealed record MfaFactorSnapshot(
    string Id,
    string AuthIdentityId,
    string Provider,
    MfaFactorStatus Status,
    string MetadataJson,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>Starts a TOTP enrolment. See <see cref="IAuthIdentityGrain.StartMfaEnrolmentAsync"/>.</summary>
/// <remarks><c>Provider</c>: The factor provider; only <c>totp</c> exists.</remarks>
/// <remarks><c>Label</c>: The account name shown by authenticator apps; the identity id when null.</remarks>
/// <remarks><c>Issuer</c>: The issuer for this factor's URL; the configured one when null.</remarks>
/// <remarks><c>MetadataJson</c>: A JSON object stored on the factor, or null.</remarks>
[GenerateSerializer]
[Alias("customers.start-mfa-enrolment")]
[Immutable]
public sealed record StartMfaEnrolment(string Provider, string? Label, string? Issuer, string? MetadataJson);

/// <summary>A new pending factor and its secret: the only time the secret leaves the identity.</summary>
/// <remarks><c>Secret</c>: The TOTP secret, Base32 (upper case, unpadded).</remarks>
/// <remarks><c>OtpAuthUrl</c>: The <c>otpauth://totp/…</c> URL an authenticator app scans.</remarks>
[GenerateSerializer]
[Alias("customers.mfa-enrolment")]
[Immutable]
public sealed record MfaEnrolment(MfaFactorSnapshot Factor, string Secret, string OtpAuthUrl);

/// <summary>
/// A factor change made by a signed-in caller. <paramref name="KeptCredential"/> names the caller's token or session
/// (a fingerprint of its claims): when the change revokes the identity's tokens, that one keeps working.
/// </summary>
/// <remarks><c>Method</c>: For disabling under the <c>challenge</c> policy: <c>totp</c> or <c>recovery_code</c>.</remarks>
/// <remarks><c>Code</c>: The TOTP code (confirming, or disabling under the <c>challenge</c> policy) or a recovery code.</remarks>
[GenerateSerializer]
[Alias("customers.change-mfa-factor")]
[Immutable]
public sealed record ChangeMfaFactor(string FactorId, string? Method, string? Code, string? KeptCredential);

/// <summary>A login challenge: the second step of signing in to an identity with an enabled factor (<c>authmfachal_…</c>).</summary>
/// <remarks><c>Methods</c>: How it may be answered: <c>totp</c>, then <c>recovery_code</c> while unused codes exist.</remarks>
[GenerateSerializer]
[Alias("customers.mfa-challenge-snapshot")]
[Immutable]
public sealed record MfaChallengeSnapshot(
    string Id,
    string AuthIdentityId,
    string AuthProvider,
    ImmutableArray<string> Methods,
    DateTimeOffset ExpiresAt,
    int Attempts,
    int MaxAttempts,
    DateTimeOffset? CompletedAt);

/// <summary>An answer to a login challenge. See <see cref="IAuthIdentityGrain.AnswerMfaChallengeAsync"/>.</summary>
[GenerateSerializer]
[Alias("customers.answer-mfa-challenge")]
[Immutable]
public sealed record AnswerMfaChallenge(string ChallengeId, string Method, string Code);

/// <summary>A completed challenge and the identity it signed in (for the MFA-complete token).</summary>
[GenerateSerializer]
[Alias("customers.mfa-challenge-completion")]
[Immutable]
public sealed record MfaChallengeCompletion(MfaChallengeSnapshot Challenge, IdentitySnapshot Identity);

/// <summary>A second-factor event for shops to notify the person (<c>auth.mfa_enabled</c>, <c>auth.mfa_disabled</c>).</summary>
/// <remarks><c>Changed</c>: The factor after the change.</remarks>
/// <remarks><c>StatusChanged</c>: Whether its status moved (no event when enabling an enabled or disabling a disabled one).</remarks>
/// <remarks><c>Identity</c>: The identity after the change: its <see cref="IdentitySnapshot.TokensValidAfter"/> is the revocation.</remarks>
[GenerateSerializer]
[Alias("customers.mfa-factor-change")]
[Immutable]
public sealed record MfaFactorChange(MfaFactorSnapshot Changed, bool StatusChanged, IdentitySnapshot Identity);
