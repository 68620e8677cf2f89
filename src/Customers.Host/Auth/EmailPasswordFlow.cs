using Customers.Abstractions.Auth;
using Customers.Abstractions.Errors;
using Customers.Abstractions.Ids;
using Customers.Grains.Auth;
using Customers.Host.ReadModel;

namespace Customers.Host.Auth;

/// <summary>
/// Register and log in with e-mail and password (docs/medusa-compatibility.md §3.4-§3.5). The e-mail is the identity's
/// entity id exactly as typed. Unknown e-mail, wrong password and a locked account answer alike, in the same time.
/// </summary>
internal sealed class EmailPasswordFlow(IGrainFactory grains, IdentityLookup lookup, PasswordHasher hasher, TimeProvider time)
{
    public const string Provider = "emailpass";
    public const string InvalidCredentials = "Invalid email or password";
    private const string IdentityExists = "Identity with email already exists";

    /// <summary>
    /// Registers <paramref name="email"/>, or repeats the registration of an identity not yet linked to an actor when
    /// the password matches (as Medusa does). Both ways cost one bcrypt and at most one write, so the time to answer
    /// does not tell whether the e-mail is registered; the password policy is checked first for the same reason.
    /// </summary>
    public async Task<IdentitySnapshot> RegisterAsync(string email, string password, CancellationToken ct)
    {
        hasher.EnsureAcceptable(password);
        if (await lookup.FindAsync(Provider, email, ct) is { } existing)
        {
            return await RepeatAsync(existing, password);
        }

        var identity = grains.GetGrain<IAuthIdentityGrain>(EntityId.New(EntityId.AuthIdentity, time.GetUtcNow()));
        try
        {
            return await identity.RegisterEmailPasswordAsync(email, password);
        }
        catch (CustomersException error) when (error.Kind == ErrorKind.Unauthorized)
        {
            // Another registration of the same e-mail won the race since the lookup.
            return await lookup.FindAsync(Provider, email, ct) is { } winner
                ? await RepeatAsync(winner, password)
                : throw CustomersException.Unauthorized(IdentityExists);
        }
    }

    private async Task<IdentitySnapshot> RepeatAsync(string identityId, string password)
    {
        var verification = await grains.GetGrain<IAuthIdentityGrain>(identityId).VerifyPasswordAsync(password);
        return verification.Identity is { } unlinked && IsUnlinked(unlinked)
            ? unlinked
            : throw CustomersException.Unauthorized(IdentityExists);
    }

    /// <summary>The identity when the password is right and the account is not locked; else a failure, with the time
    /// left when the account is locked.</summary>
    public async Task<PasswordVerification> VerifyAsync(string email, string password, CancellationToken ct)
    {
        var identityId = await lookup.FindAsync(Provider, email, ct);
        if (identityId is null)
        {
            await hasher.VerifyDummyAsync(password);
            return new PasswordVerification(false, null);
        }

        return await grains.GetGrain<IAuthIdentityGrain>(identityId).VerifyPasswordAsync(password);
    }

    private static bool IsUnlinked(IdentitySnapshot identity) =>
        identity.AppMetadataJson is null or "{}" or "null";
}
