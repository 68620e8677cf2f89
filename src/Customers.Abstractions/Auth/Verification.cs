namespace Customers.Abstractions.Auth;

/// <summary>Proof that an identity owns an address (<c>authver_…</c>). The code and its hash are never part of it.</summary>
/// <remarks><c>RequestedAt</c>: When the latest code was made.</remarks>
/// <remarks><c>VerifiedAt</c>: When a code was confirmed; null while unverified.</remarks>
/// <remarks><c>MetadataJson</c>: The metadata of the first request, a JSON object.</remarks>
[GenerateSerializer]
[Alias("customers.verification-snapshot")]
[Immutable]
public sealed record VerificationSnapshot(
    string Id,
    string AuthIdentityId,
    string EntityId,
    string EntityType,
    string CodeProvider,
    DateTimeOffset? VerifiedAt,
    DateTimeOffset? RequestedAt,
    string MetadataJson,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);

/// <summary>Asks for a verification code. See <see cref="IAuthIdentityGrain.RequestVerificationAsync"/>.</summary>
[GenerateSerializer]
[Alias("customers.request-verification")]
[Immutable]
public sealed record RequestVerification(string EntityId, string EntityType, string CodeProvider, string? MetadataJson);

/// <summary>A verification and, when a code was made, that code: the one and only copy (the identity keeps its hash).</summary>
/// <remarks><c>Code</c>: 32 random bytes, base64url without padding; null when the address was already verified.</remarks>
[GenerateSerializer]
[Alias("customers.verification-ticket")]
[Immutable]
public sealed record VerificationTicket(VerificationSnapshot Verification, string? Code, DateTimeOffset? ExpiresAt);
