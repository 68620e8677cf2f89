namespace Customers.Abstractions.Customers;

/// <summary>
/// Creates a customer. <see cref="MetadataJson"/> is stored verbatim (a JSON object or null).
/// <see cref="SignUpIdentityId"/> is set only by the auth identity whose sign-up this is: storing the customer then
/// also links that identity in the read model, in the same transaction.
/// </summary>
[GenerateSerializer]
[Alias("customers.create-customer")]
[Immutable]
public sealed record CreateCustomer(
    string? Email,
    string? CompanyName,
    string? FirstName,
    string? LastName,
    string? Phone,
    string? MetadataJson,
    bool HasAccount,
    string? CreatedBy,
    string? SignUpIdentityId = null);

/// <summary>
/// A partial profile update. Unset fields stay; a set metadata object is shallow-merged per Medusa's rules
/// (<c>""</c> deletes a key, <c>{}</c> changes nothing, null clears all).
/// </summary>
[GenerateSerializer]
[Alias("customers.update-customer")]
[Immutable]
public sealed record UpdateCustomer(
    Optional<string> Email,
    Optional<string> CompanyName,
    Optional<string> FirstName,
    Optional<string> LastName,
    Optional<string> Phone,
    Optional<string> MetadataJson);

/// <summary>Address fields for create (unset = null/false) and update (unset = unchanged).</summary>
[GenerateSerializer]
[Alias("customers.address-fields")]
[Immutable]
public sealed record AddressFields(
    Optional<string> AddressName,
    Optional<bool> IsDefaultShipping,
    Optional<bool> IsDefaultBilling,
    Optional<string> Company,
    Optional<string> FirstName,
    Optional<string> LastName,
    Optional<string> Address1,
    Optional<string> Address2,
    Optional<string> City,
    Optional<string> CountryCode,
    Optional<string> Province,
    Optional<string> PostalCode,
    Optional<string> Phone,
    Optional<string> MetadataJson);
