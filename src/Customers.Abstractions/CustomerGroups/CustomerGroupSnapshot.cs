namespace Customers.Abstractions.CustomerGroups;

/// <summary>
/// A customer group as stored (<c>customer_group</c>, docs/medusa-compatibility.md §4.3). <see cref="MetadataJson"/> is
/// a JSON object or null. Members are not part of the snapshot: memberships live in the relational
/// <c>customer_group_customer</c> table.
/// </summary>
[GenerateSerializer]
[Alias("customers.customer-group-snapshot")]
[Immutable]
public sealed record CustomerGroupSnapshot(
    string Id,
    string Name,
    string? MetadataJson,
    string? CreatedBy,
    DateTimeOffset CreatedAt,
    DateTimeOffset UpdatedAt,
    DateTimeOffset? DeletedAt);
