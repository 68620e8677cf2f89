using System.Text.Json.Nodes;
using Customers.Abstractions.CustomerGroups;
using Customers.Abstractions.Customers;
using Customers.Abstractions.Errors;
using Customers.Abstractions.Ids;
using Customers.Host.Auth;
using Customers.Host.Http.OpenApi;
using Customers.Host.ReadModel;
using Customers.Host.Stores;
using Customers.Medusa;

namespace Customers.Host.Http.Admin.CustomerGroups;

/// <summary>
/// <c>/admin/customer-groups</c> (docs/medusa-compatibility.md §7). A group's own data lives in its grain (keyed
/// <c>cusgroup_…</c>), which every single-group read and write goes through; lists read the relational model.
/// Memberships are changed by <see cref="CustomerGroupMembership"/>, one database call per request whatever the batch size.
/// </summary>
internal static class AdminCustomerGroupsRoutes
{

    /// <summary><c>POST /admin/customer-groups</c>: a new group created by the caller (a user, or a secret key). A
    /// taken name is 400 "… already exists.".</summary>
    internal static async Task<IResult> CreateAsync(HttpContext http, IGrainFactory grains, TimeProvider time)
    {
        if (!(await RequestQuery.ReadBodyAsync(http.Request, CustomerGroupRequests.Create)).TryGetValue(out var body, out var error)
            || !AdminQuery.Fields(http, CustomerGroupWire.Fields).TryGetValue(out var fields, out error))
        {
            return error.ToResult();
        }

        var command = CustomerGroupRequests.ToCreate(body, http.GetActor().ActorId);
        var group = await grains.GetGrain<ICustomerGroupGrain>(EntityId.New(EntityId.CustomerGroup, time.GetUtcNow())).CreateAsync(command);
        return GroupResult(group, fields, customers: null); // a new group has no members: *customers is []
    }

    /// <summary><c>GET /admin/customer-groups/{id}</c>: missing or deleted answers 404
    /// <c>Customer group with id: … not found</c>.</summary>
    internal static async Task<IResult> GetAsync(string id, HttpContext http, IGrainFactory grains, CustomerGroupReadModel readModel)
    {
        if (!AdminQuery.Fields(http, CustomerGroupWire.Fields).TryGetValue(out var fields, out var error))
        {
            return error.ToResult();
        }

        var group = await grains.GetGrain<ICustomerGroupGrain>(id).GetAsync();
        return group is null
            ? NotFound(id)
            : GroupResult(group, fields, await CustomersAsync(group, fields, readModel, http.RequestAborted));
    }

    /// <summary><c>POST /admin/customer-groups/{id}</c>: rename and/or merge metadata; missing answers 404 with
    /// Medusa's quoted id.</summary>
    internal static async Task<IResult> UpdateAsync(string id, HttpContext http, IGrainFactory grains, CustomerGroupReadModel readModel)
    {
        if (!(await RequestQuery.ReadBodyAsync(http.Request, CustomerGroupRequests.Update)).TryGetValue(out var body, out var error)
            || !AdminQuery.Fields(http, CustomerGroupWire.Fields).TryGetValue(out var fields, out error))
        {
            return error.ToResult();
        }

        CustomerGroupSnapshot group;
        try
        {
            group = await grains.GetGrain<ICustomerGroupGrain>(id).UpdateAsync(CustomerGroupRequests.ToUpdate(body));
        }
        catch (CustomersException missing) when (missing.Kind == ErrorKind.NotFound)
        {
            return MedusaError.NotFound($"Customer group with id \"{id}\" not found").ToResult();
        }

        return GroupResult(group, fields, await CustomersAsync(group, fields, readModel, http.RequestAborted));
    }

    /// <summary><c>DELETE /admin/customer-groups/{id}</c>: soft delete. A missing or already deleted group answers the
    /// same 200.</summary>
    internal static async Task<IResult> DeleteAsync(string id, IGrainFactory grains)
    {
        await grains.GetGrain<ICustomerGroupGrain>(id).DeleteAsync();
        return JsonBodyResult.Of(new JsonObject { ["id"] = id, ["object"] = "customer_group", ["deleted"] = true });
    }

    /// <summary>
    /// <c>POST /admin/customer-groups/{id}/customers</c>: <c>{add?, remove?}</c> customer ids, in one transaction
    /// (nothing changes when an id is unknown). A missing or deleted group is 404
    /// <c>You tried to set relationship customer_group_id: …</c> (Medusa adds members to a deleted group and answers
    /// <c>{}</c>, docs/medusa-compatibility.md D37); an unknown or deleted customer in <c>add</c> is the
    /// <c>customer_id</c> variant.
    /// </summary>
    internal static async Task<IResult> ChangeCustomersAsync(
        string id, HttpContext http, IGrainFactory grains, CustomerGroupMembership membership, CustomerGroupReadModel readModel)
    {
        if (!(await RequestQuery.ReadBodyAsync(http.Request, CustomerGroupRequests.Membership)).TryGetValue(out var body, out var error)
            || !AdminQuery.Fields(http, CustomerGroupWire.Fields).TryGetValue(out var fields, out error))
        {
            return error.ToResult();
        }

        await membership.ChangeCustomersOfGroupAsync(
            id, CustomerGroupRequests.Ids(body, "add"), CustomerGroupRequests.Ids(body, "remove"), http.RequestAborted);

        // Also reached with an empty body, which changes nothing and so checks nothing.
        var group = await grains.GetGrain<ICustomerGroupGrain>(id).GetAsync();
        return group is null
            ? MedusaError.NotFound(UnknownGroupRelationship(id)).ToResult()
            : GroupResult(group, fields, await CustomersAsync(group, fields, readModel, http.RequestAborted));
    }

    /// <summary>Medusa's foreign-key wording for a group that does not exist (or, here, was deleted).</summary>
    internal static string UnknownGroupRelationship(string id) =>
        $"You tried to set relationship customer_group_id: {id}, but such entity does not exist";

    private static IResult NotFound(string id) => MedusaError.NotFound($"Customer group with id: {id} not found").ToResult();

    private static JsonBodyResult GroupResult(CustomerGroupSnapshot group, FieldSelection fields, IEnumerable<CustomerSnapshot>? customers) =>
        JsonBodyResult.Wrapped("customer_group", CustomerGroupWire.Project(group, fields, customers));

    /// <summary>The group's live customers when <c>fields</c> asks for them, else null (nothing is read).</summary>
    private static async Task<IEnumerable<CustomerSnapshot>?> CustomersAsync(
        CustomerGroupSnapshot group, FieldSelection fields, CustomerGroupReadModel readModel, CancellationToken ct) =>
        fields.Includes(CustomerGroupWire.Customers) ? (await readModel.CustomersOfGroupsAsync([group.Id], ct))[group.Id] : null;

    /// <summary>The OpenAPI description of these routes.</summary>
    internal static class Docs
    {
        public static readonly RouteDoc Create = new("AdminCreateCustomerGroup", "Create a customer group", Group())
        {
            Query = AdminQuery.FieldsOnly,
            Body = JsonSchemas.Of(CustomerGroupRequests.Create),
            Errors = [StatusCodes.Status409Conflict],
        };

        public static readonly RouteDoc Get = new("AdminGetCustomerGroup", "Get a customer group", Group())
        {
            Query = AdminQuery.FieldsOnly,
            Errors = [StatusCodes.Status404NotFound],
        };

        public static readonly RouteDoc Update = new("AdminUpdateCustomerGroup", "Rename a customer group or change its metadata", Group())
        {
            Query = AdminQuery.FieldsOnly,
            Body = JsonSchemas.Of(CustomerGroupRequests.Update),
            Errors = [StatusCodes.Status404NotFound, StatusCodes.Status409Conflict],
        };

        public static readonly RouteDoc Delete = new(
            "AdminDeleteCustomerGroup", "Delete a customer group", JsonSchemas.Deleted("customer_group"))
        {
            Errors = [StatusCodes.Status409Conflict],
        };

        public static readonly RouteDoc ChangeCustomers = new(
            "AdminBatchCustomerGroupCustomers", "Add customers to a group and remove others", Group())
        {
            Query = AdminQuery.FieldsOnly,
            Body = JsonSchemas.Of(CustomerGroupRequests.Membership),
            Errors = [StatusCodes.Status404NotFound],
        };

        private static JsonObject Group() => WireSchemas.One("customer_group", WireSchemas.Group);
    }
}
