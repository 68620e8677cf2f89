using System.Collections.Immutable;
using System.Data.Common;
using Customers.Abstractions.Customers;
using Customers.Host.Database;
using Customers.Host.ReadModel.Search;
using Customers.Host.ReadModel.Sql;
using Customers.Medusa;
using Npgsql;
using NpgsqlTypes;

namespace Customers.Host.ReadModel;

/// <summary>
/// Admin reads of the relational read model (<c>customer</c>, <c>customer_address</c>, <c>auth_identity</c>). The
/// read model is written by a trigger in the same transaction as every grain write, so these lists reflect every
/// acknowledged write at once. Each list is one statement (<see cref="SqlPage"/>); filter values are parameters,
/// column names come from the tables below.
/// </summary>
internal sealed class CustomerReadModel(NpgsqlDataSource database, ListDatabase lists, CustomerSearchPlanner searchPlanner)
{
    private const NpgsqlDbType Text = NpgsqlDbType.Text;
    private const NpgsqlDbType Timestamp = NpgsqlDbType.TimestampTz;

    /// <summary>The customer columns a list may filter and order by.</summary>
    public static readonly IReadOnlyDictionary<string, SqlColumn> CustomerColumns = new Dictionary<string, SqlColumn>(StringComparer.Ordinal)
    {
        ["id"] = new("c.id", Text),
        ["email"] = new("c.email", Text),
        ["company_name"] = new("c.company_name", Text),
        ["first_name"] = new("c.first_name", Text),
        ["last_name"] = new("c.last_name", Text),
        ["phone"] = new("c.phone", Text),
        ["has_account"] = new("c.has_account", NpgsqlDbType.Boolean),
        ["created_by"] = new("c.created_by", Text),
        ["created_at"] = new("c.created_at", Timestamp),
        ["updated_at"] = new("c.updated_at", Timestamp),
        ["deleted_at"] = new("c.deleted_at", Timestamp),
    };

    /// <summary>The address columns a list may filter and order by.</summary>
    public static readonly IReadOnlyDictionary<string, SqlColumn> AddressColumns = new Dictionary<string, SqlColumn>(StringComparer.Ordinal)
    {
        ["id"] = new("a.id", Text),
        ["customer_id"] = new("a.customer_id", Text),
        ["address_name"] = new("a.address_name", Text),
        ["is_default_shipping"] = new("a.is_default_shipping", NpgsqlDbType.Boolean),
        ["is_default_billing"] = new("a.is_default_billing", NpgsqlDbType.Boolean),
        ["company"] = new("a.company", Text),
        ["first_name"] = new("a.first_name", Text),
        ["last_name"] = new("a.last_name", Text),
        ["address_1"] = new("a.address_1", Text),
        ["address_2"] = new("a.address_2", Text),
        ["city"] = new("a.city", Text),
        ["country_code"] = new("a.country_code", Text),
        ["province"] = new("a.province", Text),
        ["postal_code"] = new("a.postal_code", Text),
        ["phone"] = new("a.phone", Text),
        ["created_at"] = new("a.created_at", Timestamp),
        ["updated_at"] = new("a.updated_at", Timestamp),
        ["deleted_at"] = new("a.deleted_at", Timestamp),
    };

    /// <summary>The customer columns <c>q</c> searches: Medusa's searchable columns
    /// (docs/medusa-compatibility.md §2.9).</summary>
    public static readonly IReadOnlyList<string> SearchedColumns = ["company_name", "first_name", "last_name", "email", "phone"];

    /// <summary>The relation a customer list filters by group (<see cref="Filter.Related"/>): the customer's live groups.</summary>
    public const string GroupsRelation = "groups";

    // Groups: see CustomerGroupColumns.
    private static readonly SqlFilter Customers = new(
        CustomerColumns,
        [.. SearchedColumns.Select(column => CustomerColumns[column].Sql)],
        new Dictionary<string, SqlRelation> { [GroupsRelation] = CustomerGroupColumns.GroupsOfCustomer });

    private static readonly SqlFilter Addresses = new(
        AddressColumns,
        ["a.address_name", "a.company", "a.first_name", "a.last_name", "a.address_1", "a.address_2", "a.city", "a.province", "a.postal_code"]);

    private const string CustomerSelect =
        """
        SELECT c.id, c.email, c.company_name, c.first_name, c.last_name, c.phone, c.has_account, c.metadata::text,
               c.created_by, c.created_at, c.updated_at, c.deleted_at
        FROM customer c
        """;

    private const string AddressSelect =
        """
        SELECT a.id, a.customer_id, a.address_name, a.is_default_shipping, a.is_default_billing, a.company, a.first_name,
               a.last_name, a.address_1, a.address_2, a.city, a.country_code, a.province, a.postal_code, a.phone,
               a.metadata::text, a.created_at, a.updated_at
        FROM customer_address a
        """;

    /// <summary>
    /// Customer lists are built for a million rows (docs/benchmarks.md): ids of the page first (index-only scans with
    /// the 0010 indexes), then only those rows; deep pages and counts of the unfiltered and <c>has_account</c> lists
    /// from the position counters (<see cref="CustomerPositions"/>), of one group's customers from its live members'
    /// index (<see cref="GroupMemberPages"/>); other counts exact when the planner expects at
    /// most 10,000 matches, its estimate otherwise, so no request counts a million rows.
    /// </summary>
    internal static readonly SqlPageStrategy LargeList = new("c", "id", 10_000);

    /// <summary>
    /// A page of live customers. With <paramref name="withAddresses"/>, each holds its live addresses (one more query
    /// for the page's ids); otherwise <see cref="CustomerSnapshot.Addresses"/> is empty.
    /// </summary>
    public async Task<ReadPage<CustomerSnapshot>> ListCustomersAsync(
        Filter filter, ListQuery page, bool withAddresses, CancellationToken ct)
    {
        filter = await searchPlanner.PrepareAsync(filter, ct);
        var parameters = new SqlParameters();
        var where = "c.deleted_at IS NULL AND " + Customers.Translate(filter, parameters);
        var customers = await SqlPage.ReadAsync(
            lists, CustomerSelect, "customer c", where, Customers.OrderBy(page, "id", "c.id"), parameters, page, ReadCustomer, ct,
            StrategyFor(filter, page, parameters));
        if (!withAddresses || customers.Items.Count == 0)
        {
            return customers;
        }

        var byCustomer = (await AddressesOfAsync(customers.Items.Select(c => c.Id).ToArray(), ct)).ToLookup(a => a.CustomerId);
        return customers with { Items = customers.Items.Select(c => c with { Addresses = [.. byCustomer[c.Id]] }).ToList() };
    }

    /// <summary>A page of one customer's live addresses (none for a missing or deleted customer).</summary>
    public async Task<ReadPage<AddressSnapshot>> ListAddressesAsync(string customerId, Filter filter, ListQuery page, CancellationToken ct)
    {
        var parameters = new SqlParameters();
        var owner = parameters.Add(customerId, Text);
        var where = $"a.customer_id = {owner} AND a.deleted_at IS NULL AND " + Addresses.Translate(filter, parameters);
        return await SqlPage.ReadAsync(
            lists, AddressSelect, "customer_address a", where, Addresses.OrderBy(page, "id", "a.id"), parameters, page, ReadAddress, ct);
    }

    /// <summary>Whether a live account customer (<c>has_account</c>) has exactly this e-mail: Medusa's check before a
    /// sign-up links anything. The unique index stays the race-free guard.</summary>
    public async Task<bool> AccountExistsAsync(string email, CancellationToken ct)
    {
        await using var command = database.CreateCommand(
            "SELECT EXISTS (SELECT 1 FROM customer WHERE email = $1 AND has_account AND deleted_at IS NULL)");
        command.Parameters.Add(new NpgsqlParameter { Value = email, NpgsqlDbType = Text });
        return await command.ExecuteScalarAsync(ct) is true;
    }

    /// <summary>The auth identities linked to a customer (<c>app_metadata.customer_id</c>); normally at most one.</summary>
    public async Task<IReadOnlyList<string>> IdentitiesOfCustomerAsync(string customerId, CancellationToken ct)
    {
        await using var command = database.CreateCommand("SELECT id FROM auth_identity WHERE app_metadata ->> 'customer_id' = $1 ORDER BY id");
        command.Parameters.Add(new NpgsqlParameter { Value = customerId, NpgsqlDbType = Text });
        var ids = new List<string>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            ids.Add(reader.GetString(0));
        }

        return ids;
    }

    private async Task<IReadOnlyList<AddressSnapshot>> AddressesOfAsync(string[] customerIds, CancellationToken ct)
    {
        await using var command = database.CreateCommand(
            AddressSelect + " WHERE a.customer_id = ANY($1) AND a.deleted_at IS NULL ORDER BY a.id");
        command.Parameters.Add(new NpgsqlParameter { Value = customerIds, NpgsqlDbType = NpgsqlDbType.Array | Text });
        var addresses = new List<AddressSnapshot>();
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            addresses.Add(ReadAddress(reader));
        }

        return addresses;
    }

    /// <summary>
    /// How a customer list is read at scale: the position counters or a group's member index where they cover the
    /// filter, and the sparse-match check for searches (see <see cref="SqlPageStrategy"/>).
    /// </summary>
    private static SqlPageStrategy StrategyFor(Filter filter, ListQuery page, SqlParameters parameters)
    {
        var strategy = GroupMemberPages.Apply(CustomerPositions.Apply(LargeList, filter, page, parameters), filter, page, parameters);
        return filter.AnyPart(part => part is Filter.Search { Text.Length: > 0 }) ? strategy with { SparseMatchTotal = "SELECT customer_position_count(NULL)" } : strategy;
    }

    private static CustomerSnapshot ReadCustomer(DbDataReader row) => new(
        row.GetString(0),
        NullableString(row, 1),
        NullableString(row, 2),
        NullableString(row, 3),
        NullableString(row, 4),
        NullableString(row, 5),
        row.GetBoolean(6),
        NullableString(row, 7),
        NullableString(row, 8),
        row.GetFieldValue<DateTimeOffset>(9),
        row.GetFieldValue<DateTimeOffset>(10),
        row.IsDBNull(11) ? null : row.GetFieldValue<DateTimeOffset>(11),
        ImmutableArray<AddressSnapshot>.Empty);

    private static AddressSnapshot ReadAddress(DbDataReader row) => new(
        row.GetString(0),
        row.GetString(1),
        NullableString(row, 2),
        row.GetBoolean(3),
        row.GetBoolean(4),
        NullableString(row, 5),
        NullableString(row, 6),
        NullableString(row, 7),
        NullableString(row, 8),
        NullableString(row, 9),
        NullableString(row, 10),
        NullableString(row, 11),
        NullableString(row, 12),
        NullableString(row, 13),
        NullableString(row, 14),
        NullableString(row, 15),
        row.GetFieldValue<DateTimeOffset>(16),
        row.GetFieldValue<DateTimeOffset>(17));

    private static string? NullableString(DbDataReader row, int ordinal) => row.IsDBNull(ordinal) ? null : row.GetString(ordinal);
}
