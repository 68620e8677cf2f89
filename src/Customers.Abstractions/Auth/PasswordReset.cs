namespace Customers.Abstractions.Auth;

/// <summary>
/// Asks an identity for a password reset token for one of its password logins, e.g. (<c>emailpass</c>, the e-mail as
/// typed). See <see cref="IAuthIdentityGrain.RequestPasswordResetAsync"/>.
/// </summary>
/// <param name="Provider">The login's provider (<c>emailpass</c>).</param>
/// <param name="EntityId">The login's entity id, compared exactly (case-sensitive, not trimmed).</param>
[GenerateSerializer]
[Alias("customers.request-password-reset")]
[Immutable]
public sealed record RequestPasswordReset(string Provider, string EntityId);

/// <summary>
/// A freshly made reset token. <see cref="TokenId"/> is the secret (256 random bits, base64url); the identity keeps
/// only its SHA-256 hash, so this ticket is the one and only copy. It goes into the reset JWT's <c>jti</c>.
/// </summary>
/// <param name="TokenId">The secret: 32 random bytes, base64url without padding (43 characters).</param>
/// <param name="IssuedAt">When the token was made.</param>
/// <param name="ExpiresAt">When the token stops working (<see cref="IssuedAt"/> plus the configured lifetime).</param>
[GenerateSerializer]
[Alias("customers.password-reset-ticket")]
[Immutable]
public sealed record PasswordResetTicket(string TokenId, DateTimeOffset IssuedAt, DateTimeOffset ExpiresAt);

/// <summary>
/// Spends a reset token and sets a new password. See <see cref="IAuthIdentityGrain.CompletePasswordResetAsync"/>.
/// </summary>
/// <param name="TokenId">The <c>jti</c> of the reset JWT.</param>
/// <param name="Provider">The provider the token must have been made for (the route's provider).</param>
/// <param name="EntityId">The entity id the token must have been made for (the JWT's <c>entity_id</c>).</param>
/// <param name="NewPassword">The new password, or null when the request carried none (the token is spent anyway).</param>
[GenerateSerializer]
[Alias("customers.complete-password-reset")]
[Immutable]
public sealed record CompletePasswordReset(string TokenId, string Provider, string EntityId, string? NewPassword);

/// <summary>How a <see cref="CompletePasswordReset"/> ended (a password that breaks policy throws InvalidData instead).</summary>
public enum PasswordResetStatus
{
    /// <summary>The token was spent and the password replaced; <see cref="PasswordResetResult.Identity"/> is set.</summary>
    Completed = 0,

    /// <summary>Unknown, spent, replaced or expired token, or one made for another login. Nothing changed.</summary>
    InvalidToken = 1,

    /// <summary>The token was valid and is now spent, but no new password came with it (Medusa's behaviour).</summary>
    PasswordMissing = 2,
}

/// <summary>The outcome of <see cref="IAuthIdentityGrain.CompletePasswordResetAsync"/>.</summary>
/// <param name="Status">What happened.</param>
/// <param name="Identity">The identity after the change (its <see cref="IdentitySnapshot.TokensValidAfter"/> is the
/// revocation time) when <see cref="PasswordResetStatus.Completed"/>, else null.</param>
[GenerateSerializer]
[Alias("customers.password-reset-result")]
[Immutable]
public sealed record PasswordResetResult(PasswordResetStatus Status, IdentitySnapshot? Identity);

/// <summary>A signed-in user changes their <c>emailpass</c> password. See <see cref="IAuthIdentityGrain.ChangePasswordAsync"/>.</summary>
/// <param name="CurrentPassword">The password now in force, verified like a login (it counts toward the lockout).</param>
/// <param name="NewPassword">The new password; it must meet the same policy as at registration.</param>
[GenerateSerializer]
[Alias("customers.change-password")]
[Immutable]
public sealed record ChangePassword(string CurrentPassword, string NewPassword);
