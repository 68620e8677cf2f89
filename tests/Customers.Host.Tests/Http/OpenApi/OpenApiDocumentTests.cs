using System.Net;
using System.Text.Json.Nodes;
using Customers.Abstractions.CustomerGroups;
using Customers.Abstractions.Customers;
using Customers.Host.Http.Admin.ApiKeys;
using Customers.Host.Http.Admin.CustomerGroups;
using Customers.Host.Http.Customers;
using Customers.Host.Http.OpenApi;
using Customers.Host.Stores;
using Customers.Host.Tests.Http.Admin;
using Customers.Medusa;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Customers.Host.Tests.Http.OpenApi;

/// <summary>The document describes every route the host maps, and every key the wire builders write.</summary>
[Collection(HttpCollection.Name)]
public sealed class OpenApiDocumentTests(CustomersApiFactory api)
{
    /// <summary>Mapped, but not part of the API: health, the document itself, the dashboard, the reference page.</summary>
    private static readonly string[] OperationsPrefixes = ["/health", "/openapi", "/dashboard", "/scalar"];

    [Fact]
    public async Task Every_mapped_route_is_an_operation_with_an_id_and_a_success_schema()
    {
        var contract = await OpenApiContract.LoadAsync(api);
        var mapped = api.Services.GetRequiredService<EndpointDataSource>().Endpoints
            .OfType<RouteEndpoint>()
            .Where(endpoint => endpoint.Order != int.MaxValue) // MapFallback's catch-all
            .Select(endpoint => (Endpoint: endpoint, Path: "/" + endpoint.RoutePattern.RawText!.Trim('/')))
            .Where(route => !OperationsPrefixes.Any(prefix => route.Path.StartsWith(prefix, StringComparison.Ordinal)))
            .SelectMany(route => route.Endpoint.Metadata.GetRequiredMetadata<IHttpMethodMetadata>().HttpMethods.Select(method => $"{method} {route.Path}"))
            .Order()
            .ToList();
        var operations = contract.Operations.ToList();

        Assert.Equal(mapped, operations.Select(o => $"{o.Method} {o.Path}").Order());
        Assert.Equal(52, mapped.Count);
        var ids = operations.Select(o => o.Id).ToList();
        Assert.All(operations, o => Assert.True(o.Id.Length > 0, $"{o.Method} {o.Path} has no operation id"));
        Assert.Equal(ids.Count, ids.Distinct().Count());
        Assert.All(operations, o =>
        {
            var success = o.Operation["responses"]!.AsObject().Single(response => response.Key.StartsWith('2'));
            Assert.NotNull(success.Value!["content"]!.AsObject().Single().Value!["schema"]);
            Assert.False(string.IsNullOrEmpty(o.Operation["summary"]?.GetValue<string>()), $"{o.Method} {o.Path} has no summary");
        });
    }

    [Fact]
    public async Task Every_error_answer_is_a_MedusaError()
    {
        var contract = await OpenApiContract.LoadAsync(api);

        var errors = contract.Operations
            .SelectMany(o => o.Operation["responses"]!.AsObject().Where(r => !r.Key.StartsWith('2')))
            .Select(r => r.Value!["content"]!["application/json"]!["schema"]!["$ref"]!.GetValue<string>())
            .Distinct();

        Assert.Equal(["#/components/schemas/MedusaError"], errors);
        Assert.Equal(
            PropertiesOf(contract, JsonSchemas.ErrorComponent),
            Keys(JsonNode.Parse(new MedusaError(400, "invalid_data", "x", "code").ToJsonBytes())!.AsObject()));
    }

    [Fact]
    public async Task Request_schemas_are_the_handlers_validation_schemas()
    {
        var contract = await OpenApiContract.LoadAsync(api);
        var operation = contract.Operations.Single(o => o.Id == "AdminCreateCustomer").Operation;

        var body = operation["requestBody"]!["content"]!["application/json"]!["schema"]!;

        Assert.Equal(CustomerRequests.AdminCustomer.Rules.Select(rule => rule.Name).Order(), Keys(body["properties"]!.AsObject()));
        Assert.False(body["additionalProperties"]!.GetValue<bool>());
        Assert.Equal(["fields"], operation["parameters"]!.AsArray().Where(p => p!["in"]!.GetValue<string>() == "query").Select(p => p!["name"]!.GetValue<string>()));
        var list = contract.Operations.Single(o => o.Id == "AdminListCustomers").Operation;
        Assert.Contains("created_at", list["parameters"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()));
        Assert.Contains("$or", list["parameters"]!.AsArray().Select(p => p!["name"]!.GetValue<string>()));
    }

    /// <summary>Every key a builder writes, relations included, is declared; nothing else is.</summary>
    [Fact]
    public async Task Components_declare_exactly_the_keys_the_wire_builders_write()
    {
        var contract = await OpenApiContract.LoadAsync(api);
        var now = DateTimeOffset.UtcNow;
        var address = new AddressSnapshot("cuaddr_1", "cus_1", null, false, false, null, null, null, null, null, null, null, null, null, null, null, now, now);
        var customer = new CustomerSnapshot("cus_1", null, null, null, null, null, false, null, null, now, now, null, [address]);
        var group = new CustomerGroupSnapshot("cusgroup_1", "VIP", null, null, now, now, null);
        var key = new ApiKeyStore.ApiKeyRecord("apk_1", "pk_1", "pk_***", "Shop", "publishable", null, "user_1", now, now, null, null, null);

        AssertKeys(contract, WireSchemas.Customer, CustomerGroupWire.WithGroups(CustomerWire.Customer(customer), [group]), CustomerWire.RelationColumns);
        AssertKeys(contract, WireSchemas.Address, CustomerWire.Address(address));
        AssertKeys(contract, WireSchemas.Group, CustomerGroupWire.Group(group, [customer]), CustomerGroupWire.RelationColumns);
        AssertKeys(contract, WireSchemas.ApiKey, ApiKeyWire.Key(key), ApiKeyWire.RelationColumns);
        AssertKeys(contract, WireSchemas.CreatedApiKey, ApiKeyWire.Created(new ApiKeyStore.CreatedKey("apk_1", "pk_1", key)));

        // The user is built inside its route: compare with a real default answer.
        var admin = await api.CreateAdminAsync();
        var user = (await api.Anonymous.GetAsync("/admin/users/me", admin.Token)).Expect(HttpStatusCode.OK).Object["user"]!.AsObject();
        AssertKeys(contract, WireSchemas.User, user);
    }

    private static void AssertKeys(
        OpenApiContract contract, string component, JsonObject built, IReadOnlyDictionary<string, IReadOnlyList<string>>? relations = null) =>
        Assert.Equal(Keys(built).Union(relations?.Keys ?? []).Order(), PropertiesOf(contract, component));

    private static IEnumerable<string> PropertiesOf(OpenApiContract contract, string component) =>
        Keys(contract.Document["components"]!["schemas"]![component]!["properties"]!.AsObject());

    private static IOrderedEnumerable<string> Keys(JsonObject json) => json.Select(pair => pair.Key).Order();
}
