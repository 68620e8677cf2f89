using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;
using Customers.Abstractions.Auth;
using Customers.Abstractions.Errors;
using Customers.Abstractions.Ids;
using Customers.Grains.Metadata;
using Customers.Grains.Storage;

namespace Customers.Grains.Auth;

/// <summary>
/// E-mail verification (docs/medusa-compatibility.md §3.21): one verification per (address, type), its current
/// code kept only as a SHA-256 hash (the read model indexes that hash, so the unauthenticated confirm finds the
/// identity), single use, valid for the configured lifetime. Beyond Medusa: only the identity's own addresses, and at
/// most one code per address per resend interval.
/// </summary>
internal sealed partial class AuthIdentityGrain
{
    public const string EmailEntityType = "email";
    private const int VerificationCodeBytes = 32;
    private const string InvalidVerificationCode = "Verification code is invalid or already used";

    public async Task<VerificationTicket> RequestVerificationAsync(RequestVerification command)
    {
        EnsureExists();
        if (command.EntityType != EmailEntityType || !OwnsEmail(command.EntityId))
        {
            throw CustomersException.InvalidData("Verification entity does not belong to the authenticated identity");
        }

        var settings = verification.Value;
        var now = time.GetUtcNow();
        var found = Identity.Verifications.Find(v => v.EntityId == command.EntityId && v.EntityType == command.EntityType);
        if (found is { VerifiedAt: not null })
        {
            return new VerificationTicket(VerificationSnapshot(found), null, null);
        }

        if (found is { RequestedAt: { } last } && last + settings.ResendInterval > now)
        {
            throw new CustomersException(ErrorKind.TooManyAttempts,
                "A verification code was sent recently. Please try again later.", last + settings.ResendInterval - now);
        }

        if (found is null)
        {
            found = new VerificationState
            {
                Id = EntityId.New(EntityId.Verification, now),
                EntityId = command.EntityId,
                EntityType = command.EntityType,
                Metadata = MetadataJson.Parse(command.MetadataJson) ?? [],
                CreatedAt = now,
            };
            Identity.Verifications.Add(found);
        }

        var code = Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(VerificationCodeBytes));
        found.CodeProvider = command.CodeProvider;
        found.CodeHash = HashSecret(code);
        found.RequestedAt = now;
        found.UpdatedAt = now;
        Identity.UpdatedAt = now;
        await state.WriteOrThrowAsync(this);
        return new VerificationTicket(VerificationSnapshot(found), code, now + settings.CodeTtl);
    }

    public async Task<VerificationSnapshot> ConfirmVerificationAsync(string codeHash)
    {
        var presented = Encoding.ASCII.GetBytes(codeHash);
        var found = Identity.Verifications.Find(v =>
            v.CodeHash is { } stored && CryptographicOperations.FixedTimeEquals(presented, Encoding.ASCII.GetBytes(stored)));
        if (Identity.Id is null || found is null)
        {
            throw new CustomersException(ErrorKind.NotAllowed, InvalidVerificationCode);
        }

        var now = time.GetUtcNow();
        if (found.RequestedAt + verification.Value.CodeTtl <= now)
        {
            throw new CustomersException(ErrorKind.NotAllowed, "Verification code has expired");
        }

        found.VerifiedAt = now;
        found.CodeHash = null;
        found.UpdatedAt = now;
        Identity.UpdatedAt = now;
        await state.WriteOrThrowAsync(this);
        return VerificationSnapshot(found);
    }

    public Task<VerificationSnapshot?> FindVerificationAsync(string entityId, string entityType)
    {
        var found = Identity.Verifications.Find(v => v.EntityId == entityId && v.EntityType == entityType);
        return Task.FromResult(found is null ? null : VerificationSnapshot(found));
    }

    /// <summary>An e-mail login of this identity, or the e-mail an external provider reported for it.</summary>
    private bool OwnsEmail(string email) => Identity.ProviderIdentities.Any(p =>
        (p.Provider == EmailPassProvider && p.EntityId == email)
        || (p.UserMetadata?["email"] is JsonValue reported && reported.TryGetValue<string>(out var text) && text == email));

    private VerificationSnapshot VerificationSnapshot(VerificationState found) => new(
        found.Id,
        Identity.Id!,
        found.EntityId,
        found.EntityType,
        found.CodeProvider,
        found.VerifiedAt,
        found.RequestedAt,
        found.Metadata.ToJsonString(),
        found.CreatedAt,
        found.UpdatedAt);
}
