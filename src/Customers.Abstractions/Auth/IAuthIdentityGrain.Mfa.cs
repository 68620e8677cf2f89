using System.Collections.Immutable;

namespace Customers.Abstractions.Auth;

/// <summary>Second factors (TOTP and recovery codes), login challenges and e-mail verification.</summary>
public partial interface IAuthIdentityGrain
{
    /// <summary>This identity's factors, disabled ones included, oldest first.</summary>
    [Alias("list-mfa-factors")]
    Task<ImmutableArray<MfaFactorSnapshot>> ListMfaFactorsAsync();

    /// <summary>
    /// Enrols a pending TOTP factor with a new 160-bit secret, sealed at rest. Fails with NotAllowed when a pending or
    /// enabled one exists, InvalidData for another provider or when no encryption key is configured.
    /// </summary>
    [Alias("start-mfa-enrolment")]
    Task<MfaEnrolment> StartMfaEnrolmentAsync(StartMfaEnrolment command);

    /// <summary>
    /// Confirms a factor with a current TOTP code: pending turns enabled, every token of the identity but the kept
    /// credential is revoked. A wrong code (NotAllowed <c>Invalid TOTP code</c>) counts toward the account lockout.
    /// </summary>
    [Alias("confirm-mfa-factor")]
    Task<MfaFactorChange> ConfirmMfaFactorAsync(ChangeMfaFactor command);

    /// <summary>
    /// Disables a factor (under the <c>challenge</c> policy an enabled one needs a code), drops its secret, and once no
    /// factor is enabled the recovery codes too; revokes every token of the identity but the kept credential.
    /// </summary>
    [Alias("disable-mfa-factor")]
    Task<MfaFactorChange> DisableMfaFactorAsync(ChangeMfaFactor command);

    /// <summary>Replaces the recovery codes with <paramref name="count"/> new ones, returned once; needs an enabled factor.</summary>
    [Alias("generate-recovery-codes")]
    Task<ImmutableArray<string>> GenerateRecoveryCodesAsync(int count);

    /// <summary>
    /// Opens a login challenge for a sign-in through <paramref name="authProvider"/> whose first factor succeeded. Null
    /// when the identity has no enabled factor (the sign-in is complete: the lockout count is reset).
    /// </summary>
    [Alias("open-mfa-challenge")]
    Task<MfaChallengeSnapshot?> OpenMfaChallengeAsync(string authProvider);

    /// <summary>
    /// Answers a challenge of this identity, with the checks in Medusa's order. A wrong code counts toward the
    /// challenge's limit and the account lockout; success resets the lockout count.
    /// </summary>
    [Alias("answer-mfa-challenge")]
    Task<MfaChallengeCompletion> AnswerMfaChallengeAsync(AnswerMfaChallenge command);

    /// <summary>
    /// Makes a new verification code for one of this identity's own e-mail addresses (InvalidData otherwise), replacing
    /// any earlier one; nothing when already verified. TooManyAttempts when the last code is too recent.
    /// </summary>
    [Alias("request-verification")]
    Task<VerificationTicket> RequestVerificationAsync(RequestVerification command);

    /// <summary>Spends the code whose SHA-256 is <paramref name="codeHash"/> (single use, within its lifetime).</summary>
    [Alias("confirm-verification")]
    Task<VerificationSnapshot> ConfirmVerificationAsync(string codeHash);

    /// <summary>The verification of (<paramref name="entityId"/>, <paramref name="entityType"/>), or null when none was requested.</summary>
    [Alias("find-verification")]
    Task<VerificationSnapshot?> FindVerificationAsync(string entityId, string entityType);
}
