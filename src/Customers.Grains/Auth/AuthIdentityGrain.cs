using System.Collections.Immutable;
using Customers.Abstractions.Auth;
using Customers.Abstractions.Customers;
using Customers.Abstractions.Errors;
using Customers.Abstractions.Ids;
using Customers.Grains.Auth.Mfa;
using Customers.Grains.Metadata;
using Customers.Grains.Storage;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Customers.Grains.Auth;

internal sealed partial class AuthIdentityGrain(
    [PersistentState(StateNames.AuthIdentity, StateNames.Storage)] IPersistentState<AuthIdentityState> state,
    PasswordHasher hasher,
    IOptions<LockoutOptions> lockout,
    IOptions<PasswordResetOptions> passwordReset,
    IOptions<MfaOptions> mfa,
    IOptions<VerificationOptions> verification,
    MfaSecretProtector secrets,
    SignUpPause signUpPause,
    TimeProvider time,
    ILogger<AuthIdentityGrain> logger) : Grain, IAuthIdentityGrain, IDerivesFromState
{
    public const string EmailPassProvider = "emailpass";
    private const string CustomerActor = "customer";

    private AuthIdentityState Identity => state.State;

    /// <summary>The sign-up customer known to exist, whose link may not be stored yet (<see cref="SettleLink"/>).</summary>
    private string? _writtenCustomerId;

    public Task<IdentitySnapshot?> GetAsync() => Task.FromResult(Identity.Id is null ? null : Snapshot());

    public async Task<IdentitySnapshot> RegisterEmailPasswordAsync(string email, string password)
    {
        if (Identity.Id is not null)
        {
            throw new CustomersException(ErrorKind.Conflict, "This identity already exists.");
        }

        hasher.EnsureAcceptable(password);
        try
        {
            return await CreateAsync(new ProviderIdentityState
            {
                Provider = EmailPassProvider,
                EntityId = email,
                PasswordHash = await hasher.HashAsync(password),
            });
        }
        catch (CustomersException error) when (error.Kind == ErrorKind.UniqueViolation)
        {
            throw CustomersException.Unauthorized("Identity with email already exists");
        }
    }

    public async Task<IdentitySnapshot> RegisterExternalAsync(string provider, string entityId, string? userMetadataJson)
    {
        if (Identity.Id is not null)
        {
            throw new CustomersException(ErrorKind.Conflict, "This identity already exists.");
        }

        if (provider == EmailPassProvider || string.IsNullOrEmpty(provider) || string.IsNullOrEmpty(entityId))
        {
            throw CustomersException.InvalidData("An external identity needs a provider other than emailpass and a subject.");
        }

        return await CreateAsync(new ProviderIdentityState
        {
            Provider = provider,
            EntityId = entityId,
            UserMetadata = MetadataJson.Parse(userMetadataJson),
        });
    }

    /// <summary>
    /// Creates this identity with its first provider identity. A taken (entity id, provider) fails the write with
    /// UniqueViolation: another registration or sign-in won the race, and this grain never came to exist.
    /// The id of the customer a sign-up will create is recorded now, in the same write, so that sign-up
    /// (<see cref="CreateCustomerAsync"/>) needs no write of its own before the customer's.
    /// </summary>
    private async Task<IdentitySnapshot> CreateAsync(ProviderIdentityState login)
    {
        var now = time.GetUtcNow();
        login.Id = EntityId.NewUlid(now);
        state.State = new AuthIdentityState
        {
            Id = this.GetPrimaryKeyString(),
            AppMetadata = [],
            ProviderIdentities = [login],
            PendingCustomerId = EntityId.New(EntityId.Customer, now),
            CreatedAt = now,
            UpdatedAt = now,
        };
        try
        {
            await state.WriteOrThrowAsync(this);
        }
        catch (CustomersException error) when (error.Kind == ErrorKind.UniqueViolation)
        {
            DeactivateOnIdle();
            throw;
        }

        return Snapshot();
    }

    /// <summary>A login's password check: with an enabled second factor the lockout count stays until the challenge is answered.</summary>
    public Task<PasswordVerification> VerifyPasswordAsync(string password) => CheckPasswordAsync(password, completesSignIn: !HasEnabledFactor);

    private async Task<PasswordVerification> CheckPasswordAsync(string password, bool completesSignIn)
    {
        var login = Identity.ProviderIdentities.Find(p => p.Provider == EmailPassProvider);
        if (Identity.Id is null || login?.PasswordHash is null)
        {
            await hasher.VerifyDummyAsync(password);
            return new PasswordVerification(false, null);
        }

        // Always hash, even when locked, so a lock cannot be told apart from a wrong password by timing.
        var matches = await hasher.VerifyAsync(password, login.PasswordHash);
        var now = time.GetUtcNow();
        if (Identity.LockedUntil > now)
        {
            LogLoginWhileLocked(logger, Identity.Id);
            return new PasswordVerification(false, null, LockRemaining(now));
        }

        if (!matches)
        {
            RecordFailure(now);
            await state.WriteOrThrowAsync(this);
            return new PasswordVerification(false, null, LockRemaining(now));
        }

        var dirty = false;
        if (completesSignIn && (Identity.FailedLogins != 0 || Identity.LockedUntil is not null))
        {
            Identity.FailedLogins = 0;
            Identity.LockedUntil = null;
            dirty = true;
        }

        if (hasher.NeedsRehash(login.PasswordHash))
        {
            login.PasswordHash = await hasher.HashAsync(password);
            dirty = true;
        }

        if (dirty)
        {
            Identity.UpdatedAt = now;
            await state.WriteOrThrowAsync(this);
        }

        return new PasswordVerification(true, Snapshot());
    }

    public async Task<IdentitySnapshot> LinkActorAsync(string actorType, string actorId)
    {
        EnsureUnlinked(actorType);
        Identity.AppMetadata ??= [];
        Identity.AppMetadata[actorType + "_id"] = actorId;
        Identity.UpdatedAt = time.GetUtcNow();
        await state.WriteOrThrowAsync(this);
        return Snapshot();
    }

    /// <summary>
    /// The customer's own write is the link: this identity keeps the id its customer will have
    /// (<see cref="AuthIdentityState.PendingCustomerId"/>, stored when the identity was created, or here after an unlink),
    /// and once a customer exists under that id the identity is linked to it (<see cref="OnActivateAsync"/>). So a
    /// sign-up is one durable write after the registration's, and a crash leaves either no customer (the retry writes
    /// it) or a linked one (the retry is the duplicate error, and the password logs in).
    /// </summary>
    public async Task<CustomerSnapshot> CreateCustomerAsync(CreateCustomer command)
    {
        EnsureUnlinked(CustomerActor);
        var customerId = Identity.PendingCustomerId;
        if (customerId is null)
        {
            customerId = EntityId.New(EntityId.Customer, time.GetUtcNow());
            Identity.PendingCustomerId = customerId;
            Identity.UpdatedAt = time.GetUtcNow();
            await state.WriteOrThrowAsync(this);
        }

        await signUpPause.AfterAsync(SignUpStep.PendingRecorded);

        CustomerSnapshot written;
        try
        {
            // An e-mail that has an account already fails here (UniqueViolation) and changes nothing: the pending id
            // stays for an attempt with another e-mail.
            written = await GrainFactory.GetGrain<ICustomerGrain>(customerId)
                .CreateAsync(command with { SignUpIdentityId = Identity.Id });
        }
        catch (CustomersException error) when (error.Kind != ErrorKind.UniqueViolation)
        {
            // The write may have committed before it failed: the next activation asks the customer.
            DeactivateOnIdle();
            throw;
        }

        SettleLink(customerId);
        await signUpPause.AfterAsync(SignUpStep.CustomerWritten);
        return written;
    }

    /// <summary>
    /// Finds out whether a sign-up's pending customer was written (then this identity is linked to it), so every call
    /// sees the link however the last activation ended. Identities without a pending id (most) ask nothing.
    /// </summary>
    public override async Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (Identity.Id is not null && Identity.PendingCustomerId is { } pending
            && await GrainFactory.GetGrain<ICustomerGrain>(pending).WasCreatedAsync())
        {
            SettleLink(pending);
        }
    }

    /// <summary>
    /// Records the link in memory only: it is durable already (the customer exists), and the identity's next write for
    /// any other reason stores it in <c>app_metadata</c>.
    /// </summary>
    private void SettleLink(string customerId)
    {
        _writtenCustomerId = customerId;
        Identity.AppMetadata ??= [];
        Identity.AppMetadata[CustomerActor + "_id"] = customerId;
        Identity.PendingCustomerId = null;
    }

    /// <summary>A failed write re-reads the stored state, which may not hold the link yet.</summary>
    void IDerivesFromState.StateReloaded()
    {
        if (_writtenCustomerId is { } written && Identity.PendingCustomerId == written)
        {
            SettleLink(written);
        }
    }

    public async Task<DateTimeOffset> RevokeTokensAsync()
    {
        EnsureExists();
        var now = time.GetUtcNow();
        RevokeTokens(now);
        Identity.UpdatedAt = now;
        await state.WriteOrThrowAsync(this);
        return now;
    }

    /// <summary>
    /// Voids every token and session of this identity issued until <paramref name="now"/> (on every silo, through the
    /// revocation feed), except the one credential whose claims fingerprint is <paramref name="kept"/>, if any.
    /// </summary>
    private void RevokeTokens(DateTimeOffset now, string? kept = null)
    {
        Identity.TokensValidAfter = now;
        Identity.KeptCredential = kept;
    }

    private void RecordFailure(DateTimeOffset now)
    {
        var settings = lockout.Value;
        Identity.FailedLogins++;
        var beyond = Identity.FailedLogins - settings.MaxFailures;
        if (beyond >= 0)
        {
            // 60 s at the limit, doubling with every further failure, capped.
            var factor = Math.Pow(2, Math.Min(beyond, 20));
            var duration = TimeSpan.FromTicks((long)Math.Min(settings.FirstLock.Ticks * factor, settings.MaxLock.Ticks));
            Identity.LockedUntil = now + duration;
            LogLockedOut(logger, Identity.Id!, Identity.FailedLogins, duration);
        }

        Identity.UpdatedAt = now;
    }

    private TimeSpan? LockRemaining(DateTimeOffset now) => Identity.LockedUntil > now ? Identity.LockedUntil - now : null;

    private void EnsureUnlinked(string actorType)
    {
        EnsureExists();
        // A null link (left by an unlink) counts as unlinked, unlike Medusa 2.21, which answers 500
        // (docs/medusa-compatibility.md D31).
        if (Identity.AppMetadata?[actorType + "_id"] is not null)
        {
            throw CustomersException.InvalidData($"Identity is already linked to a {actorType}.");
        }
    }

    private void EnsureExists()
    {
        if (Identity.Id is null)
        {
            throw CustomersException.NotFound($"AuthIdentity with id: {this.GetPrimaryKeyString()} was not found");
        }
    }

    private IdentitySnapshot Snapshot() => new(
        Identity.Id!,
        MetadataJson.Serialize(Identity.AppMetadata),
        Identity.ProviderIdentities
            .Select(p => new ProviderIdentitySnapshot(p.Id, p.Provider, p.EntityId, MetadataJson.Serialize(p.UserMetadata)))
            .ToImmutableArray(),
        Identity.TokensValidAfter,
        Identity.CreatedAt,
        Identity.UpdatedAt,
        HasEnabledFactor);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Login refused for locked identity {IdentityId}")]
    private static partial void LogLoginWhileLocked(ILogger logger, string identityId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Identity {IdentityId} locked after {Failures} failed logins for {Duration}")]
    private static partial void LogLockedOut(ILogger logger, string identityId, int failures, TimeSpan duration);
}
