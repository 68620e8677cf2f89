using System.Collections.Immutable;

namespace Customers.Abstractions.Customers;

/// <summary>A customer with its live addresses. <see cref="MetadataJson"/> is a JSON object or null.</summary>
[GenerateSerializer]
[Alias("customers.customer-snapshot")]
[Immutable]
public sealed record CustomerSnapshot(
    string Id,
    string? Email,
    string? CompanyName,
    string? FirstName,
    string? LastName,
    string? Phone,
    bool HasAccount,
    string? MetadataJson,
    string? CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? DeletedAt,
    ImmutableArray<AddressSnapshot> Addresses,
    string? SignUpIdentityId = null);
