namespace Customers.Abstractions.Customers;

/// <summary>One address of a customer, as stored. <see cref="MetadataJson"/> is a JSON object or null.</summary>
[GenerateSerializer]
[Alias("customers.address-snapshot")]
[Immutable]
public sealed record AddressSnapshot(
    string Id,
    string CustomerId,
    string? AddressName,
    bool IsDefaultShipping,
    bool IsDefaultBilling,
    string? Company,
    string? FirstName,
    string? LastName,
    string? Address1,
    string? Address2,
    string? City,
    string? CountryCode,
    string? Province,
    string? PostalCode,
    string? Phone,
    string? MetadataJson,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt);
