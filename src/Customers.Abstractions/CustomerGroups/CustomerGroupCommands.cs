namespace Customers.Abstractions.CustomerGroups;

/// <summary>
/// Creates a customer group. <see cref="Name"/> must not be null (it may be empty); <see cref="MetadataJson"/> is stored
/// verbatim (a JSON object or null); <see cref="CreatedBy"/> is the admin actor (<c>user_…</c> or <c>apk_…</c>).
/// </summary>
[GenerateSerializer]
[Alias("customers.create-customer-group")]
[Immutable]
public sealed record CreateCustomerGroup(string Name, string? MetadataJson, string? CreatedBy);

/// <summary>
/// A partial group update. An unset field stays; a set <see cref="Name"/> must not be null; a set metadata object is
/// shallow-merged per Medusa's rules (<c>""</c> deletes a key, <c>{}</c> changes nothing, null clears all).
/// </summary>
[GenerateSerializer]
[Alias("customers.update-customer-group")]
[Immutable]
public sealed record UpdateCustomerGroup(Optional<string> Name, Optional<string> MetadataJson);
