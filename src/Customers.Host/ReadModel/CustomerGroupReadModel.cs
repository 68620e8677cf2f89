using System.Data.Common;
using Customers.Abstractions.CustomerGroups;
using Customers.Abstractions.Customers;
using Customers.Host.Database;
using Customers.Host.ReadModel.Sql;
using Customers.Medusa;
using Npgsql;
using NpgsqlTypes;

namespace Customers.Host.ReadModel;

/// <summary>
/// Admin reads of customer groups and memberships from the relational model (<c>customer_group</c>, written by the
/// group grains' trigger in the same transaction as their state; <c>customer_group_customer</c>, written by
/// <c>Stores/CustomerGroupMembership</c>). Deleted groups and deleted customers are left out of every answer,
/// memberships included. Each read is one statement.
/// </summary>
internal sealed class CustomerGroupReadModel(NpgsqlDataSource database, ListDatabase lists)
{
    /// <summary>
    /// The customer columns a group list's <c>customers</c> filter may use: the customer's own, plus the ids
    /// of its default addresses, which Medusa's filter schema names although they are no customer columns.
    /// </summary>
    private static readonly IReadOnlyDictionary<string, SqlColumn> MemberColumns = new Dictionary<string, SqlColumn>(CustomerReadModel.CustomerColumns, StringComparer.Ordinal)
    {
        ["default_billing_address_id"] = new(
            "(SELECT a.id FROM customer_address a WHERE a.customer_id = c.id AND a.is_default_billing AND a.deleted_at IS NULL LIMIT 1)",
            NpgsqlDbType.Text),
        ["default_shipping_address_id"] = new(
            "(SELECT a.id FROM customer_address a WHERE a.customer_id = c.id AND a.is_default_shipping AND a.deleted_at IS NULL LIMIT 1)",
            NpgsqlDbType.Text),
    };

    /// <summary><c>GET /admin/customer-groups?customers=…</c>: groups with a live member that matches.</summary>
    private static readonly SqlRelation CustomersOfGroup = new(
        "customer_group_customer gc JOIN customer c ON c.id = gc.customer_id AND c.deleted_at IS NULL",
        "gc.customer_group_id = g.id",
        new SqlFilter(MemberColumns, []));

    private static readonly SqlFilter Groups = new(
        CustomerGroupColumns.Columns, ["g.name"], new Dictionary<string, SqlRelation> { ["customers"] = CustomersOfGroup });

    private const string GroupColumnsSql = "g.id, g.name, g.metadata::text, g.created_by, g.created_at, g.updated_at, g.deleted_at";

    private const string CustomerColumnsSql =
        "c.id, c.email, c.company_name, c.first_name, c.last_name, c.phone, c.has_account, c.metadata::text, c.created_by, c.created_at, c.updated_at, c.deleted_at";

    /// <summary>A page of live groups.</summary>
    public Task<ReadPage<CustomerGroupSnapshot>> ListGroupsAsync(Filter filter, ListQuery page, CancellationToken ct)
    {
        var parameters = new SqlParameters();
        var where = "g.deleted_at IS NULL AND " + Groups.Translate(filter, parameters);
        return SqlPage.ReadAsync(
            lists, $"SELECT {GroupColumnsSql} FROM customer_group g", "customer_group g", where, Groups.OrderBy(page, "id", "g.id"),
            parameters, page, row => ReadGroup(row, 0), ct);
    }

    /// <summary>The live members of each of <paramref name="groupIds"/>, by id (creation order).</summary>
    public Task<ILookup<string, CustomerSnapshot>> CustomersOfGroupsAsync(IReadOnlyCollection<string> groupIds, CancellationToken ct) =>
        RelatedAsync(
            $"""
            SELECT gc.customer_group_id, {CustomerColumnsSql}
            FROM customer_group_customer gc JOIN customer c ON c.id = gc.customer_id AND c.deleted_at IS NULL
            WHERE gc.customer_group_id = ANY($1)
            ORDER BY gc.customer_group_id, c.id
            """,
            groupIds, ReadCustomer, ct);

    /// <summary>The live groups of each of <paramref name="customerIds"/>, by id (creation order).</summary>
    public Task<ILookup<string, CustomerGroupSnapshot>> GroupsOfCustomersAsync(IReadOnlyCollection<string> customerIds, CancellationToken ct) =>
        RelatedAsync(
            $"""
            SELECT gc.customer_id, {GroupColumnsSql}
            FROM customer_group_customer gc JOIN customer_group g ON g.id = gc.customer_group_id AND g.deleted_at IS NULL
            WHERE gc.customer_id = ANY($1)
            ORDER BY gc.customer_id, g.id
            """,
            customerIds, ReadGroup, ct);

    /// <summary>One query for the related rows of many ids; <paramref name="sql"/> selects the owner id first.</summary>
    private async Task<ILookup<string, T>> RelatedAsync<T>(
        string sql, IReadOnlyCollection<string> ownerIds, Func<DbDataReader, int, T> read, CancellationToken ct)
    {
        var rows = new List<(string OwnerId, T Related)>();
        if (ownerIds.Count > 0)
        {
            await using var command = database.CreateCommand(sql);
            command.Parameters.Add(new NpgsqlParameter { Value = ownerIds.ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            await using var reader = await command.ExecuteReaderAsync(ct);
            while (await reader.ReadAsync(ct))
            {
                rows.Add((reader.GetString(0), read(reader, 1)));
            }
        }

        return rows.ToLookup(row => row.OwnerId, row => row.Related, StringComparer.Ordinal);
    }

    private static CustomerGroupSnapshot ReadGroup(DbDataReader row, int at) => new(
        row.GetString(at),
        row.GetString(at + 1),
        NullableString(row, at + 2),
        NullableString(row, at + 3),
        row.GetFieldValue<DateTimeOffset>(at + 4),
        row.GetFieldValue<DateTimeOffset>(at + 5),
        row.IsDBNull(at + 6) ? null : row.GetFieldValue<DateTimeOffset>(at + 6));

    private static CustomerSnapshot ReadCustomer(DbDataReader row, int at) => new(
        row.GetString(at),
        NullableString(row, at + 1),
        NullableString(row, at + 2),
        NullableString(row, at + 3),
        NullableString(row, at + 4),
        NullableString(row, at + 5),
        row.GetBoolean(at + 6),
        NullableString(row, at + 7),
        NullableString(row, at + 8),
        row.GetFieldValue<DateTimeOffset>(at + 9),
        row.GetFieldValue<DateTimeOffset>(at + 10),
        row.IsDBNull(at + 11) ? null : row.GetFieldValue<DateTimeOffset>(at + 11),
        []);

    private static string? NullableString(DbDataReader row, int ordinal) => row.IsDBNull(ordinal) ? null : row.GetString(ordinal);
}
