using System.Text.Json.Nodes;
using Customers.Abstractions.Customers;
using Customers.Abstractions.Errors;
using Customers.Host.Http.Customers;
using Customers.Host.Http.OpenApi;
using Customers.Host.ReadModel;
using Customers.Medusa;

namespace Customers.Host.Http.Admin.Customers;

/// <summary>
/// <c>/admin/customers/{id}/addresses</c> (docs/medusa-compatibility.md §6.6-§6.10). Every route is scoped to the
/// customer in the path: another customer's address id is "not found", which Medusa answers leniently (200 <c>{}</c> on
/// GET, 200 and no change on update and delete). Medusa's delete removes the address whatever customer owns it; ours
/// removes nothing then (docs/medusa-compatibility.md D33).
/// </summary>
internal static class AdminCustomerAddressRoutes
{
    private static readonly FieldRules AddressFields = new(CustomerWire.AdminAddressDefaults);

    private static readonly FilterSet Filters = new(
        search: true,
        andOr: false,
        new FilterField("company", FilterKind.Text),
        new FilterField("city", FilterKind.Text),
        new FilterField("country_code", FilterKind.Text),
        new FilterField("province", FilterKind.Text),
        new FilterField("postal_code", FilterKind.Text));

    private static readonly ObjectSchema ListSchema = Filters.ListSchema();
    private static readonly string[] OrderFields = [.. CustomerReadModel.AddressColumns.Keys];

    /// <summary><c>GET /admin/customers/{id}/addresses</c>: from the read model; a missing customer has no addresses
    /// (200, empty).</summary>
    internal static async Task<IResult> ListAsync(string id, HttpContext http, CustomerReadModel readModel)
    {
        if (!RequestQuery.Read(http.Request, ListSchema).TryGetValue(out var query, out var error)
            || !ListQuery.Parse(query, OrderFields).TryGetValue(out var page, out error)
            || !AddressFields.Select(query).TryGetValue(out var fields, out error)
            || !Filters.Parse(query).TryGetValue(out var filter, out error))
        {
            return error.ToResult();
        }

        var addresses = await readModel.ListAddressesAsync(id, filter, page, http.RequestAborted);
        var items = new JsonArray();
        foreach (var address in addresses.Items)
        {
            items.Add(Project(address, fields));
        }

        return JsonBodyResult.Of(Envelopes.ListJson("addresses", items, addresses.Count, page.Offset, page.Limit));
    }

    /// <summary><c>POST /admin/customers/{id}/addresses</c>: answers the customer (admin fields: no addresses unless
    /// <c>fields</c> asks for them).</summary>
    internal static async Task<IResult> AddAsync(string id, HttpContext http, IGrainFactory grains)
    {
        if (!(await RequestQuery.ReadBodyAsync(http.Request, CustomerRequests.AdminAddress)).TryGetValue(out var body, out var error)
            || !AdminQuery.Fields(http, AdminCustomersRoutes.CustomerFields).TryGetValue(out var fields, out error))
        {
            return error.ToResult();
        }

        try
        {
            var customer = await grains.GetGrain<ICustomerGrain>(id).AddAddressAsync(CustomerRequests.ToAddressFields(body));
            return AdminCustomersRoutes.CustomerResult(customer, fields);
        }
        catch (CustomersException missing) when (missing.Kind == ErrorKind.NotFound)
        {
            return MedusaError.NotFound($"You tried to set relationship customer_id: {id}, but such entity does not exist").ToResult();
        }
    }

    /// <summary><c>GET /admin/customers/{id}/addresses/{address_id}</c>: not this customer's address (or no such
    /// customer): 200 <c>{}</c>, as in Medusa.</summary>
    internal static async Task<IResult> GetAsync(string id, string addressId, HttpContext http, IGrainFactory grains)
    {
        if (!AdminQuery.Fields(http, AddressFields).TryGetValue(out var fields, out var error))
        {
            return error.ToResult();
        }

        var address = (await grains.GetGrain<ICustomerGrain>(id).GetAsync())?.Addresses.FirstOrDefault(a => a.Id == addressId);
        return address is null
            ? JsonBodyResult.Of(new JsonObject())
            : JsonBodyResult.Wrapped("address", Project(address, fields));
    }

    /// <summary><c>POST /admin/customers/{id}/addresses/{address_id}</c>: not this customer's address: nothing changes
    /// and the customer is answered (or <c>{}</c> without one).</summary>
    internal static async Task<IResult> UpdateAsync(string id, string addressId, HttpContext http, IGrainFactory grains)
    {
        if (!(await RequestQuery.ReadBodyAsync(http.Request, CustomerRequests.AdminAddress)).TryGetValue(out var body, out var error)
            || !AdminQuery.Fields(http, AdminCustomersRoutes.CustomerFields).TryGetValue(out var fields, out error))
        {
            return error.ToResult();
        }

        var grain = grains.GetGrain<ICustomerGrain>(id);
        CustomerSnapshot? customer;
        try
        {
            customer = await grain.UpdateAddressAsync(addressId, CustomerRequests.ToAddressFields(body));
        }
        catch (CustomersException missing) when (missing.Kind == ErrorKind.NotFound)
        {
            customer = await grain.GetAsync();
        }

        return CustomerOrEmpty(customer, fields);
    }

    /// <summary>
    /// <c>DELETE /admin/customers/{id}/addresses/{address_id}</c>: a hard delete of this customer's address; another
    /// customer's address is left alone (Medusa would delete it). Always 200 with the address id and the customer as
    /// <c>parent</c> (left out when there is none).
    /// </summary>
    internal static async Task<IResult> DeleteAsync(string id, string addressId, HttpContext http, IGrainFactory grains)
    {
        if (!AdminQuery.Fields(http, AdminCustomersRoutes.CustomerFields).TryGetValue(out var fields, out var error))
        {
            return error.ToResult();
        }

        var grain = grains.GetGrain<ICustomerGrain>(id);
        CustomerSnapshot? customer;
        try
        {
            customer = await grain.DeleteAddressAsync(addressId);
        }
        catch (CustomersException missing) when (missing.Kind == ErrorKind.NotFound)
        {
            customer = await grain.GetAsync();
        }

        var answer = new JsonObject { ["id"] = addressId, ["object"] = "customer_address", ["deleted"] = true };
        if (customer is not null)
        {
            answer["parent"] = AdminCustomersRoutes.Project(customer, fields);
        }

        return JsonBodyResult.Of(answer);
    }

    private static JsonBodyResult CustomerOrEmpty(CustomerSnapshot? customer, FieldSelection fields) =>
        customer is null ? JsonBodyResult.Of(new JsonObject()) : AdminCustomersRoutes.CustomerResult(customer, fields);

    private static JsonObject Project(AddressSnapshot address, FieldSelection fields) =>
        Fields.Project(CustomerWire.Address(address), fields, CustomerWire.RelationColumns);

    /// <summary>The OpenAPI description of these routes.</summary>
    internal static class Docs
    {
        public static readonly RouteDoc List = new(
            "AdminListCustomerAddresses", "List and search a customer's addresses", WireSchemas.Page("addresses", WireSchemas.Address))
        {
            Query = ListSchema,
        };

        public static readonly RouteDoc Add = new(
            "AdminCreateCustomerAddress", "Add an address to a customer; answers the customer", WireSchemas.One("customer", WireSchemas.Customer))
        {
            Query = AdminQuery.FieldsOnly,
            Body = JsonSchemas.Of(CustomerRequests.AdminAddress),
            Errors = [StatusCodes.Status404NotFound, StatusCodes.Status409Conflict],
        };

        public static readonly RouteDoc Get = new(
            "AdminGetCustomerAddress",
            "Get a customer's address ({} when it is not this customer's)",
            WireSchemas.One("address", WireSchemas.Address, required: false))
        {
            Query = AdminQuery.FieldsOnly,
        };

        public static readonly RouteDoc Update = new(
            "AdminUpdateCustomerAddress",
            "Update a customer's address; answers the customer ({} without one)",
            WireSchemas.One("customer", WireSchemas.Customer, required: false))
        {
            Query = AdminQuery.FieldsOnly,
            Body = JsonSchemas.Of(CustomerRequests.AdminAddress),
            Errors = [StatusCodes.Status409Conflict],
        };

        public static readonly RouteDoc Delete = new(
            "AdminDeleteCustomerAddress",
            "Delete a customer's address",
            JsonSchemas.Deleted("customer_address", JsonSchemas.Ref(WireSchemas.Customer)))
        {
            Query = AdminQuery.FieldsOnly,
            Errors = [StatusCodes.Status409Conflict],
        };
    }
}
