using System.Text.Json.Nodes;

namespace Customers.Grains.CustomerGroups;

/// <summary>
/// Stored as snake_case JSON; the read-model trigger in <c>deploy/sql</c> (<c>0008_customer_groups.sql</c>) reads
/// these names, so renaming a property is a schema change. A null <see cref="Id"/> means no group exists under the key.
/// </summary>
public sealed class CustomerGroupState
{
    public string? Id { get; set; }
    public string Name { get; set; } = "";
    public JsonObject? Metadata { get; set; }
    public string? CreatedBy { get; set; }
    public DateTimeOffset CreatedAt { get; set; }
    public DateTimeOffset UpdatedAt { get; set; }
    public DateTimeOffset? DeletedAt { get; set; }
}
