using Customers.Abstractions.Customers;
using Customers.Host.Http.Admin.CustomerGroups;
using Customers.Host.Http.OpenApi;
using Customers.Host.ReadModel;
using Customers.Host.Stores;
using Customers.Medusa;

namespace Customers.Host.Http.Admin.Customers;

/// <summary>
/// <c>POST /admin/customers/{id}/customer-groups</c> <c>{add?, remove?}</c> (group ids): one customer in and out of
/// groups, in one transaction (nothing changes when an id is unknown). Answers the customer (<c>fields=*groups</c> shows
/// its groups).
/// </summary>
internal static class AdminCustomerGroupsOfCustomerRoutes
{
    /// <summary>
    /// A missing or deleted customer is 404 <c>You tried to set relationship customer_id: …</c>; a missing or deleted
    /// group in <c>add</c> the <c>customer_group_id</c> variant.
    /// </summary>
    internal static async Task<IResult> ChangeGroupsAsync(
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

        var groups = await AdminCustomersRoutes.GroupsAsync([customer.Id], fields, readModel, http.RequestAborted);
        return AdminCustomersRoutes.CustomerResult(customer, fields, groups);
    }

    /// <summary>The OpenAPI description of this route.</summary>
    internal static class Docs
    {
        public static readonly RouteDoc ChangeGroups = new(
            "AdminBatchCustomerGroups", "Add a customer to groups and remove it from others", WireSchemas.One("customer", WireSchemas.Customer))
        {
            Query = AdminQuery.FieldsOnly,
            Body = JsonSchemas.Of(CustomerGroupRequests.Membership),
            Errors = [StatusCodes.Status404NotFound],
        };
    }
}
