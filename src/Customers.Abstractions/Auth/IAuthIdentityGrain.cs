using Customers.Abstractions.Customers;

namespace Customers.Abstractions.Auth;

/// <summary>
/// An auth identity keyed by its id (<c>authid_…</c>). It owns the password hash (which never leaves it), the
/// per-account lockout counters and the token revocation time. Uniqueness of (provider, entity id) is enforced by
/// PostgreSQL in the same transaction as the state write.
/// </summary>
[Alias("customers.IAuthIdentityGrain")]
public partial interface IAuthIdentityGrain : IGrainWithStringKey
{
    /// <summary>The identity, or null when none exists under this key.</summary>
    [Alias("get")]
    Task<IdentitySnapshot?> GetAsync();

    /// <summary>
    /// Creates this identity with an <c>emailpass</c> provider identity. Fails with Unauthorized
    /// "Identity with email already exists" when the e-mail is taken, InvalidData when the password breaks policy.
    /// </summary>
    [Alias("register-emailpass")]
    Task<IdentitySnapshot> RegisterEmailPasswordAsync(string email, string password);

    /// <summary>
    /// Checks an <c>emailpass</c> password, counting failures for the lockout. While locked out, even the right
    /// password fails.
    /// </summary>
    [Alias("verify-password")]
    Task<PasswordVerification> VerifyPasswordAsync(string password);

    /// <summary>
    /// Creates this identity with one external provider identity (OAuth / OpenID Connect): <paramref name="provider"/>
    /// with the provider's subject id as entity id and <paramref name="userMetadataJson"/> (a JSON object, or null)
    /// as its <c>user_metadata</c>. Fails with UniqueViolation when another identity already has that
    /// (provider, subject): the caller then signs in to that one. E-mails play no part: an identity is never
    /// found or joined by e-mail.
    /// </summary>
    [Alias("register-external")]
    Task<IdentitySnapshot> RegisterExternalAsync(string provider, string entityId, string? userMetadataJson);

    /// <summary>
    /// Creates the account customer for this identity and links it (<c>app_metadata.customer_id</c>). Fails with
    /// InvalidData when the identity is already linked to a customer, and with UniqueViolation, changing nothing, when
    /// the e-mail already has an account. Crash-safe: the customer's id is stored with the identity beforehand, and
    /// the customer's own write is the link (docs/security.md, "Sign-up").
    /// </summary>
    [Alias("create-customer")]
    Task<CustomerSnapshot> CreateCustomerAsync(CreateCustomer command);

    /// <summary>
    /// Links this identity to an actor (<c>app_metadata["&lt;actorType&gt;_id"] = actorId</c>). Fails with InvalidData
    /// when it is already linked to another actor of that type.
    /// </summary>
    [Alias("link-actor")]
    Task<IdentitySnapshot> LinkActorAsync(string actorType, string actorId);

    /// <summary>Invalidates every token issued for this identity until now (logout, password change).</summary>
    [Alias("revoke-tokens")]
    Task<DateTimeOffset> RevokeTokensAsync();

    /// <summary>
    /// Makes a password reset token for the password login (<paramref name="command"/>'s provider and entity id),
    /// replacing any earlier one: only the newest token is valid. The identity stores only the token's SHA-256 hash.
    /// Null, with nothing changed, when there is no such login with a password or when the configured number of
    /// requests a minute for this identity is already spent.
    /// </summary>
    [Alias("request-password-reset")]
    Task<PasswordResetTicket?> RequestPasswordResetAsync(RequestPasswordReset command);

    /// <summary>
    /// Spends a reset token (single use, whichever silo is asked) and replaces the password in the same write: the
    /// lockout is cleared, every earlier token revoked and any other reset token invalidated. A token without a new
    /// password is spent and nothing else changes. A password that breaks the policy fails with InvalidData and
    /// leaves the token valid.
    /// </summary>
    [Alias("complete-password-reset")]
    Task<PasswordResetResult> CompletePasswordResetAsync(CompletePasswordReset command);

    /// <summary>
    /// Changes the <c>emailpass</c> password after checking the current one exactly as a login does (failures count
    /// toward the lockout; while locked even the right password fails). On success every earlier token is revoked
    /// and any pending reset token invalidated. A new password that breaks the policy fails with InvalidData before
    /// the current one is checked.
    /// </summary>
    [Alias("change-password")]
    Task<PasswordVerification> ChangePasswordAsync(ChangePassword command);

    /// <summary>
    /// Ends this identity's link to <paramref name="actorId"/> (<c>app_metadata["&lt;actorType&gt;_id"]</c>), as when an
    /// admin deletes the customer (docs/medusa-compatibility.md §3.16), and revokes every token issued until now. When
    /// the identity stays linked to another actor (e.g. it is also an admin user), the link becomes null; otherwise the
    /// identity is deleted with its logins, as Medusa 2.21 does, so the e-mail can register again. Does nothing when
    /// the identity is not linked to <paramref name="actorId"/>. Null when the identity does not exist (any more).
    /// </summary>
    [Alias("unlink-actor")]
    Task<IdentitySnapshot?> UnlinkActorAsync(string actorType, string actorId);
}
