using Customers.Testing;
using System.Net;
using System.Text.Json.Nodes;
using Xunit;

namespace Customers.Host.Tests.Http;

/// <summary><c>/store/customers/me/addresses</c> (docs/medusa-compatibility.md §5.4-§5.8): a customer's own addresses
/// only.</summary>
[Collection(HttpCollection.Name)]
public sealed class StoreAddressTests(CustomersApiFactory api)
{
    private const string Addresses = "/store/customers/me/addresses";

    /// <summary>A nested address (<c>*addresses</c>): every column, <c>deleted_at</c> included.</summary>
    private static readonly string[] NestedAddressKeys =
    [
        "id", "address_name", "is_default_shipping", "is_default_billing", "company", "first_name", "last_name",
        "address_1", "address_2", "city", "country_code", "province", "postal_code", "phone", "metadata", "customer_id",
        "created_at", "updated_at", "deleted_at",
    ];

    /// <summary>The address routes' default: no <c>deleted_at</c>.</summary>
    private static readonly string[] StoreAddressKeys =
    [
        "id", "address_name", "company", "customer_id", "first_name", "last_name", "address_1", "address_2", "city",
        "province", "postal_code", "country_code", "phone", "metadata", "is_default_shipping", "is_default_billing",
        "created_at", "updated_at",
    ];

    [Fact]
    public async Task Add_answers_the_customer_holding_the_new_address()
    {
        var customer = await api.CreateCustomerAsync();
        var body = new JsonObject
        {
            ["first_name"] = "John",
            ["last_name"] = "Doe",
            ["address_1"] = "1 Main St",
            ["address_2"] = "",
            ["city"] = "Copenhagen",
            ["country_code"] = "dk",
            ["province"] = "Capital",
            ["postal_code"] = "1000",
            ["phone"] = "555",
            ["company"] = "Acme",
            ["address_name"] = "Home",
            ["metadata"] = new JsonObject { ["x"] = 1 },
        };

        var response = await api.Api.PostAsync(Addresses, body.DeepClone(), customer.Token);

        response.Expect(HttpStatusCode.OK);
        Assert.Equal(["customer"], response.Object.Select(p => p.Key));
        var me = response.Object["customer"]!.AsObject();
        Assert.Equal(StoreCustomerTests.DefaultCustomerKeys, me.Select(p => p.Key));
        Assert.Equal(customer.CustomerId, me["id"]!.GetValue<string>());
        var address = Assert.Single(me["addresses"]!.AsArray())!.AsObject();
        Assert.Equal(NestedAddressKeys.Order(StringComparer.Ordinal), address.Select(p => p.Key).Order(StringComparer.Ordinal));
        Assert.Matches("^cuaddr_[0-9A-HJKMNP-TV-Z]{26}$", address["id"]!.GetValue<string>());
        Assert.Equal(customer.CustomerId, address["customer_id"]!.GetValue<string>());
        foreach (var (key, value) in body)
        {
            Assert.True(JsonNode.DeepEquals(value, address[key]), $"{key}: {address[key]?.ToJsonString()}");
        }

        Assert.False(address["is_default_shipping"]!.GetValue<bool>());
        Assert.False(address["is_default_billing"]!.GetValue<bool>());
        Assert.Null(address["deleted_at"]);
        Assert.Matches(StoreCustomerTests.TimestampPattern, address["created_at"]!.GetValue<string>());
    }

    [Fact]
    public async Task Add_with_an_empty_body_makes_an_empty_address()
    {
        var customer = await api.CreateCustomerAsync();

        var response = await api.Api.PostAsync(Addresses, new JsonObject(), customer.Token);

        var address = Assert.Single(response.Expect(HttpStatusCode.OK).Object["customer"]!["addresses"]!.AsArray())!;
        Assert.Null(address["first_name"]);
        Assert.Null(address["city"]);
        Assert.Null(address["metadata"]);
    }

    [Theory]
    [InlineData("""{"customer_id":"cus_other"}""", "Invalid request: Unrecognized fields: 'customer_id'")]
    [InlineData("""{"additional_data":{}}""", "Invalid request: Unrecognized fields: 'additional_data'")]
    [InlineData("""{"is_default_shipping":"yes"}""", "Invalid request: Expected type: 'boolean' for field 'is_default_shipping', got: 'yes'")]
    [InlineData("""{"city":5}""", "Invalid request: Expected type: 'string' for field 'city', got: '5'")]
    public async Task Add_with_an_invalid_body_is_400_and_adds_nothing(string body, string message)
    {
        var customer = await api.CreateCustomerAsync();

        var response = await api.Api.PostRawAsync(Addresses, body, token: customer.Token);

        response.ExpectError(HttpStatusCode.BadRequest, "invalid_data", message);
        Assert.Empty(await ListIdsAsync(customer));
    }

    [Fact]
    public async Task Country_code_must_be_ISO_alpha_2_and_is_stored_as_sent()
    {
        var customer = await api.CreateCustomerAsync();

        var invalid = await api.Api.PostAsync(Addresses, new { country_code = "zz" }, customer.Token);
        var upper = await api.Api.PostAsync(Addresses, new { country_code = "DK" }, customer.Token);

        invalid.Expect(HttpStatusCode.BadRequest);
        Assert.Equal("invalid_data", invalid.Type);
        Assert.StartsWith("Invalid request: ", invalid.Message, StringComparison.Ordinal);
        Assert.Contains("country_code", invalid.Message, StringComparison.Ordinal);
        var stored = Assert.Single(upper.Expect(HttpStatusCode.OK).Object["customer"]!["addresses"]!.AsArray())!;
        Assert.Equal("DK", stored["country_code"]!.GetValue<string>());
    }

    [Fact]
    public async Task New_default_address_takes_each_flag_from_the_others()
    {
        var customer = await api.CreateCustomerAsync();
        var first = await api.AddAddressAsync(customer, new JsonObject { ["is_default_shipping"] = true, ["is_default_billing"] = true });

        var second = await api.AddAddressAsync(customer, new JsonObject { ["is_default_shipping"] = true });

        var flags = await FlagsAsync(customer);
        Assert.Equal((false, true), flags[first]);
        Assert.Equal((true, false), flags[second]);

        var third = await api.AddAddressAsync(customer, new JsonObject { ["is_default_billing"] = true, ["is_default_shipping"] = false });

        flags = await FlagsAsync(customer);
        Assert.Equal((false, false), flags[first]);
        Assert.Equal((true, false), flags[second]);
        Assert.Equal((false, true), flags[third]);
    }

    [Fact]
    public async Task Updating_an_address_to_default_takes_the_flag_and_false_leaves_the_others()
    {
        var customer = await api.CreateCustomerAsync();
        var first = await api.AddAddressAsync(customer, new JsonObject { ["is_default_shipping"] = true, ["is_default_billing"] = true });
        var second = await api.AddAddressAsync(customer, new JsonObject { ["first_name"] = "Second" });

        var response = await api.Api.PostAsync($"{Addresses}/{second}", new { first_name = "jane", is_default_shipping = true }, customer.Token);

        var addresses = response.Expect(HttpStatusCode.OK).Object["customer"]!["addresses"]!.AsArray();
        var updated = addresses.Single(a => a!["id"]!.GetValue<string>() == second)!;
        Assert.Equal("jane", updated["first_name"]!.GetValue<string>());
        var flags = await FlagsAsync(customer);
        Assert.Equal((false, true), flags[first]);
        Assert.Equal((true, false), flags[second]);

        (await api.Api.PostAsync($"{Addresses}/{second}", new { is_default_billing = false }, customer.Token)).Expect(HttpStatusCode.OK);

        flags = await FlagsAsync(customer);
        Assert.Equal((false, true), flags[first]);
        Assert.Equal((true, false), flags[second]);
    }

    [Fact]
    public async Task Partial_update_keeps_the_fields_left_out_and_merges_metadata()
    {
        var customer = await api.CreateCustomerAsync();
        var id = await api.AddAddressAsync(customer, new JsonObject
        {
            ["first_name"] = "John",
            ["last_name"] = "Doe",
            ["city"] = "Aarhus",
            ["metadata"] = new JsonObject { ["a"] = 1, ["b"] = 2 },
        });

        var response = await api.Api.PostAsync($"{Addresses}/{id}", new JsonObject
        {
            ["first_name"] = "Jane",
            ["city"] = null,
            ["metadata"] = new JsonObject { ["a"] = "" },
        }, customer.Token);

        response.Expect(HttpStatusCode.OK);
        var address = (await api.Api.GetAsync($"{Addresses}/{id}", customer.Token)).Expect(HttpStatusCode.OK).Object["address"]!;
        Assert.Equal("Jane", address["first_name"]!.GetValue<string>());
        Assert.Equal("Doe", address["last_name"]!.GetValue<string>());
        Assert.Null(address["city"]);
        Assert.Equal("""{"b":2}""", address["metadata"]!.ToJsonString());
    }

    [Fact]
    public async Task Update_that_changes_nothing_keeps_updated_at_and_a_real_change_moves_it()
    {
        var customer = await api.CreateCustomerAsync();
        var id = await api.AddAddressAsync(customer, new JsonObject { ["city"] = "Vejle", ["metadata"] = new JsonObject { ["a"] = 1 } });
        var before = (await api.Api.GetAsync($"{Addresses}/{id}", customer.Token)).Expect(HttpStatusCode.OK).Object["address"]!;
        api.Clock.Advance(TimeSpan.FromSeconds(1));

        (await api.Api.PostAsync($"{Addresses}/{id}", new JsonObject { ["city"] = "Vejle", ["metadata"] = new JsonObject() }, customer.Token))
            .Expect(HttpStatusCode.OK);
        var unchanged = (await api.Api.GetAsync($"{Addresses}/{id}", customer.Token)).Expect(HttpStatusCode.OK).Object["address"]!;
        (await api.Api.PostAsync($"{Addresses}/{id}", new { city = "Kolding" }, customer.Token)).Expect(HttpStatusCode.OK);
        var changed = (await api.Api.GetAsync($"{Addresses}/{id}", customer.Token)).Expect(HttpStatusCode.OK).Object["address"]!;

        Assert.True(JsonNode.DeepEquals(before, unchanged), unchanged.ToJsonString());
        Assert.Equal(before["created_at"]!.GetValue<string>(), changed["created_at"]!.GetValue<string>());
        Assert.NotEqual(before["updated_at"]!.GetValue<string>(), changed["updated_at"]!.GetValue<string>());
    }

    [Fact]
    public async Task Get_one_answers_the_store_address_shape()
    {
        var customer = await api.CreateCustomerAsync();
        var id = await api.AddAddressAsync(customer, new JsonObject { ["city"] = "Odense", ["postal_code"] = "5000" });

        var response = (await api.Api.GetAsync($"{Addresses}/{id}", customer.Token)).Expect(HttpStatusCode.OK);

        Assert.Equal(["address"], response.Object.Select(p => p.Key));
        var address = response.Object["address"]!.AsObject();
        Assert.Equal(StoreAddressKeys, address.Select(p => p.Key));
        Assert.Equal(id, address["id"]!.GetValue<string>());
        Assert.Equal(customer.CustomerId, address["customer_id"]!.GetValue<string>());
        Assert.Equal("Odense", address["city"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("id,city", new[] { "id", "city" })]
    [InlineData("deleted_at", new[] { "id" })]
    public async Task Get_one_honours_fields_within_the_address_allow_list(string fields, string[] expectedKeys)
    {
        var customer = await api.CreateCustomerAsync();
        var id = await api.AddAddressAsync(customer, new JsonObject { ["city"] = "Odense" });

        var response = (await api.Api.GetAsync($"{Addresses}/{id}?fields={fields}", customer.Token)).Expect(HttpStatusCode.OK);

        Assert.Equal(expectedKeys.Order(StringComparer.Ordinal), response.Object["address"]!.AsObject().Select(p => p.Key).Order(StringComparer.Ordinal));
    }

    [Fact]
    public async Task List_answers_the_callers_addresses_in_creation_order_with_the_envelope()
    {
        var customer = await api.CreateCustomerAsync();
        var other = await api.CreateCustomerAsync();
        await api.AddAddressAsync(other, new JsonObject { ["city"] = "Elsewhere" });
        var ids = new List<string>();
        foreach (var city in new[] { "Berlin", "Aarhus", "Copenhagen" })
        {
            ids.Add(await api.AddAddressAsync(customer, new JsonObject { ["city"] = city }));
        }

        var response = (await api.Api.GetAsync(Addresses, customer.Token)).Expect(HttpStatusCode.OK);

        Assert.Equal(["addresses", "count", "offset", "limit"], response.Object.Select(p => p.Key));
        Assert.Equal(3, response.Object["count"]!.GetValue<int>());
        Assert.Equal(0, response.Object["offset"]!.GetValue<int>());
        Assert.Equal(50, response.Object["limit"]!.GetValue<int>());
        var addresses = response.Object["addresses"]!.AsArray();
        Assert.Equal(ids, addresses.Select(a => a!["id"]!.GetValue<string>()));
        Assert.All(addresses, a => Assert.Equal(StoreAddressKeys, a!.AsObject().Select(p => p.Key)));
        Assert.All(addresses, a => Assert.Equal(customer.CustomerId, a!["customer_id"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("limit=1&offset=1", 1, 1, new[] { 1 })]
    [InlineData("limit=2", 2, 0, new[] { 0, 1 })]
    [InlineData("limit=0", 0, 0, new int[0])]
    [InlineData("offset=10", 50, 10, new int[0])]
    [InlineData("limit=1.5", 1, 0, new[] { 0 })]
    [InlineData("limit=10abc&offset=2", 10, 2, new[] { 2 })]
    [InlineData("limit=1000", 1000, 0, new[] { 0, 1, 2 })]
    public async Task List_pages_with_limit_and_offset_and_counts_all(string query, int limit, int offset, int[] expected)
    {
        var (customer, ids) = await CustomerWithCitiesAsync("Berlin", "Aarhus", "Copenhagen");

        var response = (await api.Api.GetAsync($"{Addresses}?{query}", customer.Token)).Expect(HttpStatusCode.OK);

        Assert.Equal(3, response.Object["count"]!.GetValue<int>());
        Assert.Equal(limit, response.Object["limit"]!.GetValue<int>());
        Assert.Equal(offset, response.Object["offset"]!.GetValue<int>());
        Assert.Equal(expected.Select(i => ids[i]), response.Object["addresses"]!.AsArray().Select(a => a!["id"]!.GetValue<string>()));
    }

    [Theory]
    [InlineData("order=city", new[] { "Aarhus", "Berlin", "Copenhagen", null })]
    [InlineData("order=-city", new[] { null, "Copenhagen", "Berlin", "Aarhus" })]
    public async Task List_orders_by_an_allowed_field_with_nulls_last_ascending(string query, string?[] expectedCities)
    {
        var (customer, _) = await CustomerWithCitiesAsync("Berlin", null, "Aarhus", "Copenhagen");

        var response = (await api.Api.GetAsync($"{Addresses}?{query}", customer.Token)).Expect(HttpStatusCode.OK);

        Assert.Equal(expectedCities, response.Object["addresses"]!.AsArray().Select(a => a!["city"]?.GetValue<string>()));
    }

    [Theory]
    [InlineData("order=foo", "Order field foo is not valid")]
    [InlineData("order=-foo", "Order field foo is not valid")]
    [InlineData("order=deleted_at", "Order field deleted_at is not valid")]
    [InlineData("limit=abc", "Invalid request: Expected type: 'number' for field 'limit', got: 'abc'")]
    [InlineData("offset=abc", "Invalid request: Expected type: 'number' for field 'offset', got: 'abc'")]
    [InlineData("province=x", "Invalid request: Unrecognized fields: 'province'")]
    [InlineData("with_deleted=yes", "Invalid request: Invalid input")]
    public async Task List_rejects_invalid_query_parameters(string query, string message)
    {
        var (customer, _) = await CustomerWithCitiesAsync("Berlin");

        var response = await api.Api.GetAsync($"{Addresses}?{query}", customer.Token);

        response.ExpectError(HttpStatusCode.BadRequest, "invalid_data", message);
    }

    [Theory]
    [InlineData("q=12", new[] { 0, 1 })]
    [InlineData("q=HUNTING", new[] { 0 })]
    [InlineData("q=", new[] { 0, 1, 2 })]
    [InlineData("city=Copenhagen", new[] { 0, 2 })]
    [InlineData("city=copenhagen", new int[0])]
    [InlineData("city[]=Aarhus&city[]=Copenhagen", new[] { 0, 1, 2 })]
    [InlineData("country_code=dk", new[] { 0, 1 })]
    [InlineData("postal_code=8000", new[] { 1 })]
    [InlineData("q=12&city=Aarhus", new[] { 1 })]
    [InlineData("with_deleted=true", new[] { 0, 1, 2 })]
    public async Task List_filters_with_q_and_equality_filters(string query, int[] expected)
    {
        var customer = await api.CreateCustomerAsync();
        var ids = new[]
        {
            await api.AddAddressAsync(customer, new JsonObject { ["address_1"] = "Huntingdon 123", ["city"] = "Copenhagen", ["country_code"] = "dk", ["postal_code"] = "1000" }),
            await api.AddAddressAsync(customer, new JsonObject { ["address_1"] = "Hawkins 12", ["city"] = "Aarhus", ["country_code"] = "dk", ["postal_code"] = "8000" }),
            await api.AddAddressAsync(customer, new JsonObject { ["address_1"] = "Main 5", ["city"] = "Copenhagen", ["country_code"] = "se", ["postal_code"] = "2000" }),
        };

        var response = (await api.Api.GetAsync($"{Addresses}?{query}", customer.Token)).Expect(HttpStatusCode.OK);

        Assert.Equal(expected.Length, response.Object["count"]!.GetValue<int>());
        Assert.Equal(expected.Select(i => ids[i]), response.Object["addresses"]!.AsArray().Select(a => a!["id"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Another_customers_address_is_not_found_and_stays_unchanged()
    {
        var owner = await api.CreateCustomerAsync();
        var intruder = await api.CreateCustomerAsync();
        var target = await api.AddAddressAsync(owner, new JsonObject { ["first_name"] = "Owner", ["is_default_shipping"] = true });
        var own = await api.AddAddressAsync(intruder, new JsonObject { ["first_name"] = "Intruder", ["is_default_shipping"] = true });
        var ownerBefore = (await api.Api.GetAsync("/store/customers/me", owner.Token)).Expect(HttpStatusCode.OK).Body;
        var intruderBefore = (await api.Api.GetAsync("/store/customers/me", intruder.Token)).Expect(HttpStatusCode.OK).Body;
        var notFound = $"Address with id: {target} was not found";

        var get = await api.Api.GetAsync($"{Addresses}/{target}", intruder.Token);
        var update = await api.Api.PostAsync($"{Addresses}/{target}", new { first_name = "Hacked", is_default_shipping = true }, intruder.Token);
        var delete = await api.Api.DeleteAsync($"{Addresses}/{target}", intruder.Token);

        get.ExpectError(HttpStatusCode.NotFound, "not_found", notFound);
        update.ExpectError(HttpStatusCode.NotFound, "not_found", notFound);
        delete.ExpectError(HttpStatusCode.NotFound, "not_found", notFound);
        Assert.Equal(ownerBefore, (await api.Api.GetAsync("/store/customers/me", owner.Token)).Expect(HttpStatusCode.OK).Body);
        Assert.Equal(intruderBefore, (await api.Api.GetAsync("/store/customers/me", intruder.Token)).Expect(HttpStatusCode.OK).Body);
        Assert.Equal(
            "Owner",
            await Db.ScalarAsync<string>(api.ConnectionString, "SELECT first_name FROM customer_address WHERE id = $1 AND customer_id = $2", target, owner.CustomerId));
        Assert.True(await Db.ScalarAsync<bool>(api.ConnectionString, "SELECT is_default_shipping FROM customer_address WHERE id = $1", own));
    }

    [Theory]
    [InlineData("GET")]
    [InlineData("POST")]
    [InlineData("DELETE")]
    public async Task Unknown_address_id_is_not_found(string method)
    {
        var customer = await api.CreateCustomerAsync();
        var missing = "cuaddr_" + Guid.NewGuid().ToString("N");
        var content = method == "POST" ? ApiClient.JsonContent(new { first_name = "x" }) : null;

        var response = await api.Api.SendAsync(new HttpMethod(method), $"{Addresses}/{missing}", content, customer.Token);

        response.ExpectError(HttpStatusCode.NotFound, "not_found", $"Address with id: {missing} was not found");
    }

    [Fact]
    public async Task Delete_answers_the_customer_id_and_parent_and_removes_the_row()
    {
        var customer = await api.CreateCustomerAsync();
        var kept = await api.AddAddressAsync(customer, new JsonObject { ["city"] = "Kept" });
        var removed = await api.AddAddressAsync(customer, new JsonObject { ["city"] = "Removed" });

        var response = (await api.Api.DeleteAsync($"{Addresses}/{removed}", customer.Token)).Expect(HttpStatusCode.OK);

        Assert.Equal(["id", "object", "deleted", "parent"], response.Object.Select(p => p.Key));
        Assert.Equal(customer.CustomerId, response.Object["id"]!.GetValue<string>());
        Assert.Equal("address", response.Object["object"]!.GetValue<string>());
        Assert.True(response.Object["deleted"]!.GetValue<bool>());
        var parent = response.Object["parent"]!.AsObject();
        Assert.Equal(StoreCustomerTests.DefaultCustomerKeys, parent.Select(p => p.Key));
        Assert.Equal(customer.CustomerId, parent["id"]!.GetValue<string>());
        Assert.Equal([kept], parent["addresses"]!.AsArray().Select(a => a!["id"]!.GetValue<string>()));
        (await api.Api.GetAsync($"{Addresses}/{removed}", customer.Token))
            .ExpectError(HttpStatusCode.NotFound, "not_found", $"Address with id: {removed} was not found");
        Assert.Equal(0L, await Db.ScalarAsync<long>(api.ConnectionString, "SELECT count(*) FROM customer_address WHERE id = $1", removed));
        Assert.Equal([kept], await ListIdsAsync(customer));
    }

    [Fact]
    public async Task Delete_projects_the_parent_with_fields()
    {
        var customer = await api.CreateCustomerAsync();
        var id = await api.AddAddressAsync(customer, new JsonObject { ["city"] = "Aalborg" });

        var response = await api.Api.DeleteAsync($"{Addresses}/{id}?fields=id,email", customer.Token);

        Assert.Equal(
            $$$"""{"id":"{{{customer.CustomerId}}}","object":"address","deleted":true,"parent":{"id":"{{{customer.CustomerId}}}","email":"{{{customer.Email}}}"}}""",
            response.Expect(HttpStatusCode.OK).Body);
    }

    [Theory]
    [InlineData("limit=-1")]
    [InlineData("offset=-5")]
    [InlineData("limit=99999999999")]
    public async Task Out_of_range_paging_is_400_not_500(string query)
    {
        var customer = await api.CreateCustomerAsync();

        var response = await api.Api.GetAsync($"{Addresses}?{query}", customer.Token);

        response.Expect(HttpStatusCode.BadRequest);
        Assert.Equal("invalid_data", response.Type);
        Assert.StartsWith("Invalid request: ", response.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task Deleting_the_last_address_leaves_none()
    {
        var customer = await api.CreateCustomerAsync();
        var id = await api.AddAddressAsync(customer, new JsonObject { ["first_name"] = "Only" });

        var response = (await api.Api.DeleteAsync($"{Addresses}/{id}", customer.Token)).Expect(HttpStatusCode.OK);

        Assert.Empty(response.Object["parent"]!["addresses"]!.AsArray());
        Assert.Empty(await ListIdsAsync(customer));
    }

    [Fact]
    public async Task Body_over_one_MiB_is_413_with_a_Medusa_body()
    {
        var customer = await api.CreateCustomerAsync();
        var body = $$"""{"first_name":"{{new string('x', 1024 * 1024 + 16)}}"}""";

        var response = await api.Api.PostRawAsync(Addresses, body, token: customer.Token);

        response.Expect(HttpStatusCode.RequestEntityTooLarge);
        Assert.Equal("application/json; charset=utf-8", response.ContentType);
        Assert.Equal("invalid_data", response.Type);
        Assert.False(string.IsNullOrWhiteSpace(response.Message));
        Assert.Empty(await ListIdsAsync(customer));
    }

    [Theory]
    [InlineData("{")]
    [InlineData("""{"first_name":"John",}""")]
    [InlineData("""{first_name:"John"}""")]
    [InlineData("[]")]
    [InlineData("\"text\"")]
    [InlineData("{\"metadata\":{\"deep\":" + "[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[" + "]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]" + "}}")]
    public async Task Body_that_is_not_a_JSON_object_is_400_invalid_data(string body)
    {
        var customer = await api.CreateCustomerAsync();

        var response = await api.Api.PostRawAsync(Addresses, body, token: customer.Token);

        response.Expect(HttpStatusCode.BadRequest);
        Assert.Equal("application/json; charset=utf-8", response.ContentType);
        Assert.Equal("invalid_data", response.Type);
        Assert.False(string.IsNullOrWhiteSpace(response.Message));
        Assert.Empty(await ListIdsAsync(customer));
    }

    [Theory]
    [InlineData("first_name")]
    [InlineData("address_1")]
    [InlineData("phone")]
    public async Task Strings_over_1000_characters_are_400_and_1000_is_fine(string field)
    {
        var customer = await api.CreateCustomerAsync();

        var tooLong = await api.Api.PostAsync(Addresses, new JsonObject { [field] = new string('a', 1001) }, customer.Token);
        var longest = await api.Api.PostAsync(Addresses, new JsonObject { [field] = new string('a', 1000) }, customer.Token);

        tooLong.Expect(HttpStatusCode.BadRequest);
        Assert.Equal("invalid_data", tooLong.Type);
        Assert.StartsWith("Invalid request: ", tooLong.Message, StringComparison.Ordinal);
        Assert.Contains($"'{field}'", tooLong.Message, StringComparison.Ordinal);
        var address = Assert.Single(longest.Expect(HttpStatusCode.OK).Object["customer"]!["addresses"]!.AsArray())!;
        Assert.Equal(1000, address[field]!.GetValue<string>().Length);
    }

    [Fact]
    public async Task Profile_strings_over_1000_characters_are_400_too()
    {
        var customer = await api.CreateCustomerAsync();

        var response = await api.Api.PostAsync("/store/customers/me", new { company_name = new string('c', 1001) }, customer.Token);

        response.Expect(HttpStatusCode.BadRequest);
        Assert.Equal("invalid_data", response.Type);
        Assert.Contains("'company_name'", response.Message, StringComparison.Ordinal);
    }

    private async Task<(TestCustomer Customer, List<string> Ids)> CustomerWithCitiesAsync(params string?[] cities)
    {
        var customer = await api.CreateCustomerAsync();
        var ids = new List<string>();
        foreach (var city in cities)
        {
            ids.Add(await api.AddAddressAsync(customer, new JsonObject { ["city"] = city }));
        }

        return (customer, ids);
    }

    private async Task<List<string>> ListIdsAsync(TestCustomer customer)
    {
        var response = (await api.Api.GetAsync($"{Addresses}?limit=1000", customer.Token)).Expect(HttpStatusCode.OK);
        return response.Object["addresses"]!.AsArray().Select(a => a!["id"]!.GetValue<string>()).ToList();
    }

    private async Task<Dictionary<string, (bool Shipping, bool Billing)>> FlagsAsync(TestCustomer customer)
    {
        var response = (await api.Api.GetAsync($"{Addresses}?limit=1000", customer.Token)).Expect(HttpStatusCode.OK);
        return response.Object["addresses"]!.AsArray().ToDictionary(
            a => a!["id"]!.GetValue<string>(),
            a => (a!["is_default_shipping"]!.GetValue<bool>(), a["is_default_billing"]!.GetValue<bool>()));
    }
}
