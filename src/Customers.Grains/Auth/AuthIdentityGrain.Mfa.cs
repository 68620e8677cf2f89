using System.Collections.Immutable;
using System.Security.Cryptography;
using System.Text;
using Customers.Abstractions.Auth;
using Customers.Abstractions.Errors;
using Customers.Abstractions.Ids;
using Customers.Grains.Auth.Mfa;
using Customers.Grains.Metadata;
using Customers.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace Customers.Grains.Auth;

/// <summary>
/// Second factors (docs/medusa-compatibility.md §3.18-§3.20): TOTP factors with sealed secrets, recovery codes kept as
/// hashes, and login challenges kept in the identity's state, so one silo may open a challenge and another answer it.
/// Beyond Medusa: a TOTP time step is accepted once per identity; wrong codes count toward the account lockout; enabling
/// or disabling a factor revokes every other token of the identity. The grain serializes calls, so two answers can
/// never both spend one recovery code or exceed a challenge's attempts.
/// </summary>
internal sealed partial class AuthIdentityGrain
{
    public const string TotpProvider = "totp";
    public const string RecoveryCodeMethod = "recovery_code";
    private const string Pending = "pending";
    private const string Enabled = "enabled";
    private const string Disabled = "disabled";
    private const int SecretBytes = 20;
    private const int RecoveryCodeBytes = 16;

    /// <summary>Open challenges kept per identity; older ones give way (each login with the password opens one).</summary>
    private const int MaxOpenChallenges = 20;

    private MfaOptions MfaSettings => mfa.Value;

    private bool HasEnabledFactor => Identity.Mfa?.Factors.Any(f => f.Status == Enabled) == true;

    public Task<ImmutableArray<MfaFactorSnapshot>> ListMfaFactorsAsync()
    {
        EnsureExists();
        return Task.FromResult(Identity.Mfa?.Factors.Select(FactorSnapshot).ToImmutableArray() ?? []);
    }

    public async Task<MfaEnrolment> StartMfaEnrolmentAsync(StartMfaEnrolment command)
    {
        EnsureExists();
        if (command.Provider != TotpProvider)
        {
            throw CustomersException.InvalidData($"MFA provider \"{command.Provider}\" is not supported");
        }

        if (!secrets.HasKey)
        {
            throw CustomersException.InvalidData(MfaSecretProtector.KeyRequiredMessage);
        }

        if (Identity.Mfa?.Factors.Any(f => f.Provider == TotpProvider && f.Status != Disabled) == true)
        {
            throw new CustomersException(ErrorKind.NotAllowed, "An active TOTP factor already exists for this auth identity");
        }

        var now = time.GetUtcNow();
        var secret = RandomNumberGenerator.GetBytes(SecretBytes);
        var metadata = MetadataJson.Parse(command.MetadataJson) ?? [];
        if (command.Label is not null)
        {
            metadata["label"] = command.Label;
        }

        var factor = new MfaFactorState
        {
            Id = EntityId.New(EntityId.MfaFactor, now),
            Provider = TotpProvider,
            Status = Pending,
            SealedSecret = secrets.Seal(secret, Identity.Id!),
            Issuer = command.Issuer ?? MfaSettings.Totp.Issuer,
            Metadata = metadata,
            CreatedAt = now,
            UpdatedAt = now,
        };
        (Identity.Mfa ??= new MfaState()).Factors.Add(factor);
        Identity.UpdatedAt = now;
        await state.WriteOrThrowAsync(this);
        LogFactorEnrolled(logger, Identity.Id!, factor.Id);

        var base32 = Base32.Encode(secret);
        return new MfaEnrolment(FactorSnapshot(factor), base32, OtpAuth.Url(factor.Issuer, command.Label ?? Identity.Id!, base32, MfaSettings.Totp));
    }

    public async Task<MfaFactorChange> ConfirmMfaFactorAsync(ChangeMfaFactor command)
    {
        var factor = FindFactor(command.FactorId);
        if (factor.Status == Disabled)
        {
            throw new CustomersException(ErrorKind.NotAllowed, "Disabled MFA factors cannot be verified");
        }

        var now = time.GetUtcNow();
        if (!await PassSecondFactorAsync(now, () => MatchTotp(factor, command.Code ?? "", now)))
        {
            throw new CustomersException(ErrorKind.NotAllowed, "Invalid TOTP code");
        }

        var changed = factor.Status == Pending;
        if (changed)
        {
            factor.Status = Enabled;
            factor.UpdatedAt = now;
            RevokeTokens(now, command.KeptCredential);
        }

        Identity.UpdatedAt = now;
        await state.WriteOrThrowAsync(this);
        if (changed)
        {
            LogFactorEnabled(logger, Identity.Id!, factor.Id);
        }

        return new MfaFactorChange(FactorSnapshot(factor), changed, Snapshot());
    }

    public async Task<MfaFactorChange> DisableMfaFactorAsync(ChangeMfaFactor command)
    {
        var factor = FindFactor(command.FactorId);
        var now = time.GetUtcNow();
        if (MfaSettings.DisablePolicy == MfaDisablePolicy.Challenge && factor.Status == Enabled)
        {
            if (string.IsNullOrEmpty(command.Method) || string.IsNullOrEmpty(command.Code))
            {
                throw CustomersException.InvalidData("MFA verification code is required to disable MFA");
            }

            if (!await PassSecondFactorAsync(now, () => CheckSecondFactor(command.Method, command.Code, now)))
            {
                throw new CustomersException(ErrorKind.NotAllowed, "Invalid MFA verification code");
            }
        }

        var changed = factor.Status != Disabled;
        if (changed)
        {
            factor.Status = Disabled;
            factor.SealedSecret = null;
            factor.UpdatedAt = now;
            if (!HasEnabledFactor)
            {
                // Stricter than Medusa: codes of a turned-off factor must not come back to life with the next one.
                Identity.Mfa!.RecoveryCodeHashes.Clear();
                Identity.Mfa.Challenges.Clear();
            }

            RevokeTokens(now, command.KeptCredential);
        }

        Identity.UpdatedAt = now;
        await state.WriteOrThrowAsync(this);
        if (changed)
        {
            LogFactorDisabled(logger, Identity.Id!, factor.Id);
        }

        return new MfaFactorChange(FactorSnapshot(factor), changed, Snapshot());
    }

    public async Task<ImmutableArray<string>> GenerateRecoveryCodesAsync(int count)
    {
        EnsureExists();
        if (!HasEnabledFactor)
        {
            throw new CustomersException(ErrorKind.NotAllowed, "Recovery codes require an enabled MFA factor");
        }

        var codes = Enumerable.Range(0, count).Select(_ => NewRecoveryCode()).ToImmutableArray();
        Identity.Mfa!.RecoveryCodeHashes = [.. codes.Select(HashRecoveryCode)];
        Identity.UpdatedAt = time.GetUtcNow();
        await state.WriteOrThrowAsync(this);
        LogRecoveryCodesGenerated(logger, Identity.Id!, count);
        return codes;
    }

    public async Task<MfaChallengeSnapshot?> OpenMfaChallengeAsync(string authProvider)
    {
        EnsureExists();
        if (!HasEnabledFactor)
        {
            return null;
        }

        var now = time.GetUtcNow();
        var mfaState = Identity.Mfa!;
        mfaState.Challenges.RemoveAll(c => c.ExpiresAt <= now);
        if (mfaState.Challenges.Count >= MaxOpenChallenges)
        {
            mfaState.Challenges.RemoveRange(0, mfaState.Challenges.Count - MaxOpenChallenges + 1);
        }

        var challenge = new MfaChallengeState
        {
            Id = EntityId.New(EntityId.MfaChallenge, now),
            AuthProvider = authProvider,
            Methods = mfaState.RecoveryCodeHashes.Count > 0 ? [TotpProvider, RecoveryCodeMethod] : [TotpProvider],
            ExpiresAt = now + MfaSettings.ChallengeTtl,
            MaxAttempts = MfaSettings.ChallengeMaxAttempts,
        };
        mfaState.Challenges.Add(challenge);
        await state.WriteOrThrowAsync(this);
        return ChallengeSnapshot(challenge);
    }

    public async Task<MfaChallengeCompletion> AnswerMfaChallengeAsync(AnswerMfaChallenge command)
    {
        var challenge = Identity.Id is null ? null : Identity.Mfa?.Challenges.Find(c => c.Id == command.ChallengeId);
        if (challenge is null)
        {
            throw CustomersException.NotFound($"MFA challenge with id \"{command.ChallengeId}\" was not found");
        }

        var now = time.GetUtcNow();
        if (challenge.CompletedAt is not null)
        {
            throw new CustomersException(ErrorKind.NotAllowed, "MFA challenge has already been completed");
        }

        if (challenge.ExpiresAt <= now)
        {
            throw new CustomersException(ErrorKind.NotAllowed, "MFA challenge has expired");
        }

        if (challenge.Attempts >= challenge.MaxAttempts)
        {
            throw new CustomersException(ErrorKind.NotAllowed, TooManyChallengeAttempts);
        }

        if (!challenge.Methods.Contains(command.Method))
        {
            throw CustomersException.InvalidData($"MFA challenge does not support method \"{command.Method}\"");
        }

        if (!await PassSecondFactorAsync(now, () => CheckSecondFactor(command.Method, command.Code, now), challenge))
        {
            throw new CustomersException(ErrorKind.NotAllowed,
                challenge.Attempts >= challenge.MaxAttempts ? TooManyChallengeAttempts : "Invalid MFA challenge code");
        }

        challenge.CompletedAt = now;
        // The sign-in is complete only now: this, not the password, resets the lockout count.
        Identity.FailedLogins = 0;
        Identity.LockedUntil = null;
        Identity.UpdatedAt = now;
        await state.WriteOrThrowAsync(this);
        return new MfaChallengeCompletion(ChallengeSnapshot(challenge), Snapshot());
    }

    private const string TooManyChallengeAttempts = "MFA challenge has too many failed attempts";

    /// <summary>
    /// Runs <paramref name="check"/> unless the account is locked. A failure (or a lock) is stored before the caller
    /// answers: it counts toward the lockout (not while already locked, as with passwords) and toward
    /// <paramref name="challenge"/>'s attempts.
    /// </summary>
    private async Task<bool> PassSecondFactorAsync(DateTimeOffset now, Func<bool> check, MfaChallengeState? challenge = null)
    {
        var locked = Identity.LockedUntil > now;
        if (!locked && check())
        {
            return true;
        }

        if (locked)
        {
            LogLoginWhileLocked(logger, Identity.Id!);
        }
        else
        {
            RecordFailure(now);
        }

        if (challenge is not null)
        {
            challenge.Attempts++;
        }

        await state.WriteOrThrowAsync(this);
        return false;
    }

    /// <summary>Checks (and on success spends) a TOTP code of the enabled factor or a recovery code.</summary>
    private bool CheckSecondFactor(string method, string code, DateTimeOffset now)
    {
        var mfaState = Identity.Mfa!;
        switch (method)
        {
            case TotpProvider:
                return mfaState.Factors.Find(f => f.Status == Enabled && f.Provider == TotpProvider) is { } factor
                    && MatchTotp(factor, code, now);
            case RecoveryCodeMethod:
                var presented = Encoding.ASCII.GetBytes(HashRecoveryCode(code));
                var index = -1;
                for (var i = 0; i < mfaState.RecoveryCodeHashes.Count; i++)
                {
                    if (CryptographicOperations.FixedTimeEquals(presented, Encoding.ASCII.GetBytes(mfaState.RecoveryCodeHashes[i])))
                    {
                        index = i;
                    }
                }

                if (index >= 0)
                {
                    mfaState.RecoveryCodeHashes.RemoveAt(index);
                }

                return index >= 0;
            default:
                return false;
        }
    }

    /// <summary>
    /// Whether <paramref name="code"/> is a current TOTP code of <paramref name="factor"/> for a step later than the last
    /// accepted one; on success that step becomes the last accepted. A secret sealed with a previous key is sealed again
    /// with the current one (stored with the caller's write).
    /// </summary>
    private bool MatchTotp(MfaFactorState factor, string code, DateTimeOffset now)
    {
        var settings = MfaSettings.Totp;
        var secret = secrets.Open(factor.SealedSecret!, Identity.Id!, out var current);
        if (!current)
        {
            factor.SealedSecret = secrets.Seal(secret, Identity.Id!);
        }

        var mfaState = Identity.Mfa!;
        var step = Totp.Match(secret, code, Totp.StepAt(now, settings.Period), settings.Digits, settings.Window, mfaState.LastAcceptedStep);
        CryptographicOperations.ZeroMemory(secret);
        if (step is null)
        {
            return false;
        }

        mfaState.LastAcceptedStep = step;
        return true;
    }

    private MfaFactorState FindFactor(string factorId) =>
        (Identity.Id is null ? null : Identity.Mfa?.Factors.Find(f => f.Id == factorId))
        ?? throw CustomersException.NotFound($"MFA factor with id \"{factorId}\" was not found");

    /// <summary>16 random bytes as 8 groups of 4 lower-case hex digits joined by <c>-</c>.</summary>
    private static string NewRecoveryCode() =>
        string.Join('-', Convert.ToHexStringLower(RandomNumberGenerator.GetBytes(RecoveryCodeBytes)).Chunk(4).Select(group => new string(group)));

    /// <summary>Codes are compared trimmed and lower-cased, so typing them in upper case works (the dashes count).</summary>
    private static string HashRecoveryCode(string code) => HashSecret(code.Trim().ToLowerInvariant());

    private MfaFactorSnapshot FactorSnapshot(MfaFactorState factor) => new(
        factor.Id,
        Identity.Id!,
        factor.Provider,
        factor.Status switch
        {
            Enabled => MfaFactorStatus.Enabled,
            Disabled => MfaFactorStatus.Disabled,
            _ => MfaFactorStatus.Pending,
        },
        factor.Metadata.ToJsonString(),
        factor.CreatedAt,
        factor.UpdatedAt);

    private MfaChallengeSnapshot ChallengeSnapshot(MfaChallengeState challenge) => new(
        challenge.Id,
        Identity.Id!,
        challenge.AuthProvider,
        [.. challenge.Methods],
        challenge.ExpiresAt,
        challenge.Attempts,
        challenge.MaxAttempts,
        challenge.CompletedAt);

    [LoggerMessage(Level = LogLevel.Information, Message = "MFA factor {FactorId} enrolled (pending) for identity {IdentityId}")]
    private static partial void LogFactorEnrolled(ILogger logger, string identityId, string factorId);

    [LoggerMessage(Level = LogLevel.Information, Message = "MFA factor {FactorId} enabled for identity {IdentityId}; other tokens revoked")]
    private static partial void LogFactorEnabled(ILogger logger, string identityId, string factorId);

    [LoggerMessage(Level = LogLevel.Information, Message = "MFA factor {FactorId} disabled for identity {IdentityId}; other tokens revoked")]
    private static partial void LogFactorDisabled(ILogger logger, string identityId, string factorId);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Count} recovery codes generated for identity {IdentityId}")]
    private static partial void LogRecoveryCodesGenerated(ILogger logger, string identityId, int count);
}
