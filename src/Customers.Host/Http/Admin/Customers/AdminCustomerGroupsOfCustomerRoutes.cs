using System.Text.Json.Nodes;
using Customers.Abstractions.CustomerGroups;
using Customers.Abstractions.Customers;
using Customers.Host.Http.Admin.CustomerGroups;
using Customers.Host.Http.Customers;
using Customers.Host.Http.Medusa;
using Customers.Host.Storage;

namespace Customers.Host.Http.Admin.Customers;

/// <summary>
/// A11 <c>POST /admin/customers/{id}/customer-groups</c> <c>{add?, remove?}</c> (group ids): one customer in and out of
/// groups, in one transaction (nothing changes when an id is unknown). Answers the customer (<c>fields=*groups</c> shows
/// its groups). Also what the other customer routes use for groups: the <c>groups</c> filter and loading <c>*groups</c>.
/// </summary>
internal static class AdminCustomerGroupsOfCustomerRoutes
{
    /// <summary>
    /// A1's <c>groups</c> filter: customers with a membership in a matching live group. Group ids (<c>groups=id</c>,
    /// <c>groups[]=id</c>, <c>groups[0]=id</c>) or an object of group filters (<c>groups[id]=id</c>,
    /// <c>groups[name]=VIP</c>, operator maps on the timestamps). Deleted groups never match (spec Q20).
    /// </summary>
    internal static readonly FilterField GroupsFilter = new(
        CustomerWire.Groups,
        FilterKind.Relation,
        Relation: new FilterSet(
            search: false,
            andOr: false,
            new FilterField("id", FilterKind.Text),
            new FilterField("name", FilterKind.Text),
            new FilterField("created_at", FilterKind.TimestampOperators),
            new FilterField("updated_at", FilterKind.TimestampOperators),
            new FilterField("deleted_at", FilterKind.TimestampOperators)));

    public static RouteGroupBuilder MapAdminCustomerGroupsOfCustomerRoutes(this RouteGroupBuilder customers)
    {
        customers.MapPost("/{id}/customer-groups", ChangeGroupsAsync);
        return customers;
    }

    /// <summary>
    /// A missing or deleted customer is 404 <c>You tried to set relationship customer_id: …</c>; a missing or deleted
    /// group in <c>add</c> the <c>customer_group_id</c> variant.
    /// </summary>
    private static async Task<IResult> ChangeGroupsAsync(
        string id, HttpContext http, IGrainFactory grains, CustomerGroupMembership membership, CustomerGroupReadModel readModel)
    {
        if (!(await RequestQuery.ReadBodyAsync(http.Request, CustomerGroupRequests.Membership)).TryGetValue(out var body, out var error)
            || !AdminQuery.Fields(http, AdminCustomersRoutes.CustomerFields).TryGetValue(out var fields, out error))
        {
            return error.ToResult();
        }

        await membership.ChangeGroupsOfCustomerAsync(
            id, CustomerGroupRequests.Ids(body, "add"), CustomerGroupRequests.Ids(body, "remove"), http.RequestAborted);

        // Also reached with an empty body, which changes nothing and so checks nothing.
        var customer = await grains.GetGrain<ICustomerGrain>(id).GetAsync();
        if (customer is null)
        {
            return MedusaError.NotFound($"You tried to set relationship customer_id: {id}, but such entity does not exist").ToResult();
        }

        var groups = await GroupsAsync([customer.Id], fields, readModel, http.RequestAborted);
        return AdminCustomersRoutes.CustomerResult(customer, fields, groups);
    }

    /// <summary>The live groups of each customer when <c>fields</c> asks for <c>groups</c>, else null (nothing is read).</summary>
    internal static async Task<ILookup<string, CustomerGroupSnapshot>?> GroupsAsync(
        IReadOnlyCollection<string> customerIds, FieldSelection fields, CustomerGroupReadModel readModel, CancellationToken ct) =>
        fields.Includes(CustomerWire.Groups) && customerIds.Count > 0 ? await readModel.GroupsOfCustomersAsync(customerIds, ct) : null;
}
