using Customers.Host.ReadModel.Sql;
using NpgsqlTypes;

namespace Customers.Host.ReadModel;

/// <summary>
/// The <c>customer_group</c> columns lists may filter and order by (alias <c>g</c>), and the customer list's
/// <c>groups</c> relation. Kept apart from <see cref="CustomerGroupReadModel"/> so that <see cref="CustomerReadModel"/>
/// can use the relation without the two read models' static tables depending on each other.
/// </summary>
internal static class CustomerGroupColumns
{
    /// <summary>The group columns a list may filter and order by.</summary>
    public static readonly IReadOnlyDictionary<string, SqlColumn> Columns = new Dictionary<string, SqlColumn>(StringComparer.Ordinal)
    {
        ["id"] = new("g.id", NpgsqlDbType.Text),
        ["name"] = new("g.name", NpgsqlDbType.Text),
        ["created_by"] = new("g.created_by", NpgsqlDbType.Text),
        ["created_at"] = new("g.created_at", NpgsqlDbType.TimestampTz),
        ["updated_at"] = new("g.updated_at", NpgsqlDbType.TimestampTz),
        ["deleted_at"] = new("g.deleted_at", NpgsqlDbType.TimestampTz),
    };

    /// <summary>Filters on groups alone (Medusa searches a group's name only, docs/medusa-compatibility.md §2.9).</summary>
    public static readonly SqlFilter Filter = new(Columns, ["g.name"]);

    /// <summary>
    /// <c>GET /admin/customers?groups=…</c>: customers with a membership in a matching live group. Deleted groups never
    /// match, although their memberships stay (Medusa matches them, docs/medusa-compatibility.md D15). For a customer
    /// list aliased <c>c</c>.
    /// </summary>
    public static readonly SqlRelation GroupsOfCustomer = new(
        "customer_group_customer gc JOIN customer_group g ON g.id = gc.customer_group_id AND g.deleted_at IS NULL",
        "gc.customer_id = c.id",
        Filter);
}
