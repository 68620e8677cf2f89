using System.Text.Json.Nodes;
using Customers.Host.Http.Customers;
using Customers.Host.Http.OpenApi;
using Customers.Host.ReadModel;
using Customers.Medusa;

namespace Customers.Host.Http.Admin.Customers;

/// <summary>
/// <c>GET /admin/customers</c>, from the read model in one statement (plus one for <c>*addresses</c>): <c>q</c> over
/// e-mail, names, phone and company; equality filters; operator maps on <c>id</c> and the timestamps; <c>$and</c> and
/// <c>$or</c>; one <c>order</c> field from the customer's columns (anything else is 400, where Medusa answers 500);
/// paging with an exact count. The <c>groups</c> filter matches members of live groups (plus one statement for
/// <c>*groups</c>).
/// </summary>
internal static class AdminCustomerList
{
    /// <summary>
    /// The list's <c>groups</c> filter: customers with a membership in a matching live group. Group ids (<c>groups=id</c>,
    /// <c>groups[]=id</c>, <c>groups[0]=id</c>) or an object of group filters (<c>groups[id]=id</c>,
    /// <c>groups[name]=VIP</c>, operator maps on the timestamps). Deleted groups never match (docs/medusa-compatibility.md D15).
    /// </summary>
    private static readonly FilterField GroupsFilter = new(
        CustomerReadModel.GroupsRelation,
        FilterKind.Relation,
        Relation: new FilterSet(
            search: false,
            andOr: false,
            new FilterField("id", FilterKind.Text),
            new FilterField("name", FilterKind.Text),
            new FilterField("created_at", FilterKind.TimestampOperators),
            new FilterField("updated_at", FilterKind.TimestampOperators),
            new FilterField("deleted_at", FilterKind.TimestampOperators)));

    private static readonly FilterSet Filters = new(
        search: true,
        andOr: true,
        new FilterField("id", FilterKind.TextOperators),
        new FilterField("email", FilterKind.Text),
        new FilterField("company_name", FilterKind.Text),
        new FilterField("first_name", FilterKind.Text),
        new FilterField("last_name", FilterKind.Text),
        new FilterField("phone", FilterKind.Text),
        new FilterField("has_account", FilterKind.Boolean),
        new FilterField("created_by", FilterKind.Text),
        new FilterField("created_at", FilterKind.TimestampOperators),
        new FilterField("updated_at", FilterKind.TimestampOperators),
        new FilterField("deleted_at", FilterKind.TimestampOperators),
        GroupsFilter);

    private static readonly ObjectSchema Schema = Filters.ListSchema();
    private static readonly string[] OrderFields = [.. CustomerReadModel.CustomerColumns.Keys];

    public static async Task<IResult> ListAsync(HttpContext http, CustomerReadModel readModel, CustomerGroupReadModel groupReadModel)
    {
        if (!RequestQuery.Read(http.Request, Schema).TryGetValue(out var query, out var error)
            || !ListQuery.Parse(query, OrderFields).TryGetValue(out var page, out error)
            || !AdminCustomersRoutes.CustomerFields.Select(query).TryGetValue(out var fields, out error)
            || !Filters.Parse(query).TryGetValue(out var filter, out error))
        {
            return error.ToResult();
        }

        var customers = await readModel.ListCustomersAsync(filter, page, fields.Includes(CustomerWire.Addresses), http.RequestAborted);
        var groups = await AdminCustomersRoutes.GroupsAsync(
            [.. customers.Items.Select(c => c.Id)], fields, groupReadModel, http.RequestAborted);
        var items = new JsonArray();
        foreach (var customer in customers.Items)
        {
            items.Add(AdminCustomersRoutes.Project(customer, fields, groups));
        }

        return JsonBodyResult.Of(Envelopes.ListJson("customers", items, customers.Count, page.Offset, page.Limit));
    }

    /// <summary>The OpenAPI description of this route.</summary>
    internal static class Docs
    {
        public static readonly RouteDoc List = new(
            "AdminListCustomers", "List, search and filter customers", WireSchemas.Page("customers", WireSchemas.Customer))
        {
            Query = Schema,
        };
    }
}
