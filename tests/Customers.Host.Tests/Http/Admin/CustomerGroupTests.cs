using System.Net;
using System.Text.Json.Nodes;
using Customers.Testing;
using Xunit;
using static Customers.Host.Tests.Http.Admin.CustomerGroupFixture;

namespace Customers.Host.Tests.Http.Admin;

/// <summary>
/// <c>POST /admin/customer-groups</c>, <c>GET|POST|DELETE /admin/customer-groups/{id}</c>
/// (docs/medusa-compatibility.md §7.2-§7.5) and their error cases.
/// </summary>
[Collection(HttpCollection.Name)]
public sealed class CustomerGroupTests(CustomersApiFactory api)
{
    private static readonly string[] DefaultKeys = ["id", "name", "created_by", "created_at", "updated_at", "deleted_at", "metadata"];

    [Fact]
    public async Task Create_answers_the_group_in_medusas_default_shape_created_by_the_admin_user()
    {
        // docs/medusa-compatibility.md §7.2
        var admin = await api.CreateAdminAsync();
        var name = NewGroupName("test group");
        var before = api.Clock.GetUtcNow();

        var response = (await api.Anonymous.PostAsync(Groups, new { name }, admin.Token)).Expect(HttpStatusCode.OK);

        Assert.Equal(["customer_group"], response.Object.Select(p => p.Key));
        var group = response.Object["customer_group"]!.AsObject();
        Assert.Equal(DefaultKeys, group.Select(p => p.Key));
        Assert.StartsWith("cusgroup_", group.Id());
        Assert.Equal(26, group.Id()["cusgroup_".Length..].Length);
        Assert.Equal(name, group["name"]!.GetValue<string>());
        Assert.Equal(admin.UserId, group["created_by"]!.GetValue<string>());
        Assert.Null(group["metadata"]);
        Assert.Null(group["deleted_at"]);
        Assert.Matches(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$", group["created_at"]!.GetValue<string>());
        Assert.Equal(group["created_at"]!.GetValue<string>(), group["updated_at"]!.GetValue<string>());
        Assert.True(DateTimeOffset.Parse(group["created_at"]!.GetValue<string>()) >= before.AddMilliseconds(-1));
    }

    [Fact]
    public async Task A_secret_key_is_the_creator_and_metadata_is_stored_verbatim()
    {
        var key = await api.CreateSecretKeyAsync();
        var metadata = new JsonObject { ["a"] = "", ["b"] = null, ["c"] = new JsonObject { ["d"] = 1 } };

        var group = await api.CreateGroupAsync(key, metadata: metadata);

        Assert.Equal(key.Id, group["created_by"]!.GetValue<string>());
        Assert.Equal("""{"a":"","b":null,"c":{"d":1}}""", group["metadata"]!.ToJsonString());
    }

    [Fact]
    public async Task An_empty_name_is_accepted()
    {
        var key = await api.CreateSecretKeyAsync();
        var group = await api.CreateGroupAsync(key, name: "");

        Assert.Equal("", group["name"]!.GetValue<string>());
        (await api.AdminDeleteAsync($"{Groups}/{group.Id()}", key)).Expect(HttpStatusCode.OK); // frees "" for a rerun on this database
    }

    [Fact]
    public async Task A_name_taken_by_a_live_group_is_400_with_medusas_message_and_free_again_after_delete()
    {
        // docs/medusa-compatibility.md §7.2
        var key = await api.CreateSecretKeyAsync();
        var name = NewGroupName("vip-customers");
        var first = await api.CreateGroupAsync(key, name);

        var duplicate = await api.AdminPostAsync(Groups, key, new JsonObject { ["name"] = name });
        (await api.AdminDeleteAsync($"{Groups}/{first.Id()}", key)).Expect(HttpStatusCode.OK);
        var again = await api.AdminPostAsync(Groups, key, new JsonObject { ["name"] = name });

        duplicate.ExpectError(HttpStatusCode.BadRequest, "invalid_data", $"Customer group with name: {name}, already exists.");
        Assert.Equal(name, again.Expect(HttpStatusCode.OK).Object["customer_group"]!["name"]!.GetValue<string>());
        Assert.Equal(2L, await Db.ScalarAsync<long>(api.ConnectionString, "SELECT count(*) FROM customer_group WHERE name = $1", name));
    }

    [Theory]
    [InlineData("{}", "Invalid request: Field 'name' is required")]
    [InlineData("""{"name":null}""", "Invalid request: Expected type: 'string' for field 'name', got: 'null'")]
    [InlineData("""{"name":5}""", "Invalid request: Expected type: 'string' for field 'name', got: '5'")]
    [InlineData("""{"name":"x","metadata":"x"}""", "Invalid request: Expected type: 'record' for field 'metadata', got: 'x'")]
    [InlineData("""{"name":"x","foo":1,"created_by":"me"}""", "Invalid request: Unrecognized fields: 'foo, created_by'")]
    public async Task Create_validates_its_body(string body, string message)
    {
        var key = await api.CreateSecretKeyAsync();

        var response = await api.AdminPostAsync(Groups, key, JsonNode.Parse(body));

        response.ExpectError(HttpStatusCode.BadRequest, "invalid_data", message);
    }

    [Fact]
    public async Task Get_answers_the_group_without_customers_unless_asked_for()
    {
        // docs/medusa-compatibility.md §7.3
        var key = await api.CreateSecretKeyAsync();
        var group = await api.CreateGroupAsync(key);

        var plain = (await api.AdminGetAsync($"{Groups}/{group.Id()}", key)).Expect(HttpStatusCode.OK);
        var withCustomers = (await api.AdminGetAsync($"{Groups}/{group.Id()}?fields=*customers", key)).Expect(HttpStatusCode.OK);
        var some = (await api.AdminGetAsync($"{Groups}/{group.Id()}?fields=name", key)).Expect(HttpStatusCode.OK);

        Assert.True(JsonNode.DeepEquals(group, plain.Object["customer_group"]), plain.Body);
        Assert.Equal([.. DefaultKeys, "customers"], withCustomers.Object["customer_group"]!.AsObject().Select(p => p.Key));
        Assert.Equal("[]", withCustomers.Object["customer_group"]!["customers"]!.ToJsonString());
        Assert.Equal($$$"""{"customer_group":{"name":"{{{group["name"]!.GetValue<string>()}}}","id":"{{{group.Id()}}}"}}""", some.Body);
    }

    [Fact]
    public async Task Get_of_a_missing_group_is_404()
    {
        // docs/medusa-compatibility.md §7.3
        var key = await api.CreateSecretKeyAsync();

        var response = await api.AdminGetAsync($"{Groups}/does-not-exist", key);

        response.ExpectError(HttpStatusCode.NotFound, "not_found", "Customer group with id: does-not-exist not found");
    }

    [Fact]
    public async Task Get_takes_only_fields()
    {
        var key = await api.CreateSecretKeyAsync();
        var group = await api.CreateGroupAsync(key);

        var response = await api.AdminGetAsync($"{Groups}/{group.Id()}?expand=customers", key);

        response.ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Invalid request: Unrecognized fields: 'expand'");
    }

    [Fact]
    public async Task Update_renames_and_merges_metadata()
    {
        // docs/medusa-compatibility.md §7.4 and §2.13
        var key = await api.CreateSecretKeyAsync();
        var group = await api.CreateGroupAsync(key, metadata: new JsonObject { ["data1"] = "value1" });
        api.Clock.Advance(TimeSpan.FromSeconds(1));
        var name = NewGroupName("vip-customers-v2");

        var updated = (await api.AdminPostAsync($"{Groups}/{group.Id()}", key,
            new JsonObject { ["name"] = name, ["metadata"] = new JsonObject { ["metaKey1"] = "metaValue1" } })).Expect(HttpStatusCode.OK);
        var renamed = (await api.AdminPostAsync($"{Groups}/{group.Id()}", key, new JsonObject { ["name"] = NewGroupName("regular") }))
            .Expect(HttpStatusCode.OK);

        var afterFirst = updated.Object["customer_group"]!;
        Assert.Equal(name, afterFirst["name"]!.GetValue<string>());
        Assert.Equal("""{"data1":"value1","metaKey1":"metaValue1"}""", afterFirst["metadata"]!.ToJsonString());
        Assert.NotEqual(group["updated_at"]!.GetValue<string>(), afterFirst["updated_at"]!.GetValue<string>());
        Assert.Equal(group["created_at"]!.GetValue<string>(), afterFirst["created_at"]!.GetValue<string>());
        Assert.StartsWith("regular-", renamed.Object["customer_group"]!["name"]!.GetValue<string>());
        Assert.Equal("""{"data1":"value1","metaKey1":"metaValue1"}""", renamed.Object["customer_group"]!["metadata"]!.ToJsonString());
    }

    [Fact]
    public async Task Update_with_fields_answers_customers_and_keeps_null_metadata_values()
    {
        // docs/medusa-compatibility.md §2.13: null does not delete a key, "" does
        var key = await api.CreateSecretKeyAsync();
        var group = await api.CreateGroupAsync(key, metadata: new JsonObject { ["data1"] = "value1", ["gone"] = "x" });

        var response = (await api.AdminPostAsync($"{Groups}/{group.Id()}?fields=*customers", key,
            new JsonObject { ["name"] = NewGroupName(), ["metadata"] = new JsonObject { ["data1"] = null, ["data2"] = "val2", ["gone"] = "" } }))
            .Expect(HttpStatusCode.OK);

        var updated = response.Object["customer_group"]!;
        Assert.Equal("""{"data1":null,"data2":"val2"}""", updated["metadata"]!.ToJsonString());
        Assert.Equal("[]", updated["customers"]!.ToJsonString());
    }

    [Fact]
    public async Task An_update_that_changes_nothing_keeps_updated_at()
    {
        var key = await api.CreateSecretKeyAsync();
        var group = await api.CreateGroupAsync(key, metadata: new JsonObject { ["a"] = 1 });
        api.Clock.Advance(TimeSpan.FromSeconds(1));

        var response = (await api.AdminPostAsync($"{Groups}/{group.Id()}", key,
            new JsonObject { ["name"] = group["name"]!.GetValue<string>(), ["metadata"] = new JsonObject() })).Expect(HttpStatusCode.OK);

        Assert.True(JsonNode.DeepEquals(group, response.Object["customer_group"]), response.Body);
    }

    [Fact]
    public async Task Update_errors_use_medusas_words()
    {
        var key = await api.CreateSecretKeyAsync();
        var taken = await api.CreateGroupAsync(key);
        var group = await api.CreateGroupAsync(key);
        var deleted = await api.CreateGroupAsync(key);
        (await api.AdminDeleteAsync($"{Groups}/{deleted.Id()}", key)).Expect(HttpStatusCode.OK);
        var takenName = taken["name"]!.GetValue<string>();

        (await api.AdminPostAsync($"{Groups}/cusgroup_missing", key, new JsonObject { ["name"] = "x" }))
            .ExpectError(HttpStatusCode.NotFound, "not_found", "Customer group with id \"cusgroup_missing\" not found");
        (await api.AdminPostAsync($"{Groups}/{deleted.Id()}", key, new JsonObject { ["name"] = NewGroupName() }))
            .ExpectError(HttpStatusCode.NotFound, "not_found", $"Customer group with id \"{deleted.Id()}\" not found");
        (await api.AdminPostAsync($"{Groups}/{group.Id()}", key, new JsonObject { ["name"] = takenName }))
            .ExpectError(HttpStatusCode.BadRequest, "invalid_data", $"Customer group with name: {takenName}, already exists.");
        (await api.AdminPostAsync($"{Groups}/{group.Id()}", key, new JsonObject { ["name"] = null }))
            .ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Invalid request: Expected type: 'string' for field 'name', got: 'null'");
        (await api.AdminPostAsync($"{Groups}/{group.Id()}", key, new JsonObject { ["created_by"] = "x" }))
            .ExpectError(HttpStatusCode.BadRequest, "invalid_data", "Invalid request: Unrecognized fields: 'created_by'");

        var unchanged = (await api.AdminGetAsync($"{Groups}/{group.Id()}", key)).Expect(HttpStatusCode.OK);
        Assert.True(JsonNode.DeepEquals(group, unchanged.Object["customer_group"]), unchanged.Body);
    }

    [Fact]
    public async Task Delete_answers_exactly_medusas_envelope_and_soft_deletes()
    {
        // docs/medusa-compatibility.md §7.5
        var key = await api.CreateSecretKeyAsync();
        var group = await api.CreateGroupAsync(key);

        var response = await api.AdminDeleteAsync($"{Groups}/{group.Id()}", key);

        response.Expect(HttpStatusCode.OK, $$"""{"id":"{{group.Id()}}","object":"customer_group","deleted":true}""");
        (await api.AdminGetAsync($"{Groups}/{group.Id()}", key))
            .ExpectError(HttpStatusCode.NotFound, "not_found", $"Customer group with id: {group.Id()} not found");
        Assert.NotNull(await Db.ScalarAsync<DateTime?>(api.ConnectionString, "SELECT deleted_at FROM customer_group WHERE id = $1", group.Id()));
    }

    [Fact]
    public async Task Deleting_a_missing_or_deleted_group_answers_the_same_200()
    {
        var key = await api.CreateSecretKeyAsync();
        var group = await api.CreateGroupAsync(key);
        (await api.AdminDeleteAsync($"{Groups}/{group.Id()}", key)).Expect(HttpStatusCode.OK);

        (await api.AdminDeleteAsync($"{Groups}/{group.Id()}", key))
            .Expect(HttpStatusCode.OK, $$"""{"id":"{{group.Id()}}","object":"customer_group","deleted":true}""");
        (await api.AdminDeleteAsync($"{Groups}/does-not-exist", key))
            .Expect(HttpStatusCode.OK, """{"id":"does-not-exist","object":"customer_group","deleted":true}""");
    }

    [Fact]
    public async Task A_deleted_group_leaves_its_members_groups()
    {
        // docs/medusa-compatibility.md §7.5
        var key = await api.CreateSecretKeyAsync();
        var group = await api.CreateGroupAsync(key);
        var other = await api.CreateGroupAsync(key);
        var customer = (await api.CreateGuestsAsync(key, 1))[0];
        (await api.ChangeCustomersAsync(key, group.Id(), add: [customer])).Expect(HttpStatusCode.OK);
        (await api.ChangeCustomersAsync(key, other.Id(), add: [customer])).Expect(HttpStatusCode.OK);
        var before = await api.GroupIdsOfAsync(key, customer);

        (await api.AdminDeleteAsync($"{Groups}/{group.Id()}", key)).Expect(HttpStatusCode.OK);

        Assert.Equal([group.Id(), other.Id()], before);
        Assert.Equal([other.Id()], await api.GroupIdsOfAsync(key, customer));
        // Like Medusa, the membership row stays; every read leaves it out.
        Assert.Equal(1L, await Db.ScalarAsync<long>(api.ConnectionString,
            "SELECT count(*) FROM customer_group_customer WHERE customer_group_id = $1", group.Id()));
    }

    [Fact]
    public async Task A_customer_token_is_not_an_admin()
    {
        var customer = await api.CreateCustomerAsync();

        (await api.Anonymous.PostAsync(Groups, new { name = NewGroupName() }, customer.Token)).ExpectUnauthorized();
        (await api.Anonymous.GetAsync(Groups, customer.Token)).ExpectUnauthorized();
    }
}
