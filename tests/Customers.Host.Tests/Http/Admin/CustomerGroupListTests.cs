using System.Net;
using System.Text.Json.Nodes;
using Xunit;
using static Customers.Host.Tests.Http.Admin.CustomerGroupFixture;

namespace Customers.Host.Tests.Http.Admin;

/// <summary>
/// <c>GET /admin/customer-groups</c> (docs/medusa-compatibility.md §7.1): <c>q</c>, filters and operators, the <c>customers</c>
/// filter, <c>order</c>, paging and <c>fields</c> with <c>*customers</c> / <c>customers.id</c>. Each test scopes its lists
/// to its own groups with <c>created_by=&lt;a fresh secret key&gt;</c>.
/// </summary>
[Collection(HttpCollection.Name)]
public sealed class CustomerGroupListTests(CustomersApiFactory api)
{
    [Fact]
    public async Task Lists_live_groups_in_creation_order_with_the_default_shape()
    {
        // docs/medusa-compatibility.md §7.1
        var key = await api.CreateSecretKeyAsync();
        var first = await api.CreateGroupAsync(key);
        var second = await api.CreateGroupAsync(key);
        var deleted = await api.CreateGroupAsync(key);
        (await api.AdminDeleteAsync($"{Groups}/{deleted.Id()}", key)).Expect(HttpStatusCode.OK);

        var list = await ListAsync(key, "");

        Assert.Equal((2L, 0, 50), (list["count"]!.GetValue<long>(), list["offset"]!.GetValue<int>(), list["limit"]!.GetValue<int>()));
        Assert.Equal(["customer_groups", "count", "offset", "limit"], list.Select(p => p.Key));
        Assert.True(JsonNode.DeepEquals(new JsonArray(first.DeepClone(), second.DeepClone()), list["customer_groups"]), list.ToJsonString());
    }

    [Fact]
    public async Task Q_searches_names_case_insensitively_and_leaves_customers_out()
    {
        // docs/medusa-compatibility.md §7.1 and §2.9
        var key = await api.CreateSecretKeyAsync();
        var vip = await api.CreateGroupAsync(key, NewGroupName("vip-customers"));
        var first = await api.CreateGroupAsync(key, NewGroupName("First group"));

        var byName = await ListAsync(key, $"q={vip["name"]!.GetValue<string>()}");
        var byPart = await ListAsync(key, "q=fir");
        var byWildcard = await ListAsync(key, "q=vip_cust"); // _ is a wildcard, as in Medusa

        Assert.Equal(1, byName["count"]!.GetValue<long>());
        var found = Assert.Single(byName["customer_groups"]!.AsArray())!.AsObject();
        Assert.Equal(vip.Id(), found.Id());
        Assert.DoesNotContain("customers", found.Select(p => p.Key));
        Assert.Equal([first.Id()], Ids(byPart));
        Assert.Equal([vip.Id()], Ids(byWildcard));
        Assert.Equal([vip.Id(), first.Id()], Ids(await ListAsync(key, "q=")));
    }

    [Fact]
    public async Task Fields_with_customers_bring_each_groups_live_members()
    {
        // docs/medusa-compatibility.md §7.1, and what the dashboard asks for
        var key = await api.CreateSecretKeyAsync();
        var group = await api.CreateGroupAsync(key);
        var empty = await api.CreateGroupAsync(key);
        var members = await api.CreateGuestsAsync(key, 3);
        (await api.ChangeCustomersAsync(key, group.Id(), add: members)).Expect(HttpStatusCode.OK);
        (await api.AdminDeleteAsync($"/admin/customers/{members[1]}", key)).Expect(HttpStatusCode.OK);

        var all = await ListAsync(key, "fields=*customers");
        var dashboard = await ListAsync(key, "fields=id,name,created_at,updated_at,customers.id");
        var added = await ListAsync(key, "fields=%2Bcustomers.id");

        var groups = all["customer_groups"]!.AsArray();
        Assert.Equal(2, all["count"]!.GetValue<long>());
        Assert.Equal([members[0], members[2]], groups[0]!["customers"]!.AsArray().Select(c => c!.Id()));
        Assert.Equal(
            ["id", "company_name", "first_name", "last_name", "email", "phone", "has_account", "metadata", "created_by", "created_at", "updated_at", "deleted_at"],
            groups[0]!["customers"]![0]!.AsObject().Select(p => p.Key));
        Assert.Equal("[]", groups[1]!["customers"]!.ToJsonString());
        Assert.Equal(
            $$"""[{"id":"{{members[0]}}"},{"id":"{{members[2]}}"}]""",
            dashboard["customer_groups"]![0]!["customers"]!.ToJsonString());
        Assert.Equal(["id", "name", "created_at", "updated_at", "customers"], dashboard["customer_groups"]![0]!.AsObject().Select(p => p.Key));
        Assert.Equal(
            ["id", "name", "created_by", "created_at", "updated_at", "deleted_at", "metadata", "customers"],
            added["customer_groups"]![1]!.AsObject().Select(p => p.Key));
        Assert.Equal(empty.Id(), added["customer_groups"]![1]!.Id());
    }

    [Fact]
    public async Task Filters_take_values_lists_and_operator_maps()
    {
        var key = await api.CreateSecretKeyAsync();
        var groups = new JsonObject[4];
        for (var i = 0; i < groups.Length; i++)
        {
            groups[i] = await api.CreateGroupAsync(key, NewGroupName($"filter{i}"));
        }

        var ids = groups.Select(g => g.Id()).ToArray();
        var names = groups.Select(g => g["name"]!.GetValue<string>()).ToArray();
        var thirdCreated = Uri.EscapeDataString(groups[2]["created_at"]!.GetValue<string>());

        Assert.Equal([ids[1]], Ids(await ListAsync(key, $"id={ids[1]}")));
        Assert.Equal([ids[0], ids[3]], Ids(await ListAsync(key, $"id[]={ids[0]}&id[]={ids[3]}")));
        Assert.Equal([ids[0], ids[3]], Ids(await ListAsync(key, $"id[]={ids[0]},{ids[3]}")));
        Assert.Equal([ids[1], ids[2], ids[3]], Ids(await ListAsync(key, $"id[$nin][]={ids[0]}")));
        Assert.Equal([ids[2]], Ids(await ListAsync(key, $"name={names[2]}")));
        Assert.Empty(Ids(await ListAsync(key, $"name={names[2].ToUpperInvariant()}")));
        Assert.Equal([ids[0], ids[1]], Ids(await ListAsync(key, $"name[0]={names[0]}&name[1]={names[1]}")));
        Assert.Equal([ids[3]], Ids(await ListAsync(key, "name[$ilike]=FILTER3%25")));
        Assert.Equal([ids[2], ids[3]], Ids(await ListAsync(key, $"created_at[$gte]={thirdCreated}")));
        Assert.Equal([ids[0], ids[1]], Ids(await ListAsync(key, $"created_at[$lt]={thirdCreated}")));
        Assert.Equal(ids, Ids(await ListAsync(key, "updated_at[$gt]=2020-01-01")));
        Assert.Equal([ids[0], ids[2]], Ids(await ListAsync(key, $"$or[0][id]={ids[0]}&$or[1][name]={names[2]}")));
        Assert.Empty(Ids(await ListAsync(key, $"$and[0][id]={ids[0]}&$and[1][name]={names[2]}")));
        Assert.Empty(Ids(await ListAsync(key, "deleted_at[$lt]=2999-01-01")));
        Assert.Equal(ids, Ids(await ListAsync(key, "with_deleted=true")));
    }

    [Fact]
    public async Task The_customers_filter_finds_the_groups_of_live_members()
    {
        var key = await api.CreateSecretKeyAsync();
        var a = await api.CreateGroupAsync(key);
        var b = await api.CreateGroupAsync(key);
        await api.CreateGroupAsync(key);
        var customers = await api.CreateGuestsAsync(key, 3);
        var email = (await api.AdminGetAsync($"/admin/customers/{customers[1]}", key)).Expect(HttpStatusCode.OK).Object["customer"]!["email"]!.GetValue<string>();
        (await api.ChangeCustomersAsync(key, a.Id(), add: [customers[0], customers[1]])).Expect(HttpStatusCode.OK);
        (await api.ChangeCustomersAsync(key, b.Id(), add: [customers[1], customers[2]])).Expect(HttpStatusCode.OK);
        (await api.AdminDeleteAsync($"/admin/customers/{customers[2]}", key)).Expect(HttpStatusCode.OK);

        Assert.Equal([a.Id()], Ids(await ListAsync(key, $"customers={customers[0]}")));
        Assert.Equal([a.Id(), b.Id()], Ids(await ListAsync(key, $"customers[]={customers[0]}&customers[]={customers[1]}")));
        Assert.Equal([a.Id(), b.Id()], Ids(await ListAsync(key, $"customers[id]={customers[1]}"))); // the dashboard's form
        Assert.Equal([a.Id(), b.Id()], Ids(await ListAsync(key, $"customers[email]={Uri.EscapeDataString(email)}")));
        Assert.Equal([a.Id()], Ids(await ListAsync(key, $"customers[id][$in][]={customers[0]}")));
        Assert.Empty(Ids(await ListAsync(key, $"customers={customers[2]}"))); // deleted members do not count
        Assert.Equal(3L, (await ListAsync(key, "customers[foo]=x"))["count"]!.GetValue<long>()); // unknown keys set no condition

        var fields = await ListAsync(key, $"customers[id]={customers[1]}&fields=%2Bcustomers.id");
        Assert.Equal(
            $$"""[{"id":"{{customers[0]}}"},{"id":"{{customers[1]}}"}]""",
            fields["customer_groups"]![0]!["customers"]!.ToJsonString());
    }

    [Fact]
    public async Task Paging_and_order()
    {
        var key = await api.CreateSecretKeyAsync();
        var c = await api.CreateGroupAsync(key, NewGroupName("c"));
        var a = await api.CreateGroupAsync(key, NewGroupName("a"));
        var b = await api.CreateGroupAsync(key, NewGroupName("b"));

        Assert.Equal([a.Id(), b.Id(), c.Id()], Ids(await ListAsync(key, "order=name")));
        Assert.Equal([c.Id(), b.Id(), a.Id()], Ids(await ListAsync(key, "order=-name")));
        Assert.Equal([b.Id(), a.Id(), c.Id()], Ids(await ListAsync(key, "order=-created_at")));
        var page = await ListAsync(key, "limit=1&offset=1");
        Assert.Equal([a.Id()], Ids(page));
        Assert.Equal((3L, 1, 1), (page["count"]!.GetValue<long>(), page["offset"]!.GetValue<int>(), page["limit"]!.GetValue<int>()));
        Assert.Empty(Ids(await ListAsync(key, "offset=10")));
    }

    [Theory]
    [InlineData("order=foo", "Order field foo is not valid")]
    [InlineData("order=customers.id", "Order field customers.id is not valid")]
    [InlineData("foo=1", "Invalid request: Unrecognized fields: 'foo'")]
    [InlineData("customers[id][$in]=x", "Invalid request: Expected type: 'array' for field 'customers, id, $in', got: 'x'")]
    [InlineData("customers[0][x]=y", "Invalid request: Expected type: 'string' for field 'customers, 0', got: '[object Object]'")]
    [InlineData("created_at[$gte]=x", "Invalid request: Expected type: 'date' for field 'created_at, $gte', got: 'x'")]
    [InlineData("created_by[$eq]=x", "Invalid request: Expected type: 'string, array' for field 'created_by', got: '[object Object]'")]
    [InlineData("limit=abc", "Invalid request: Expected type: 'number' for field 'limit', got: 'abc'")]
    public async Task Bad_queries_are_400(string query, string message)
    {
        var key = await api.CreateSecretKeyAsync();

        var response = await api.AdminGetAsync($"{Groups}?{query}", key);

        response.ExpectError(HttpStatusCode.BadRequest, "invalid_data", message);
    }

    private async Task<JsonObject> ListAsync(TestSecretKey key, string query) =>
        (await api.AdminGetAsync($"{Groups}?created_by={key.Id}&{query}", key)).Expect(HttpStatusCode.OK).Object;

    private static List<string> Ids(JsonObject list) => list["customer_groups"]!.AsArray().Select(g => g!.Id()).ToList();
}
