using Customers.Abstractions.Customers;

namespace Customers.Abstractions.Auth;

/// <summary>
/// An auth identity keyed by its id (<c>authid_…</c>). It owns the password hash (which never leaves it), the
/// per-account lockout counters and the token revocation time. Uniqueness of (provider, entity id) is enforced by
/// PostgreSQL in the same transaction as the state write.
/// </summary>
[Alias("customers.IAuthIdentityGrain")]
public interface IAuthIdentityGrain : IGrainWithStringKey
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
    /// Creates the account customer for this identity and links it (<c>app_metadata.customer_id</c>). Fails with
    /// InvalidData when the identity is already linked to a customer; the new customer is removed again if the
    /// link cannot be stored.
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
}
