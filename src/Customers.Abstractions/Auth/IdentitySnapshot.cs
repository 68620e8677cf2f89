using System.Collections.Immutable;

namespace Customers.Abstractions.Auth;

/// <summary>
/// An auth identity: one person's way of logging in, linked to actors through <see cref="AppMetadataJson"/>
/// (e.g. <c>{"customer_id":"cus_…"}</c>). Password hashes and second-factor secrets are never part of a snapshot.
/// <see cref="MfaEnabled"/> says whether it has an enabled second factor (its logins then answer a challenge).
/// </summary>
[GenerateSerializer]
[Alias("customers.identity-snapshot")]
[Immutable]
public sealed record IdentitySnapshot(
    string Id,
    string? AppMetadataJson,
    ImmutableArray<ProviderIdentitySnapshot> ProviderIdentities,
    DateTimeOffset? TokensValidAfter,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    bool MfaEnabled = false);

/// <summary>One (provider, entity id) login of an identity, e.g. (<c>emailpass</c>, the e-mail as typed).</summary>
[GenerateSerializer]
[Alias("customers.provider-identity-snapshot")]
[Immutable]
public sealed record ProviderIdentitySnapshot(string Id, string Provider, string EntityId, string? UserMetadataJson);

/// <summary>
/// The outcome of a password check. A locked account fails like a wrong password; only <see cref="LockedFor"/> tells
/// the caller how long the lock still holds (the login answer's <c>Retry-After</c>).
/// </summary>
/// <param name="Succeeded">Whether the password was right and the account not locked.</param>
/// <param name="Identity">The identity on success, else null.</param>
/// <param name="LockedFor">When the account is locked after this check: the time until the lock ends.</param>
[GenerateSerializer]
[Alias("customers.password-verification")]
[Immutable]
public sealed record PasswordVerification(bool Succeeded, IdentitySnapshot? Identity, TimeSpan? LockedFor = null)
{
    /// <summary>Whether the account is locked (for the host's metrics).</summary>
    public bool Locked => LockedFor is not null;
}
