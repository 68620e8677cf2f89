using System.Text.Json.Nodes;
using Customers.Abstractions.CustomerGroups;
using Customers.Abstractions.Customers;
using Customers.Host.Http.Customers;
using Customers.Medusa;

namespace Customers.Host.Http.Admin.CustomerGroups;

/// <summary>
/// Customer groups as Medusa's JSON objects (docs/medusa-compatibility.md §4.3), with every column and, when loaded,
/// their customers; routes project them with <c>fields</c>. Also puts groups into a customer for <c>*groups</c>.
/// </summary>
internal static class CustomerGroupWire
{
    public const string Customers = "customers";

    /// <summary>Default of every route that answers with a group: no <c>customers</c> unless asked for.</summary>
    public static readonly string[] Defaults = ["id", "name", "created_by", "created_at", "updated_at", "deleted_at", "metadata"];

    /// <summary>Columns of a nested customer (<c>*customers</c>), in Medusa's order.</summary>
    public static readonly string[] CustomerColumns =
    [
        "id", "company_name", "first_name", "last_name", "email", "phone", "has_account", "metadata", "created_by",
        "created_at", "updated_at", "deleted_at",
    ];

    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> RelationColumns =
        new Dictionary<string, IReadOnlyList<string>> { [Customers] = CustomerColumns };

    /// <summary>The fields rules of every group route (admin: any column or relation may be asked for).</summary>
    public static readonly FieldRules Fields = new(Defaults);

    /// <summary>The group with every column, and its customers when <paramref name="customers"/> is given.</summary>
    public static JsonObject Group(CustomerGroupSnapshot group, IEnumerable<CustomerSnapshot>? customers = null)
    {
        var json = new JsonObject
        {
            ["id"] = group.Id,
            ["name"] = group.Name,
            ["metadata"] = group.MetadataJson is null ? null : JsonNode.Parse(group.MetadataJson),
            ["created_by"] = group.CreatedBy,
            ["created_at"] = MillisecondUtcDateTimeOffsetConverter.Format(group.CreatedAt),
            ["updated_at"] = MillisecondUtcDateTimeOffsetConverter.Format(group.UpdatedAt),
            ["deleted_at"] = group.DeletedAt is { } deleted ? MillisecondUtcDateTimeOffsetConverter.Format(deleted) : null,
        };
        if (customers is not null)
        {
            json[Customers] = new JsonArray([.. customers.Select(CustomerWire.Customer)]);
        }

        return json;
    }

    /// <summary>The group projected onto <paramref name="fields"/>; a relation that was not loaded answers <c>[]</c>.</summary>
    public static JsonObject Project(CustomerGroupSnapshot group, FieldSelection fields, IEnumerable<CustomerSnapshot>? customers = null) =>
        Medusa.Fields.Project(Group(group, customers), fields, RelationColumns);

    /// <summary>Sets a customer's <c>groups</c> (the full customer JSON of <see cref="CustomerWire.Customer"/>).</summary>
    public static JsonObject WithGroups(JsonObject customer, IEnumerable<CustomerGroupSnapshot> groups)
    {
        customer[CustomerWire.Groups] = new JsonArray([.. groups.Select(group => Group(group))]);
        return customer;
    }
}
