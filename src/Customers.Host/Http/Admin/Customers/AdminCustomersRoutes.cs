using System.Text.Json.Nodes;
using Customers.Abstractions.CustomerGroups;
using Customers.Abstractions.Customers;
using Customers.Abstractions.Errors;
using Customers.Abstractions.Ids;
using Customers.Host.Auth;
using Customers.Host.Http.Admin.CustomerGroups;
using Customers.Host.Http.Customers;
using Customers.Host.Http.OpenApi;
using Customers.Host.ReadModel;
using Customers.Medusa;

namespace Customers.Host.Http.Admin.Customers;

/// <summary>
/// <c>/admin/customers</c> (docs/medusa-compatibility.md §6.1-§6.10): any customer, by id. Lists and search read the
/// relational read model; single customers and every write go through the customer's grain. Group memberships
/// (<c>POST /admin/customers/{id}/customer-groups</c>, <c>*groups</c>) are read and changed in the relational model
/// (<see cref="AdminCustomerGroupsOfCustomerRoutes"/>).
/// </summary>
internal static class AdminCustomersRoutes
{
    internal static readonly FieldRules CustomerFields = new(CustomerWire.AdminCustomerDefaults);

    /// <summary><c>POST /admin/customers</c>: a guest customer (<c>has_account: false</c>) created by the caller (a
    /// user, or a secret key).</summary>
    internal static async Task<IResult> CreateAsync(HttpContext http, IGrainFactory grains, TimeProvider time)
    {
        if (!(await RequestQuery.ReadBodyAsync(http.Request, CustomerRequests.AdminCustomer)).TryGetValue(out var body, out var error)
            || !AdminQuery.Fields(http, CustomerFields).TryGetValue(out var fields, out error))
        {
            return error.ToResult();
        }

        // A duplicate guest e-mail fails at the read model's unique index: 400 "Customer with email: …, already exists."
        var command = CustomerRequests.ToCreateCustomer(body, hasAccount: false, createdBy: http.GetActor().ActorId);
        var customer = await grains.GetGrain<ICustomerGrain>(EntityId.New(EntityId.Customer, time.GetUtcNow())).CreateAsync(command);
        return CustomerResult(customer, fields);
    }

    /// <summary><c>GET /admin/customers/{id}</c>: missing or deleted answers 404 <c>Customer with id: … not found</c>.</summary>
    internal static async Task<IResult> GetAsync(string id, HttpContext http, IGrainFactory grains, CustomerGroupReadModel groups)
    {
        if (!AdminQuery.Fields(http, CustomerFields).TryGetValue(out var fields, out var error))
        {
            return error.ToResult();
        }

        var customer = await grains.GetGrain<ICustomerGrain>(id).GetAsync();
        return customer is null
            ? MedusaError.NotFound($"Customer with id: {id} not found").ToResult()
            : CustomerResult(customer, fields, await GroupsAsync([id], fields, groups, http.RequestAborted));
    }

    /// <summary><c>POST /admin/customers/{id}</c>: a partial update, e-mail included; missing answers 404 with Medusa's
    /// quoted id.</summary>
    internal static async Task<IResult> UpdateAsync(string id, HttpContext http, IGrainFactory grains, CustomerGroupReadModel groups)
    {
        if (!(await RequestQuery.ReadBodyAsync(http.Request, CustomerRequests.AdminCustomer)).TryGetValue(out var body, out var error)
            || !AdminQuery.Fields(http, CustomerFields).TryGetValue(out var fields, out error))
        {
            return error.ToResult();
        }

        try
        {
            var customer = await grains.GetGrain<ICustomerGrain>(id).UpdateAsync(CustomerRequests.ToUpdateCustomer(body));
            return CustomerResult(customer, fields, await GroupsAsync([id], fields, groups, http.RequestAborted));
        }
        catch (CustomersException missing) when (missing.Kind == ErrorKind.NotFound)
        {
            return MedusaError.NotFound($"Customer with id \"{id}\" not found").ToResult();
        }
    }

    /// <summary><c>DELETE /admin/customers/{id}</c>: soft delete, then the customer's login is unlinked (see
    /// <see cref="CustomerDeletion"/>). Always 200.</summary>
    internal static async Task<IResult> DeleteAsync(string id, HttpContext http, CustomerDeletion deletion)
    {
        await deletion.DeleteAsync(id, http.RequestAborted);
        return JsonBodyResult.Of(new JsonObject { ["id"] = id, ["object"] = "customer", ["deleted"] = true });
    }

    internal static JsonBodyResult CustomerResult(
        CustomerSnapshot customer, FieldSelection fields, ILookup<string, CustomerGroupSnapshot>? groups = null) =>
        JsonBodyResult.Wrapped("customer", Project(customer, fields, groups));

    /// <summary>
    /// The customer projected onto <paramref name="fields"/>. <paramref name="groups"/> are the customers' groups when
    /// <c>fields</c> asks for them (<see cref="GroupsAsync"/>); without them
    /// <c>*groups</c> answers <c>[]</c>.
    /// </summary>
    internal static JsonObject Project(
        CustomerSnapshot customer, FieldSelection fields, ILookup<string, CustomerGroupSnapshot>? groups = null)
    {
        var json = CustomerWire.Customer(customer);
        if (groups is not null)
        {
            CustomerGroupWire.WithGroups(json, groups[customer.Id]);
        }

        return Fields.Project(json, fields, CustomerWire.RelationColumns);
    }

    /// <summary>The live groups of each customer when <c>fields</c> asks for <c>groups</c>, else null (nothing is read).</summary>
    internal static async Task<ILookup<string, CustomerGroupSnapshot>?> GroupsAsync(
        IReadOnlyCollection<string> customerIds, FieldSelection fields, CustomerGroupReadModel readModel, CancellationToken ct) =>
        fields.Includes(CustomerWire.Groups) && customerIds.Count > 0 ? await readModel.GroupsOfCustomersAsync(customerIds, ct) : null;

    /// <summary>The OpenAPI description of these routes.</summary>
    internal static class Docs
    {
        public static readonly RouteDoc Create = new("AdminCreateCustomer", "Create a guest customer", Customer())
        {
            Query = AdminQuery.FieldsOnly,
            Body = JsonSchemas.Of(CustomerRequests.AdminCustomer),
            Errors = [StatusCodes.Status409Conflict],
        };

        public static readonly RouteDoc Get = new("AdminGetCustomer", "Get a customer", Customer())
        {
            Query = AdminQuery.FieldsOnly,
            Errors = [StatusCodes.Status404NotFound],
        };

        public static readonly RouteDoc Update = new("AdminUpdateCustomer", "Update a customer", Customer())
        {
            Query = AdminQuery.FieldsOnly,
            Body = JsonSchemas.Of(CustomerRequests.AdminCustomer),
            Errors = [StatusCodes.Status404NotFound, StatusCodes.Status409Conflict],
        };

        public static readonly RouteDoc Delete = new(
            "AdminDeleteCustomer", "Delete a customer and unlink its logins", JsonSchemas.Deleted("customer"))
        {
            Errors = [StatusCodes.Status409Conflict],
        };

        private static JsonObject Customer() => WireSchemas.One("customer", WireSchemas.Customer);
    }
}
