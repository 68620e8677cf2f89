using System.Text.Json.Nodes;
using Customers.Host.Http.OpenApi;
using Customers.Host.ReadModel;
using Customers.Medusa;

namespace Customers.Host.Http.Admin.CustomerGroups;

/// <summary>
/// <c>GET /admin/customer-groups</c>, from the relational model in one statement (plus one for <c>*customers</c>):
/// <c>q</c> on the name; <c>id</c> and <c>name</c> as values, lists or operator maps (Medusa takes values and lists
/// only); <c>created_by</c>; operator maps on the timestamps; <c>customers</c> (member ids, or an object of filters on
/// the members, as the dashboard's <c>customers[id]=cus_…</c>); <c>$and</c>/<c>$or</c>; one <c>order</c> column (others
/// are 400, where Medusa answers 500); paging with an exact count.
/// </summary>
internal static class AdminCustomerGroupList
{
    private static readonly FilterSet MemberFilters = new(
        search: false,
        andOr: false,
        new FilterField("id", FilterKind.TextOperators),
        new FilterField("email", FilterKind.TextOperators),
        new FilterField("default_billing_address_id", FilterKind.Text),
        new FilterField("default_shipping_address_id", FilterKind.Text),
        new FilterField("company_name", FilterKind.Text),
        new FilterField("first_name", FilterKind.Text),
        new FilterField("last_name", FilterKind.Text),
        new FilterField("created_by", FilterKind.Text),
        new FilterField("created_at", FilterKind.TimestampOperators),
        new FilterField("updated_at", FilterKind.TimestampOperators),
        new FilterField("deleted_at", FilterKind.TimestampOperators));

    private static readonly FilterSet Filters = new(
        search: true,
        andOr: true,
        new FilterField("id", FilterKind.TextOperators),
        new FilterField("name", FilterKind.TextOperators),
        new FilterField("created_by", FilterKind.Text),
        new FilterField("created_at", FilterKind.TimestampOperators),
        new FilterField("updated_at", FilterKind.TimestampOperators),
        new FilterField("deleted_at", FilterKind.TimestampOperators),
        new FilterField(CustomerGroupWire.Customers, FilterKind.Relation, Relation: MemberFilters));

    private static readonly ObjectSchema Schema = Filters.ListSchema();
    private static readonly string[] OrderFields = [.. CustomerGroupColumns.Columns.Keys];

    public static async Task<IResult> ListAsync(HttpContext http, CustomerGroupReadModel readModel)
    {
        if (!RequestQuery.Read(http.Request, Schema).TryGetValue(out var query, out var error)
            || !ListQuery.Parse(query, OrderFields).TryGetValue(out var page, out error)
            || !CustomerGroupWire.Fields.Select(query).TryGetValue(out var fields, out error)
            || !Filters.Parse(query).TryGetValue(out var filter, out error))
        {
            return error.ToResult();
        }

        var groups = await readModel.ListGroupsAsync(filter, page, http.RequestAborted);
        var customers = fields.Includes(CustomerGroupWire.Customers) && groups.Items.Count > 0
            ? await readModel.CustomersOfGroupsAsync([.. groups.Items.Select(g => g.Id)], http.RequestAborted)
            : null;

        var items = new JsonArray();
        foreach (var group in groups.Items)
        {
            items.Add(CustomerGroupWire.Project(group, fields, customers?[group.Id]));
        }

        return JsonBodyResult.Of(Envelopes.ListJson("customer_groups", items, groups.Count, page.Offset, page.Limit));
    }

    /// <summary>The OpenAPI description of this route.</summary>
    internal static class Docs
    {
        public static readonly RouteDoc List = new(
            "AdminListCustomerGroups", "List, search and filter customer groups", WireSchemas.Page("customer_groups", WireSchemas.Group))
        {
            Query = Schema,
        };
    }
}
