using System.Net;
using System.Text.Json.Nodes;
using Customers.Testing;
using Xunit;
using static Customers.Host.Tests.Http.Admin.CustomerGroupFixture;

namespace Customers.Host.Tests.Http.Admin;

/// <summary>
/// Memberships from both sides (<c>POST /admin/customer-groups/{id}/customers</c>,
/// <c>POST /admin/customers/{id}/customer-groups</c>, the customer list's <c>groups</c> filter, <c>*groups</c> and
/// <c>*customers</c>), with their error cases: all or nothing, Medusa's foreign-key wording, de-duplication and deleted
/// groups (docs/medusa-compatibility.md §6.11, §7.6, D15, D36, D37).
/// </summary>
[Collection(HttpCollection.Name)]
public sealed class CustomerGroupMembershipTests(CustomersApiFactory api)
{
    private const string Customers = "/admin/customers";

    [Fact]
    public async Task Adding_and_removing_customers_through_the_group()
    {
        // docs/medusa-compatibility.md §7.6
        var key = await api.CreateSecretKeyAsync();
        var group = await api.CreateGroupAsync(key);
        var customers = await api.CreateGuestsAsync(key, 3);

        var added = (await api.ChangeCustomersAsync(key, group.Id(), add: customers)).Expect(HttpStatusCode.OK);
        var members = await api.CustomerIdsOfAsync(key, group.Id());
        var removed = (await api.ChangeCustomersAsync(key, group.Id(), remove: customers, query: "?fields=*customers")).Expect(HttpStatusCode.OK);

        Assert.Equal(["customer_group"], added.Object.Select(p => p.Key));
        Assert.True(JsonNode.DeepEquals(group, added.Object["customer_group"]), added.Body);
        Assert.Equal(customers, members);
        Assert.Equal("[]", removed.Object["customer_group"]!["customers"]!.ToJsonString());
        Assert.Equal(0L, await Db.ScalarAsync<long>(api.ConnectionString,
            "SELECT count(*) FROM customer_group_customer WHERE customer_group_id = $1", group.Id()));
    }

    [Fact]
    public async Task Membership_rows_are_medusas_pivot_rows()
    {
        var key = await api.CreateSecretKeyAsync();
        var group = await api.CreateGroupAsync(key);
        var customer = (await api.CreateGuestsAsync(key, 1))[0];

        (await api.ChangeCustomersAsync(key, group.Id(), add: [customer])).Expect(HttpStatusCode.OK);

        var row = Assert.Single(await Db.RowsAsync(api.ConnectionString,
            "SELECT * FROM customer_group_customer WHERE customer_group_id = $1", group.Id()));
        Assert.Matches("^cusgc_[0-9A-HJKMNP-TV-Z]{26}$", (string)row["id"]!);
        Assert.Equal(customer, row["customer_id"]);
        Assert.Null(row["created_by"]);
        Assert.Null(row["metadata"]);
        Assert.Null(row["deleted_at"]);
    }

    [Fact]
    public async Task A_group_that_does_not_exist_is_404_with_medusas_relationship_message()
    {
        // docs/medusa-compatibility.md §7.6
        var key = await api.CreateSecretKeyAsync();
        var customer = (await api.CreateGuestsAsync(key, 1))[0];

        var response = await api.ChangeCustomersAsync(key, "does-not-exist", add: [customer]);
        var empty = await api.ChangeCustomersAsync(key, "does-not-exist");

        response.ExpectError(HttpStatusCode.NotFound, "not_found",
            "You tried to set relationship customer_group_id: does-not-exist, but such entity does not exist");
        empty.ExpectError(HttpStatusCode.NotFound, "not_found",
            "You tried to set relationship customer_group_id: does-not-exist, but such entity does not exist");
    }

    [Fact]
    public async Task A_deleted_group_takes_no_members()
    {
        // Medusa writes the row and answers 200 {}; we refuse like for a missing group (docs/medusa-compatibility.md D37).
        var key = await api.CreateSecretKeyAsync();
        var group = await api.CreateGroupAsync(key);
        var customer = (await api.CreateGuestsAsync(key, 1))[0];
        (await api.AdminDeleteAsync($"{Groups}/{group.Id()}", key)).Expect(HttpStatusCode.OK);

        (await api.ChangeCustomersAsync(key, group.Id(), add: [customer])).ExpectError(HttpStatusCode.NotFound, "not_found",
            $"You tried to set relationship customer_group_id: {group.Id()}, but such entity does not exist");
        (await api.ChangeGroupsAsync(key, customer, add: [group.Id()])).ExpectError(HttpStatusCode.NotFound, "not_found",
            $"You tried to set relationship customer_group_id: {group.Id()}, but such entity does not exist");
        Assert.Equal(0L, await Db.ScalarAsync<long>(api.ConnectionString,
            "SELECT count(*) FROM customer_group_customer WHERE customer_group_id = $1", group.Id()));
    }

    [Fact]
    public async Task An_unknown_or_deleted_customer_fails_the_whole_batch()
    {
        var key = await api.CreateSecretKeyAsync();
        var group = await api.CreateGroupAsync(key);
        var customers = await api.CreateGuestsAsync(key, 3);
        (await api.ChangeCustomersAsync(key, group.Id(), add: [customers[0]])).Expect(HttpStatusCode.OK);
        (await api.AdminDeleteAsync($"{Customers}/{customers[2]}", key)).Expect(HttpStatusCode.OK);

        var unknown = await api.ChangeCustomersAsync(key, group.Id(), add: [customers[1], "cus_missing", "cus_other"], remove: [customers[0]]);
        var deleted = await api.ChangeCustomersAsync(key, group.Id(), add: [customers[1], customers[2]]);

        unknown.ExpectError(HttpStatusCode.NotFound, "not_found", "You tried to set relationship customer_id: cus_missing, but such entity does not exist");
        deleted.ExpectError(HttpStatusCode.NotFound, "not_found", $"You tried to set relationship customer_id: {customers[2]}, but such entity does not exist");
        Assert.Equal([customers[0]], await api.CustomerIdsOfAsync(key, group.Id())); // neither the add nor the remove happened
    }

    [Fact]
    public async Task Adding_a_member_again_or_twice_keeps_one_membership()
    {
        // Medusa writes a second pivot row; we keep one (docs/medusa-compatibility.md D36).
        var key = await api.CreateSecretKeyAsync();
        var group = await api.CreateGroupAsync(key);
        var customer = (await api.CreateGuestsAsync(key, 1))[0];
        (await api.ChangeCustomersAsync(key, group.Id(), add: [customer])).Expect(HttpStatusCode.OK);
        var firstId = await Db.ScalarAsync<string>(api.ConnectionString,
            "SELECT id FROM customer_group_customer WHERE customer_group_id = $1", group.Id());

        (await api.ChangeCustomersAsync(key, group.Id(), add: [customer, customer])).Expect(HttpStatusCode.OK);
        (await api.ChangeGroupsAsync(key, customer, add: [group.Id(), group.Id()])).Expect(HttpStatusCode.OK);

        Assert.Equal([customer], await api.CustomerIdsOfAsync(key, group.Id()));
        Assert.Equal([firstId!], (await Db.RowsAsync(api.ConnectionString,
            "SELECT id FROM customer_group_customer WHERE customer_group_id = $1", group.Id())).Select(r => (string)r["id"]!));
    }

    [Fact]
    public async Task An_id_in_both_lists_ends_up_removed_and_removing_a_non_member_is_ignored()
    {
        // docs/medusa-compatibility.md D36: "add, then remove"
        var key = await api.CreateSecretKeyAsync();
        var group = await api.CreateGroupAsync(key);
        var customers = await api.CreateGuestsAsync(key, 3);
        (await api.ChangeCustomersAsync(key, group.Id(), add: [customers[0]])).Expect(HttpStatusCode.OK);

        (await api.ChangeCustomersAsync(key, group.Id(), add: [customers[0], customers[1]], remove: [customers[0], customers[2], "cus_missing"]))
            .Expect(HttpStatusCode.OK);

        Assert.Equal([customers[1]], await api.CustomerIdsOfAsync(key, group.Id()));
    }

    [Fact]
    public async Task An_empty_body_changes_nothing_and_answers_the_group()
    {
        var key = await api.CreateSecretKeyAsync();
        var group = await api.CreateGroupAsync(key);

        var response = (await api.ChangeCustomersAsync(key, group.Id(), add: [], remove: [])).Expect(HttpStatusCode.OK);
        var none = (await api.ChangeCustomersAsync(key, group.Id())).Expect(HttpStatusCode.OK);

        Assert.True(JsonNode.DeepEquals(group, response.Object["customer_group"]), response.Body);
        Assert.True(JsonNode.DeepEquals(group, none.Object["customer_group"]), none.Body);
    }

    [Theory]
    [InlineData("""{"add":"cus_1"}""", "Invalid request: Expected type: 'array' for field 'add', got: 'cus_1'")]
    [InlineData("""{"add":[1]}""", "Invalid request: Field 'add, 0' is required")]
    [InlineData("""{"remove":[null]}""", "Invalid request: Field 'remove, 0' is required")]
    [InlineData("""{"add":[],"customer_ids":[]}""", "Invalid request: Unrecognized fields: 'customer_ids'")]
    public async Task Membership_bodies_are_validated_on_both_routes(string body, string message)
    {
        var key = await api.CreateSecretKeyAsync();
        var group = await api.CreateGroupAsync(key);
        var customer = (await api.CreateGuestsAsync(key, 1))[0];

        (await api.AdminPostAsync($"{Groups}/{group.Id()}/customers", key, JsonNode.Parse(body)))
            .ExpectError(HttpStatusCode.BadRequest, "invalid_data", message);
        (await api.AdminPostAsync($"{Customers}/{customer}/customer-groups", key, JsonNode.Parse(body)))
            .ExpectError(HttpStatusCode.BadRequest, "invalid_data", message);
        (await api.AdminPostAsync($"{Groups}/{group.Id()}/customers?foo=1", key, new JsonObject()))
            .ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Invalid request: Unrecognized fields: 'foo'");
    }

    [Fact]
    public async Task A_customers_groups_follow_memberships_from_the_group_side()
    {
        // docs/medusa-compatibility.md §7.6 and §6.3
        var key = await api.CreateSecretKeyAsync();
        var a = await api.CreateGroupAsync(key);
        var b = await api.CreateGroupAsync(key);
        var customer = (await api.CreateGuestsAsync(key, 1))[0];

        (await api.ChangeCustomersAsync(key, a.Id(), add: [customer])).Expect(HttpStatusCode.OK);
        var one = await GroupsAsync(key, customer);
        (await api.ChangeCustomersAsync(key, b.Id(), add: [customer])).Expect(HttpStatusCode.OK);
        var two = await GroupsAsync(key, customer);
        (await api.ChangeCustomersAsync(key, a.Id(), remove: [customer])).Expect(HttpStatusCode.OK);
        (await api.ChangeCustomersAsync(key, b.Id(), remove: [customer])).Expect(HttpStatusCode.OK);
        var none = await GroupsAsync(key, customer);

        var only = Assert.Single(one)!;
        Assert.Equal(a.Id(), only.Id());
        Assert.Equal(["id", "name", "metadata", "created_by", "created_at", "updated_at", "deleted_at"], only.AsObject().Select(p => p.Key));
        Assert.Equal(a["name"]!.GetValue<string>(), only["name"]!.GetValue<string>());
        Assert.Equal(2, two.Count);
        Assert.Empty(none);
    }

    [Fact]
    public async Task Managing_a_customers_groups_from_the_customer_side()
    {
        // POST /admin/customers/{id}/customer-groups, sdk.admin.customer.batchCustomerGroups
        var key = await api.CreateSecretKeyAsync();
        var groups = new[] { await api.CreateGroupAsync(key), await api.CreateGroupAsync(key), await api.CreateGroupAsync(key) };
        var customer = await api.CreateGuestAsync(key, new JsonObject { ["email"] = CustomersApiFactory.NewEmail("a11") });

        var added = (await api.ChangeGroupsAsync(key, customer.Id(), add: [.. groups.Select(g => g.Id())])).Expect(HttpStatusCode.OK);
        var shown = (await api.ChangeGroupsAsync(key, customer.Id(), remove: [groups[1].Id(), "cusgroup_missing"], query: "?fields=id,groups.name"))
            .Expect(HttpStatusCode.OK);

        Assert.True(JsonNode.DeepEquals(customer, added.Object["customer"]), added.Body); // default admin shape: no groups
        Assert.Equal(
            $$$"""{"customer":{"id":"{{{customer.Id()}}}","groups":[{"name":"{{{groups[0]["name"]!.GetValue<string>()}}}"},{"name":"{{{groups[2]["name"]!.GetValue<string>()}}}"}]}}""",
            shown.Body);
        Assert.Equal([customer.Id()], await api.CustomerIdsOfAsync(key, groups[0].Id()));
        Assert.Empty(await api.CustomerIdsOfAsync(key, groups[1].Id()));
    }

    [Fact]
    public async Task Customer_side_errors_use_medusas_relationship_messages_and_write_nothing()
    {
        var key = await api.CreateSecretKeyAsync();
        var group = await api.CreateGroupAsync(key);
        var customer = (await api.CreateGuestsAsync(key, 1))[0];
        var gone = (await api.CreateGuestsAsync(key, 1))[0];
        (await api.AdminDeleteAsync($"{Customers}/{gone}", key)).Expect(HttpStatusCode.OK);

        (await api.ChangeGroupsAsync(key, "cus_missing", add: [group.Id()])).ExpectError(HttpStatusCode.NotFound, "not_found",
            "You tried to set relationship customer_id: cus_missing, but such entity does not exist");
        (await api.ChangeGroupsAsync(key, "cus_missing")).ExpectError(HttpStatusCode.NotFound, "not_found",
            "You tried to set relationship customer_id: cus_missing, but such entity does not exist");
        (await api.ChangeGroupsAsync(key, gone, add: [group.Id()])).ExpectError(HttpStatusCode.NotFound, "not_found",
            $"You tried to set relationship customer_id: {gone}, but such entity does not exist");
        (await api.ChangeGroupsAsync(key, customer, add: [group.Id(), "cusgroup_missing"])).ExpectError(HttpStatusCode.NotFound, "not_found",
            "You tried to set relationship customer_group_id: cusgroup_missing, but such entity does not exist");
        Assert.Empty(await api.GroupIdsOfAsync(key, customer));
    }

    [Fact]
    public async Task The_customer_list_filters_by_group_in_every_form_the_clients_send()
    {
        // Every form of the groups filter in docs/medusa-compatibility.md §6.1
        var key = await api.CreateSecretKeyAsync();
        var group = await api.CreateGroupAsync(key, NewGroupName("VIP"));
        var other = await api.CreateGroupAsync(key);
        var customers = await api.CreateGuestsAsync(key, 4);
        (await api.ChangeCustomersAsync(key, group.Id(), add: [customers[2], customers[0], customers[1]])).Expect(HttpStatusCode.OK);
        (await api.ChangeCustomersAsync(key, other.Id(), add: [customers[1], customers[3]])).Expect(HttpStatusCode.OK);
        var name = Uri.EscapeDataString(group["name"]!.GetValue<string>());

        var bracket = await CustomerListAsync(key, $"groups[]={group.Id()}");
        var indexed = await CustomerListAsync(key, $"groups%5B0%5D={group.Id()}&limit=20&offset=0");
        var scalar = await CustomerListAsync(key, $"groups={group.Id()}");

        Assert.Equal(3L, bracket["count"]!.GetValue<long>());
        Assert.Equal(customers[..3], CustomerIds(bracket)); // creation order, each member once
        Assert.Equal(customers[..3], CustomerIds(indexed));
        Assert.Equal(customers[..3], CustomerIds(scalar));
        Assert.Equal(customers[..3], CustomerIds(await CustomerListAsync(key, $"groups[id]={group.Id()}")));
        Assert.Equal(customers[..3], CustomerIds(await CustomerListAsync(key, $"groups[name]={name}")));
        var both = await CustomerListAsync(key, $"groups[0]={group.Id()}&groups[1]={other.Id()}");
        Assert.Equal(4L, both["count"]!.GetValue<long>()); // de-duplicated: customers[1] is in both
        Assert.Equal(customers, CustomerIds(both));
        Assert.Equal([customers[1]], CustomerIds(await CustomerListAsync(key, $"groups={group.Id()}&$and[0][groups]={other.Id()}")));
        Assert.Empty(CustomerIds(await CustomerListAsync(key, "groups=cusgroup_missing")));

        var withGroups = await CustomerListAsync(key, $"groups={other.Id()}&fields=id,*groups");
        Assert.Equal(
            [[group.Id(), other.Id()], [other.Id()]],
            withGroups["customers"]!.AsArray().Select(c => c!["groups"]!.AsArray().Select(g => g!.Id()).ToArray()));

        (await api.AdminDeleteAsync($"{Groups}/{group.Id()}", key)).Expect(HttpStatusCode.OK);
        Assert.Empty(CustomerIds(await CustomerListAsync(key, $"groups={group.Id()}"))); // deleted groups match nobody
    }

    private async Task<List<JsonNode?>> GroupsAsync(TestSecretKey key, string customerId) =>
        [.. (await api.AdminGetAsync($"{Customers}/{customerId}?fields=*groups", key)).Expect(HttpStatusCode.OK).Object["customer"]!["groups"]!.AsArray()];

    private async Task<JsonObject> CustomerListAsync(TestSecretKey key, string query) =>
        (await api.AdminGetAsync($"{Customers}?created_by={key.Id}&{query}", key)).Expect(HttpStatusCode.OK).Object;

    private static string[] CustomerIds(JsonObject list) => [.. list["customers"]!.AsArray().Select(c => c!.Id())];
}
