using System.Text.Json;
using System.Text.Json.Nodes;
using Customers.Abstractions.Auth;
using Customers.Abstractions.Customers;
using Customers.Abstractions.Errors;
using Customers.Host.Auth;
using Customers.Host.Http.Customers;
using Customers.Host.Http.OpenApi;
using Customers.Host.ReadModel;
using Customers.Medusa;

namespace Customers.Host.Http.Store.Customers;

/// <summary>
/// <c>/store/customers</c> (docs/medusa-compatibility.md §5.1-§5.8): a signed-in customer's own profile and addresses.
/// The customer is always the token's actor, so no route can reach another customer's data.
/// </summary>
internal static class StoreCustomersRoutes
{
    private static readonly FieldRules CustomerFields = new(CustomerWire.StoreCustomerDefaults, CustomerWire.StoreCustomerAllowList);
    private static readonly FieldRules AddressFields = new(CustomerWire.StoreAddressDefaults(), CustomerWire.StoreAddressDefaults());
    private static readonly ObjectSchema FieldsOnly = new(Field.String("fields"));

    /// <summary><c>POST /store/customers</c>: creates the account customer for a freshly registered identity and links
    /// the two.</summary>
    internal static async Task<IResult> CreateAsync(HttpContext http, IGrainFactory grains, CustomerReadModel customers)
    {
        if (!(await RequestQuery.ReadBodyAsync(http.Request, CustomerRequests.StoreCreateCustomer)).TryGetValue(out var body, out var error)
            || !Selection(http, CustomerFields).TryGetValue(out var fields, out error))
        {
            return error.ToResult();
        }

        var actor = http.GetActor();
        if (actor.IsRegistered)
        {
            return MedusaError.InvalidData("Request already authenticated as a customer.").ToResult();
        }

        var command = CustomerRequests.ToCreateCustomer(body, hasAccount: true, createdBy: null);
        if (string.IsNullOrEmpty(command.Email))
        {
            return MedusaError.InvalidData("Email is required to create a customer").ToResult();
        }

        // The unique index on (email, has_account) is the race-free form of Medusa's check that the e-mail has no
        // account yet, and a sign-up needs no query of its own for it. A refusal for another reason (this identity
        // already has its customer, as after a retry of a sign-up whose answer was lost, or no longer exists) is the
        // duplicate error whenever the e-mail has an account, because Medusa checks the e-mail first.
        var identity = grains.GetGrain<IAuthIdentityGrain>(actor.AuthIdentityId);
        CustomerSnapshot customer;
        try
        {
            customer = await identity.CreateCustomerAsync(command);
        }
        catch (CustomersException duplicate) when (duplicate.Kind == ErrorKind.UniqueViolation)
        {
            return DuplicateAccount();
        }
        catch (CustomersException)
        {
            if (await customers.AccountExistsAsync(command.Email, http.RequestAborted))
            {
                return DuplicateAccount();
            }

            throw;
        }

        return CustomerResult(customer, fields);
    }

    private static MedusaErrorResult DuplicateAccount() =>
        MedusaError.Duplicate("Customer with this email already has an account").ToResult();

    internal static async Task<IResult> GetMeAsync(HttpContext http, IGrainFactory grains)
    {
        if (!Selection(http, CustomerFields).TryGetValue(out var fields, out var error))
        {
            return error.ToResult();
        }

        var actor = http.GetActor();
        var customer = await Me(http, grains).GetAsync();
        return customer is null
            ? MedusaError.NotFound($"Customer with id: {actor.ActorId} was not found").ToResult()
            : CustomerResult(customer, fields);
    }

    internal static async Task<IResult> UpdateMeAsync(HttpContext http, IGrainFactory grains)
    {
        if (!(await RequestQuery.ReadBodyAsync(http.Request, CustomerRequests.StoreUpdateCustomer)).TryGetValue(out var body, out var error)
            || !Selection(http, CustomerFields).TryGetValue(out var fields, out error))
        {
            return error.ToResult();
        }

        var customer = await Me(http, grains).UpdateAsync(CustomerRequests.ToUpdateCustomer(body));
        return CustomerResult(customer, fields);
    }

    internal static async Task<IResult> AddAddressAsync(HttpContext http, IGrainFactory grains)
    {
        if (!(await RequestQuery.ReadBodyAsync(http.Request, CustomerRequests.Address)).TryGetValue(out var body, out var error)
            || !Selection(http, CustomerFields).TryGetValue(out var fields, out error))
        {
            return error.ToResult();
        }

        var customer = await Me(http, grains).AddAddressAsync(CustomerRequests.ToAddressFields(body));
        return CustomerResult(customer, fields);
    }

    internal static async Task<IResult> GetAddressAsync(string addressId, HttpContext http, IGrainFactory grains)
    {
        if (!Selection(http, AddressFields).TryGetValue(out var fields, out var error))
        {
            return error.ToResult();
        }

        var address = (await Me(http, grains).GetAsync())?.Addresses.FirstOrDefault(a => a.Id == addressId);
        return address is null
            ? MedusaError.NotFound($"Address with id: {addressId} was not found").ToResult()
            : JsonBodyResult.Wrapped("address", Project(CustomerWire.Address(address), fields));
    }

    internal static async Task<IResult> UpdateAddressAsync(string addressId, HttpContext http, IGrainFactory grains)
    {
        if (!(await RequestQuery.ReadBodyAsync(http.Request, CustomerRequests.Address)).TryGetValue(out var body, out var error)
            || !Selection(http, CustomerFields).TryGetValue(out var fields, out error))
        {
            return error.ToResult();
        }

        var customer = await Me(http, grains).UpdateAddressAsync(addressId, CustomerRequests.ToAddressFields(body));
        return CustomerResult(customer, fields);
    }

    /// <summary><c>DELETE /store/customers/me/addresses/{address_id}</c>: note that Medusa answers with the
    /// <em>customer</em> id in <c>id</c>.</summary>
    internal static async Task<IResult> DeleteAddressAsync(string addressId, HttpContext http, IGrainFactory grains)
    {
        if (!Selection(http, CustomerFields).TryGetValue(out var fields, out var error))
        {
            return error.ToResult();
        }

        var customer = await Me(http, grains).DeleteAddressAsync(addressId);
        return JsonBodyResult.Of(new JsonObject
        {
            ["id"] = customer.Id,
            ["object"] = "address",
            ["deleted"] = true,
            ["parent"] = Project(CustomerWire.Customer(customer), fields),
        });
    }

    private static ICustomerGrain Me(HttpContext http, IGrainFactory grains) =>
        CustomerGrains.Get(grains, http.GetActor().ActorId);

    private static MedusaResult<FieldSelection> Selection(HttpContext http, FieldRules rules) =>
        RequestQuery.Read(http.Request, FieldsOnly).TryGetValue(out var query, out var error) ? rules.Select(query) : error;

    // The default answer (and any selection of whole columns) is written straight from the snapshot when it is sent:
    // nothing is kept per customer and a request allocates only its small result. Other selections are projected.
    private static readonly bool DefaultIsWritten = CustomerWire.CanWrite(CustomerFields.Default);

    private static IResult CustomerResult(CustomerSnapshot customer, FieldSelection fields) =>
        (fields.IsDefault ? DefaultIsWritten : CustomerWire.CanWrite(fields))
            ? new WrittenJsonResult<(CustomerSnapshot, FieldSelection)>((customer, fields), WriteCustomerAnswer)
            : JsonBodyResult.Wrapped("customer", Project(CustomerWire.Customer(customer), fields));

    private static readonly Action<Utf8JsonWriter, (CustomerSnapshot Customer, FieldSelection Fields)> WriteCustomerAnswer =
        (writer, answer) =>
        {
            writer.WriteStartObject();
            writer.WritePropertyName("customer");
            CustomerWire.WriteCustomer(writer, answer.Customer, answer.Fields);
            writer.WriteEndObject();
        };

    internal static JsonObject Project(JsonObject full, FieldSelection fields) =>
        Fields.Project(full, fields, CustomerWire.RelationColumns);

    /// <summary>The OpenAPI description of these routes.</summary>
    internal static class Docs
    {
        public static readonly RouteDoc Create = new(
            "StoreCreateCustomer", "Create the customer of a newly registered identity", Customer())
        {
            Query = FieldsOnly,
            Body = JsonSchemas.Of(CustomerRequests.StoreCreateCustomer),
            Errors = [StatusCodes.Status409Conflict, StatusCodes.Status422UnprocessableEntity],
        };

        public static readonly RouteDoc GetMe = new("StoreGetCustomer", "Get the signed-in customer", Customer())
        {
            Query = FieldsOnly,
            Errors = [StatusCodes.Status404NotFound],
        };

        public static readonly RouteDoc UpdateMe = new("StoreUpdateCustomer", "Update the signed-in customer", Customer())
        {
            Query = FieldsOnly,
            Body = JsonSchemas.Of(CustomerRequests.StoreUpdateCustomer),
            Errors = [StatusCodes.Status404NotFound, StatusCodes.Status409Conflict],
        };

        public static readonly RouteDoc AddAddress = new("StoreCreateAddress", "Add an address; answers the customer", Customer())
        {
            Query = FieldsOnly,
            Body = JsonSchemas.Of(CustomerRequests.Address),
            Errors = [StatusCodes.Status404NotFound, StatusCodes.Status409Conflict],
        };

        public static readonly RouteDoc GetAddress = new(
            "StoreGetAddress", "Get one of the customer's addresses", WireSchemas.One("address", WireSchemas.Address))
        {
            Query = FieldsOnly,
            Errors = [StatusCodes.Status404NotFound],
        };

        public static readonly RouteDoc UpdateAddress = new(
            "StoreUpdateAddress", "Update one of the customer's addresses; answers the customer", Customer())
        {
            Query = FieldsOnly,
            Body = JsonSchemas.Of(CustomerRequests.Address),
            Errors = [StatusCodes.Status404NotFound, StatusCodes.Status409Conflict],
        };

        /// <summary>Medusa answers the customer's id in <c>id</c>.</summary>
        public static readonly RouteDoc DeleteAddress = new(
            "StoreDeleteAddress",
            "Delete one of the customer's addresses",
            JsonSchemas.Deleted("address", JsonSchemas.Ref(WireSchemas.Customer), parentRequired: true))
        {
            Query = FieldsOnly,
            Errors = [StatusCodes.Status404NotFound, StatusCodes.Status409Conflict],
        };

        private static JsonObject Customer() => WireSchemas.One("customer", WireSchemas.Customer);
    }
}
