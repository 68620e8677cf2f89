using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Customers.Abstractions.Auth;
using Customers.Abstractions.Errors;
using Customers.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace Customers.Grains.Auth;

/// <summary>
/// Password reset and password change. The reset token's secret (256 random bits) is handed to the caller once and
/// only its SHA-256 hash is kept; the newest token replaces any earlier one; spending it and replacing the password
/// are one state write, so a token works once even when two silos race (the grain serializes the calls, and a second
/// activation loses on the ETag). Every password change clears the lockout where the baseline asks for it, revokes
/// earlier tokens and invalidates a pending reset token.
/// </summary>
internal sealed partial class AuthIdentityGrain
{
    private const int ResetTokenBytes = 32;
    private static readonly TimeSpan ResetRequestWindow = TimeSpan.FromMinutes(1);

    public async Task<PasswordResetTicket?> RequestPasswordResetAsync(RequestPasswordReset command)
    {
        var login = Identity.Id is null
            ? null
            : Identity.ProviderIdentities.Find(p =>
                p.Provider == command.Provider && p.EntityId == command.EntityId && p.PasswordHash is not null);
        if (login is null)
        {
            return null;
        }

        var settings = passwordReset.Value;
        var now = time.GetUtcNow();
        var recent = Identity.PasswordReset?.RecentRequests.Where(at => at > now - ResetRequestWindow).ToList() ?? [];
        if (recent.Count >= settings.RequestsPerMinute)
        {
            LogResetRateLimited(logger, Identity.Id!, settings.RequestsPerMinute);
            return null;
        }

        var tokenId = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(ResetTokenBytes));
        recent.Add(now);
        var expiresAt = now + settings.TokenLifetime;
        Identity.PasswordReset = new PasswordResetState
        {
            TokenHash = HashSecret(tokenId),
            ProviderIdentityId = login.Id,
            ExpiresAt = expiresAt,
            RecentRequests = recent,
        };
        await state.WriteOrThrowAsync(this);
        LogResetIssued(logger, Identity.Id!, expiresAt);
        return new PasswordResetTicket(tokenId, now, expiresAt);
    }

    public async Task<PasswordResetResult> CompletePasswordResetAsync(CompletePasswordReset command)
    {
        string? newHash = null;
        for (var attempt = 1; ; attempt++)
        {
            // On a retry the state was re-read after a conflicting write, so the token is checked again.
            var login = FindResetLogin(command);
            if (login is null)
            {
                return new PasswordResetResult(PasswordResetStatus.InvalidToken, null);
            }

            if (command.NewPassword is null)
            {
                // Medusa spends the token even when no password came with it (docs/medusa-compatibility.md §3.11).
                ClearResetToken();
                if (!await TryWriteAsync(mayRetry: attempt == 1))
                {
                    continue;
                }

                LogResetSpentWithoutPassword(logger, Identity.Id!);
                return new PasswordResetResult(PasswordResetStatus.PasswordMissing, null);
            }

            if (newHash is null)
            {
                // Before anything changes: a weak password leaves the token usable for a second try.
                hasher.EnsureAcceptable(command.NewPassword);
                newHash = await hasher.HashAsync(command.NewPassword);
            }

            var now = time.GetUtcNow();
            login.PasswordHash = newHash;
            Identity.FailedLogins = 0;
            Identity.LockedUntil = null;
            RevokeTokens(now);
            Identity.UpdatedAt = now;
            ClearResetToken();
            if (!await TryWriteAsync(mayRetry: attempt == 1))
            {
                continue;
            }

            LogResetCompleted(logger, Identity.Id!);
            return new PasswordResetResult(PasswordResetStatus.Completed, Snapshot());
        }
    }

    public async Task<PasswordVerification> ChangePasswordAsync(ChangePassword command)
    {
        // Policy first: a weak choice costs no hash and does not count as a failed login.
        hasher.EnsureAcceptable(command.NewPassword);
        var verified = await CheckPasswordAsync(command.CurrentPassword, completesSignIn: true);
        if (!verified.Succeeded)
        {
            return verified;
        }

        var now = time.GetUtcNow();
        Identity.ProviderIdentities.Find(p => p.Provider == EmailPassProvider)!.PasswordHash = await hasher.HashAsync(command.NewPassword);
        RevokeTokens(now);
        Identity.UpdatedAt = now;
        ClearResetToken();
        await state.WriteOrThrowAsync(this);
        LogPasswordChanged(logger, Identity.Id!);
        return new PasswordVerification(true, Snapshot());
    }

    /// <summary>
    /// Lower-case hex SHA-256 of a secret's UTF-8 bytes: reset token ids (Medusa stores the same of its <c>jti</c>),
    /// verification codes and recovery codes, all with at least 128 random bits.
    /// </summary>
    internal static string HashSecret(string secret) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(secret)));

    /// <summary>The login the pending token was made for, when <paramref name="command"/> names that token and login.</summary>
    private ProviderIdentityState? FindResetLogin(CompletePasswordReset command)
    {
        if (Identity.Id is null || Identity.PasswordReset is not { TokenHash: { } storedHash, ExpiresAt: { } expiresAt } reset)
        {
            return null;
        }

        var presented = Encoding.ASCII.GetBytes(HashSecret(command.TokenId));
        if (!CryptographicOperations.FixedTimeEquals(presented, Encoding.ASCII.GetBytes(storedHash)) || expiresAt <= time.GetUtcNow())
        {
            return null;
        }

        var login = Identity.ProviderIdentities.Find(p => p.Id == reset.ProviderIdentityId);
        return login is { PasswordHash: not null } && login.Provider == command.Provider && login.EntityId == command.EntityId
            ? login
            : null;
    }

    private void ClearResetToken()
    {
        if (Identity.PasswordReset is { } reset)
        {
            reset.TokenHash = null;
            reset.ProviderIdentityId = null;
            reset.ExpiresAt = null;
        }
    }

    /// <summary>
    /// Writes the state. With <paramref name="mayRetry"/>, a stale ETag (another activation wrote first; the state has
    /// been re-read) answers false so the caller checks again instead of failing with a conflict.
    /// </summary>
    private async Task<bool> TryWriteAsync(bool mayRetry)
    {
        try
        {
            await state.WriteOrThrowAsync(this);
            return true;
        }
        catch (CustomersException error) when (mayRetry && error.Kind == ErrorKind.Conflict)
        {
            return false;
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Password reset token issued for identity {IdentityId}, valid until {ExpiresAt}")]
    private static partial void LogResetIssued(ILogger logger, string identityId, DateTimeOffset expiresAt);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Password reset for identity {IdentityId} not issued: more than {Limit} requests a minute")]
    private static partial void LogResetRateLimited(ILogger logger, string identityId, int limit);

    [LoggerMessage(Level = LogLevel.Information, Message = "Password reset completed for identity {IdentityId}; earlier tokens revoked")]
    private static partial void LogResetCompleted(ILogger logger, string identityId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Password reset token of identity {IdentityId} spent without a new password")]
    private static partial void LogResetSpentWithoutPassword(ILogger logger, string identityId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Password changed for identity {IdentityId}; earlier tokens revoked")]
    private static partial void LogPasswordChanged(ILogger logger, string identityId);
}
