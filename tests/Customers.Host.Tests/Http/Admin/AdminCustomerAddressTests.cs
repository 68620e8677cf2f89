using System.Net;
using System.Text.Json.Nodes;
using Customers.Testing;
using Xunit;

namespace Customers.Host.Tests.Http.Admin;

/// <summary>
/// <c>/admin/customers/{id}/addresses</c> (docs/medusa-compatibility.md §6.6-§6.10, D33): everything is scoped to
/// the customer in the path.
/// </summary>
[Collection(HttpCollection.Name)]
public sealed class AdminCustomerAddressTests(CustomersApiFactory api)
{
    /// <summary>The admin address default: no <c>is_default_*</c> (docs/medusa-compatibility.md §4.2), no
    /// <c>deleted_at</c>.</summary>
    private static readonly string[] AdminAddressKeys =
    [
        "id", "address_name", "company", "customer_id", "first_name", "last_name", "address_1", "address_2", "city",
        "province", "postal_code", "country_code", "phone", "metadata", "created_at", "updated_at",
    ];

    [Fact]
    public async Task Adding_answers_the_customer_with_the_address_when_asked_for()
    {
        // docs/medusa-compatibility.md §6.7
        var (key, customerId) = await CustomerAsync();

        var response = (await api.AdminPostAsync($"/admin/customers/{customerId}/addresses?fields=*addresses", key,
            new JsonObject { ["first_name"] = "John", ["last_name"] = "Doe", ["address_1"] = "Test street 1" })).Expect(HttpStatusCode.OK);

        var address = Assert.Single(response.Object["customer"]!["addresses"]!.AsArray())!;
        Assert.Equal(("John", "Doe", "Test street 1", customerId), (
            address["first_name"]!.GetValue<string>(), address["last_name"]!.GetValue<string>(),
            address["address_1"]!.GetValue<string>(), address["customer_id"]!.GetValue<string>()));
        Assert.Equal(1, (await ListAsync(key, customerId, ""))["count"]!.GetValue<long>());
    }

    [Fact]
    public async Task A_new_default_address_takes_the_flag_from_the_old_one()
    {
        // docs/medusa-compatibility.md §6.7
        var (key, customerId) = await CustomerAsync();
        var first = await AddAsync(key, customerId, new JsonObject { ["is_default_shipping"] = true, ["is_default_billing"] = true });

        var second = await AddAsync(key, customerId, new JsonObject { ["is_default_shipping"] = true });
        var third = await AddAsync(key, customerId, new JsonObject { ["is_default_billing"] = true });

        var addresses = await AllAddressesAsync(key, customerId);
        Assert.Equal([second], addresses.Where(a => a["is_default_shipping"]!.GetValue<bool>()).Select(a => a.Id()));
        Assert.Equal([third], addresses.Where(a => a["is_default_billing"]!.GetValue<bool>()).Select(a => a.Id()));
        Assert.Contains(first, addresses.Select(a => a.Id()));
    }

    [Fact]
    public async Task Update_changes_what_is_sent_and_keeps_the_rest()
    {
        // docs/medusa-compatibility.md §6.9
        var (key, customerId) = await CustomerAsync();
        var addressId = await AddAsync(key, customerId, new JsonObject { ["first_name"] = "John", ["last_name"] = "Doe" });

        var response = (await api.AdminPostAsync($"/admin/customers/{customerId}/addresses/{addressId}?fields=*addresses", key,
            new JsonObject { ["first_name"] = "Jane" })).Expect(HttpStatusCode.OK);

        var address = Assert.Single(response.Object["customer"]!["addresses"]!.AsArray())!;
        Assert.Equal(("Jane", "Doe"), (address["first_name"]!.GetValue<string>(), address["last_name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Updating_an_address_to_default_makes_it_the_only_default()
    {
        // docs/medusa-compatibility.md §6.9
        var (key, customerId) = await CustomerAsync();
        await AddAsync(key, customerId, new JsonObject { ["is_default_shipping"] = true, ["is_default_billing"] = true });
        var other = await AddAsync(key, customerId, new JsonObject { ["first_name"] = "John" });

        (await api.AdminPostAsync($"/admin/customers/{customerId}/addresses/{other}", key,
            new JsonObject { ["first_name"] = "jane", ["is_default_shipping"] = true, ["is_default_billing"] = true })).Expect(HttpStatusCode.OK);

        var addresses = await AllAddressesAsync(key, customerId);
        var shipping = Assert.Single(addresses, a => a["is_default_shipping"]!.GetValue<bool>());
        var billing = Assert.Single(addresses, a => a["is_default_billing"]!.GetValue<bool>());
        Assert.Equal((other, other, "jane"), (shipping.Id(), billing.Id(), shipping["first_name"]!.GetValue<string>()));
    }

    [Fact]
    public async Task Delete_removes_the_address_and_answers_the_customer_as_parent()
    {
        // docs/medusa-compatibility.md §6.10, with the delete answer of §4.7
        var (key, customerId) = await CustomerAsync();
        var addressId = await AddAsync(key, customerId, new JsonObject { ["first_name"] = "John" });

        var response = (await api.AdminDeleteAsync($"/admin/customers/{customerId}/addresses/{addressId}", key)).Expect(HttpStatusCode.OK);

        Assert.Equal(["id", "object", "deleted", "parent"], response.Object.Select(p => p.Key));
        Assert.Equal((addressId, "customer_address", true), (
            response.Object.Id(), response.Object["object"]!.GetValue<string>(), response.Object["deleted"]!.GetValue<bool>()));
        Assert.Equal(AdminCustomerTests.AdminCustomerKeys, response.Object["parent"]!.AsObject().Select(p => p.Key));
        Assert.Empty(await AllAddressesAsync(key, customerId));
        Assert.Equal(0L, await Db.ScalarAsync<long>(api.ConnectionString, "SELECT count(*) FROM customer_address WHERE id = $1", addressId));
    }

    [Fact]
    public async Task List_holds_only_that_customers_addresses_with_the_admin_default_fields()
    {
        // docs/medusa-compatibility.md §6.6
        var (key, customerId) = await CustomerAsync();
        var (_, otherId) = await CustomerAsync(key);
        var ids = new List<string>();
        foreach (var n in Enumerable.Range(1, 3))
        {
            ids.Add(await AddAsync(key, customerId, new JsonObject { ["first_name"] = $"n{n}" }));
        }

        await AddAsync(key, otherId, new JsonObject { ["first_name"] = "other" });

        var list = await ListAsync(key, customerId, "");
        var flagged = await ListAsync(key, customerId, "fields=%2Bis_default_shipping,%2Bis_default_billing&limit=1");

        Assert.Equal(["addresses", "count", "offset", "limit"], list.Select(p => p.Key));
        Assert.Equal(3, list["count"]!.GetValue<long>());
        Assert.Equal(ids, list["addresses"]!.AsArray().Select(a => a!.Id()));
        Assert.All(list["addresses"]!.AsArray(), a => Assert.Equal(AdminAddressKeys, a!.AsObject().Select(p => p.Key)));
        Assert.Equal([.. AdminAddressKeys, "is_default_shipping", "is_default_billing"], flagged["addresses"]![0]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public async Task List_searches_and_filters()
    {
        // docs/medusa-compatibility.md §6.6
        var (key, customerId) = await CustomerAsync();
        var huntingdon = await AddAsync(key, customerId, new JsonObject { ["address_1"] = "Huntingdon 123", ["city"] = "Aarhus", ["postal_code"] = "8000" });
        var hawkins = await AddAsync(key, customerId, new JsonObject { ["address_1"] = "Hawkins 12", ["city"] = "Odense", ["country_code"] = "dk" });
        await AddAsync(key, customerId, new JsonObject { ["address_1"] = "Elm 3", ["city"] = "Odense", ["company"] = "Acme" });

        Assert.Equal([huntingdon, hawkins], AddressIds(await ListAsync(key, customerId, "q=12")));
        Assert.Equal([hawkins], AddressIds(await ListAsync(key, customerId, "q=12&city=Odense")));
        Assert.Equal([huntingdon], AddressIds(await ListAsync(key, customerId, "postal_code[]=8000&postal_code[]=9000")));
        Assert.Equal([hawkins], AddressIds(await ListAsync(key, customerId, "country_code=dk")));
        Assert.Equal([huntingdon, hawkins], AddressIds(await ListAsync(key, customerId, "q=h&order=-address_1")));
        (await api.AdminGetAsync($"/admin/customers/{customerId}/addresses?first_name=x", key))
            .ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Invalid request: Unrecognized fields: 'first_name'");
    }

    [Fact]
    public async Task Addresses_of_a_missing_customer_are_an_empty_list()
    {
        var key = await api.CreateSecretKeyAsync();

        var list = await ListAsync(key, "cus_missing", "");

        Assert.Equal("""{"addresses":[],"count":0,"offset":0,"limit":50}""", list.ToJsonString());
    }

    [Fact]
    public async Task Adding_to_a_missing_customer_is_medusas_relationship_404()
    {
        var key = await api.CreateSecretKeyAsync();

        var response = await api.AdminPostAsync("/admin/customers/cus_missing/addresses", key, new JsonObject { ["first_name"] = "x" });

        response.ExpectError(HttpStatusCode.NotFound, "not_found", "You tried to set relationship customer_id: cus_missing, but such entity does not exist");
    }

    [Fact]
    public async Task Adding_validates_the_body()
    {
        var (key, customerId) = await CustomerAsync();

        var unknown = await api.AdminPostAsync($"/admin/customers/{customerId}/addresses", key, new JsonObject { ["customer_id"] = "cus_other" });
        var country = await api.AdminPostAsync($"/admin/customers/{customerId}/addresses", key, new JsonObject { ["country_code"] = "zz" });
        var hooks = await api.AdminPostAsync($"/admin/customers/{customerId}/addresses", key, new JsonObject { ["additional_data"] = new JsonObject() });

        unknown.ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Invalid request: Unrecognized fields: 'customer_id'");
        country.ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Invalid request: Field 'country_code' must be an ISO 3166-1 alpha-2 country code");
        hooks.Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Get_answers_the_address_or_an_empty_object_when_it_is_not_this_customers()
    {
        var (key, customerId) = await CustomerAsync();
        var (_, otherId) = await CustomerAsync(key);
        var addressId = await AddAsync(key, customerId, new JsonObject { ["first_name"] = "Mine" });

        var own = (await api.AdminGetAsync($"/admin/customers/{customerId}/addresses/{addressId}", key)).Expect(HttpStatusCode.OK);
        var viaOther = await api.AdminGetAsync($"/admin/customers/{otherId}/addresses/{addressId}", key);
        var missing = await api.AdminGetAsync($"/admin/customers/{customerId}/addresses/cuaddr_missing", key);

        Assert.Equal(AdminAddressKeys, own.Object["address"]!.AsObject().Select(p => p.Key));
        Assert.Equal("Mine", own.Object["address"]!["first_name"]!.GetValue<string>());
        viaOther.Expect(HttpStatusCode.OK, "{}");
        missing.Expect(HttpStatusCode.OK, "{}");
    }

    [Fact]
    public async Task Another_customers_address_is_never_changed_through_this_customer()
    {
        // Medusa deletes another customer's address through this route; we scope to the path's customer, still 200.
        var (key, ownerId) = await CustomerAsync();
        var (_, otherId) = await CustomerAsync(key);
        var addressId = await AddAsync(key, ownerId, new JsonObject { ["first_name"] = "Kept" });

        var update = await api.AdminPostAsync($"/admin/customers/{otherId}/addresses/{addressId}", key, new JsonObject { ["first_name"] = "Changed" });
        var delete = await api.AdminDeleteAsync($"/admin/customers/{otherId}/addresses/{addressId}", key);

        Assert.Equal(otherId, update.Expect(HttpStatusCode.OK).Object["customer"]!.Id());
        Assert.Equal(otherId, delete.Expect(HttpStatusCode.OK).Object["parent"]!.Id());
        var owned = Assert.Single(await AllAddressesAsync(key, ownerId));
        Assert.Equal(("Kept", addressId), (owned["first_name"]!.GetValue<string>(), owned.Id()));
    }

    [Fact]
    public async Task Update_and_delete_for_a_missing_customer_answer_200()
    {
        var key = await api.CreateSecretKeyAsync();

        var update = await api.AdminPostAsync("/admin/customers/cus_missing/addresses/cuaddr_missing", key, new JsonObject { ["first_name"] = "x" });
        var delete = await api.AdminDeleteAsync("/admin/customers/cus_missing/addresses/cuaddr_missing", key);

        update.Expect(HttpStatusCode.OK, "{}");
        delete.Expect(HttpStatusCode.OK, """{"id":"cuaddr_missing","object":"customer_address","deleted":true}""");
    }

    [Fact]
    public async Task Addresses_of_a_deleted_customer_are_gone_from_every_read()
    {
        var (key, customerId) = await CustomerAsync();
        await AddAsync(key, customerId, new JsonObject { ["first_name"] = "x" });

        (await api.AdminDeleteAsync($"/admin/customers/{customerId}", key)).Expect(HttpStatusCode.OK);

        Assert.Equal(0, (await ListAsync(key, customerId, ""))["count"]!.GetValue<long>());
        Assert.NotNull(await Db.ScalarAsync<DateTime?>(api.ConnectionString, "SELECT deleted_at FROM customer_address WHERE customer_id = $1", customerId));
    }

    private async Task<(TestSecretKey Key, string CustomerId)> CustomerAsync(TestSecretKey? key = null)
    {
        key ??= await api.CreateSecretKeyAsync();
        var customer = await api.CreateGuestAsync(key, new JsonObject { ["email"] = CustomersApiFactory.NewEmail("addresses") });
        return (key, customer.Id());
    }

    /// <summary>Adds an address and returns its id (the clock moves on 2 ms first, so ids sort in creation order).</summary>
    private async Task<string> AddAsync(TestSecretKey key, string customerId, JsonObject address)
    {
        api.Clock.Advance(TimeSpan.FromMilliseconds(2));
        var before = (await AllAddressesAsync(key, customerId)).Select(a => a.Id()).ToHashSet();
        var response = (await api.AdminPostAsync($"/admin/customers/{customerId}/addresses?fields=addresses.id", key, address)).Expect(HttpStatusCode.OK);
        return response.Object["customer"]!["addresses"]!.AsArray().Select(a => a!.Id()).Single(id => !before.Contains(id));
    }

    private async Task<List<JsonObject>> AllAddressesAsync(TestSecretKey key, string customerId) =>
        (await api.AdminGetAsync($"/admin/customers/{customerId}?fields=*addresses", key)).Expect(HttpStatusCode.OK)
            .Object["customer"]!["addresses"]!.AsArray().Select(a => a!.AsObject()).ToList();

    private async Task<JsonObject> ListAsync(TestSecretKey key, string customerId, string query) =>
        (await api.AdminGetAsync($"/admin/customers/{customerId}/addresses?{query}", key)).Expect(HttpStatusCode.OK).Object;

    private static List<string> AddressIds(JsonObject list) => list["addresses"]!.AsArray().Select(a => a!.Id()).ToList();
}
