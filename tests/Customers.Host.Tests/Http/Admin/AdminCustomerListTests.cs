using Customers.Testing;
using System.Net;
using System.Text.Json.Nodes;
using Xunit;

namespace Customers.Host.Tests.Http.Admin;

/// <summary>
/// <c>GET /admin/customers</c> list conventions (docs/medusa-compatibility.md §2.6-§2.9): filters and operators,
/// <c>$and</c>/<c>$or</c>, <c>order</c>, paging, and that the read model answers every acknowledged write at once. Each
/// test scopes its lists to its own rows with <c>created_by=&lt;a fresh secret key&gt;</c>.
/// </summary>
[Collection(HttpCollection.Name)]
public sealed class AdminCustomerListTests(CustomersApiFactory api)
{
    private const string Customers = "/admin/customers";

    [Fact]
    public async Task Paging_keeps_the_count_and_an_offset_past_the_end_is_empty()
    {
        var (key, ids) = await FiveCustomersAsync();

        var page = await ListAsync(key, "limit=2&offset=1");
        var past = await ListAsync(key, "limit=2&offset=10");
        var none = await ListAsync(key, "limit=0");

        Assert.Equal(ids[1..3], Ids(page));
        Assert.Equal((5L, 1, 2), (page["count"]!.GetValue<long>(), page["offset"]!.GetValue<int>(), page["limit"]!.GetValue<int>()));
        Assert.Empty(Ids(past));
        Assert.Equal(5, past["count"]!.GetValue<long>());
        Assert.Empty(Ids(none));
        Assert.Equal(5, none["count"]!.GetValue<long>());
    }

    [Fact]
    public async Task Order_takes_one_column_either_way_with_nulls_as_postgresql_places_them()
    {
        var (key, ids) = await FiveCustomersAsync();

        // first_name: e, d, c, b, null (the fifth has none); NULLs last ascending, first descending.
        Assert.Equal([ids[3], ids[2], ids[1], ids[0], ids[4]], Ids(await ListAsync(key, "order=first_name")));
        Assert.Equal([ids[4], ids[0], ids[1], ids[2], ids[3]], Ids(await ListAsync(key, "order=-first_name")));
        Assert.Equal(ids.AsEnumerable().Reverse(), Ids(await ListAsync(key, "order=-created_at")));
        Assert.Equal(ids, Ids(await ListAsync(key, "order=id")));
        // company_name: -, Acme, Beta, -, -; ties (here the NULLs) by id in the list's direction.
        Assert.Equal([ids[1], ids[2], ids[0], ids[3], ids[4]], Ids(await ListAsync(key, "order=company_name")));
        Assert.Equal([ids[4], ids[3], ids[0], ids[2], ids[1]], Ids(await ListAsync(key, "order=-company_name")));
    }

    [Theory]
    [InlineData("order=foo", "Order field foo is not valid")]
    [InlineData("order=metadata", "Order field metadata is not valid")]
    [InlineData("order=groups.name", "Order field groups.name is not valid")]
    [InlineData("order=email%3B%20DROP%20TABLE%20customer", "Order field email; DROP TABLE customer is not valid")]
    [InlineData("order=-", "Order field  is not valid")]
    public async Task Unknown_order_fields_are_400_not_medusas_500(string query, string message)
    {
        var key = await api.CreateSecretKeyAsync();

        var response = await api.AdminGetAsync($"{Customers}?{query}", key);

        response.ExpectError(HttpStatusCode.BadRequest, "invalid_data", message);
    }

    [Fact]
    public async Task Equality_filters_are_exact_and_take_lists()
    {
        var (key, ids, emails) = await FiveCustomersWithEmailsAsync();

        Assert.Equal([ids[1]], Ids(await ListAsync(key, $"email={Uri.EscapeDataString(emails[1])}")));
        Assert.Empty(Ids(await ListAsync(key, $"email={Uri.EscapeDataString(emails[1].ToUpperInvariant())}")));
        Assert.Equal([ids[0], ids[3]], Ids(await ListAsync(key, $"email[]={Uri.EscapeDataString(emails[0])}&email[]={Uri.EscapeDataString(emails[3])}")));
        Assert.Equal([ids[0], ids[3]], Ids(await ListAsync(key, $"email[]={Uri.EscapeDataString(emails[0] + "," + emails[3])}")));
        Assert.Equal([ids[2]], Ids(await ListAsync(key, "phone=333")));
        Assert.Equal([ids[1], ids[2]], Ids(await ListAsync(key, "company_name[0]=Acme&company_name[1]=Beta")));
        Assert.Equal(ids, Ids(await ListAsync(key, "has_account=FALSE")));
        Assert.Empty(Ids(await ListAsync(key, "has_account=true")));
    }

    [Fact]
    public async Task Id_and_timestamps_take_operator_maps()
    {
        var (key, ids) = await FiveCustomersAsync();
        var third = (await api.AdminGetAsync($"{Customers}/{ids[2]}", key)).Expect(HttpStatusCode.OK).Object["customer"]!;
        var createdAt = Uri.EscapeDataString(third["created_at"]!.GetValue<string>());

        Assert.Equal([ids[0], ids[4]], Ids(await ListAsync(key, $"id[$in][]={ids[0]}&id[$in][]={ids[4]}")));
        Assert.Equal([ids[1], ids[2], ids[3]], Ids(await ListAsync(key, $"id[$nin][]={ids[0]}&id[$nin][]={ids[4]}")));
        Assert.Equal([ids[0], ids[1], ids[3], ids[4]], Ids(await ListAsync(key, $"id[$ne]={ids[2]}")));
        Assert.Equal([ids[2]], Ids(await ListAsync(key, $"id[$eq]={ids[2]}")));
        Assert.Equal(ids, Ids(await ListAsync(key, "id[$like]=cus_%25")));
        Assert.Equal(ids, Ids(await ListAsync(key, "id[$ilike]=CUS_%25")));
        Assert.Equal(ids, Ids(await ListAsync(key, "id[$re]=^cus_0")));
        Assert.Equal([ids[3], ids[4]], Ids(await ListAsync(key, $"id[$gt]={ids[2]}")));
        Assert.Equal([ids[2], ids[3], ids[4]], Ids(await ListAsync(key, $"created_at[$gte]={createdAt}")));
        Assert.Equal([ids[0], ids[1]], Ids(await ListAsync(key, $"created_at[$lt]={createdAt}")));
        Assert.Equal([ids[2]], Ids(await ListAsync(key, $"created_at[$gte]={createdAt}&created_at[$lte]={createdAt}")));
        Assert.Equal([ids[2]], Ids(await ListAsync(key, $"created_at={createdAt}")));
        Assert.Equal(ids, Ids(await ListAsync(key, "updated_at[$gt]=2020-01-01")));
        Assert.Equal(ids, Ids(await ListAsync(key, $"id[$foo]={ids[0]}"))); // unknown operators are ignored, as in Medusa
        Assert.Empty(Ids(await ListAsync(key, "deleted_at[$lt]=2999-01-01"))); // deleted rows are never listed
    }

    [Fact]
    public async Task And_and_or_combine_filters()
    {
        var (key, ids, emails) = await FiveCustomersWithEmailsAsync();

        Assert.Equal([ids[0], ids[2]], Ids(await ListAsync(key, $"$or[0][email]={Uri.EscapeDataString(emails[0])}&$or[1][phone]=333")));
        Assert.Equal([ids[2]], Ids(await ListAsync(key, $"$and[0][company_name]=Beta&$and[1][phone]=333")));
        Assert.Empty(Ids(await ListAsync(key, $"$and[0][company_name]=Beta&$and[1][phone]=222")));
        Assert.Equal([ids[1], ids[2]], Ids(await ListAsync(key, "$or[0][company_name]=Acme&$or[1][q]=beta")));
        Assert.Equal([ids[2]], Ids(await ListAsync(key, $"q=beta&$or[0][id][$in][]={ids[2]}&$or[1][id]={ids[3]}")));
    }

    [Fact]
    public async Task Groups_filter_on_an_unknown_group_matches_nobody()
    {
        var (key, _) = await FiveCustomersAsync();

        Assert.Empty(Ids(await ListAsync(key, "groups=cusgroup_x")));
        Assert.Empty(Ids(await ListAsync(key, "groups[0]=cusgroup_x")));
        Assert.Empty(Ids(await ListAsync(key, "groups[id]=cusgroup_x")));
        Assert.Empty(Ids(await ListAsync(key, "groups[name]=VIP")));
        Assert.Equal(5, (await ListAsync(key, "fields=id,*groups"))["customers"]!.AsArray()
            .Count(c => c!["groups"]!.ToJsonString() == "[]"));
    }

    /// <summary>A <c>$re</c> pattern one character over the cap.</summary>
    private const string LongPattern = "ababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababababc";

    [Theory]
    [InlineData("id[$in]=cus_x", "Invalid request: Expected type: 'array' for field 'id, $in', got: 'cus_x'")]
    [InlineData("id[$contains]=x", "Invalid request: Operator '$contains' is not supported for field 'id'")]
    [InlineData("created_at[$like]=2020%25", "Invalid request: Operator '$like' is not supported for field 'created_at'")]
    [InlineData("created_at[$gte]=not-a-date", "Invalid request: Expected type: 'date' for field 'created_at, $gte', got: 'not-a-date'")]
    [InlineData("email[$ilike]=x", "Invalid request: Expected type: 'string, array' for field 'email', got: '[object Object]'")]
    [InlineData("has_account=yes", "Invalid request: Invalid input")]
    [InlineData("$or[0]=x", "Invalid request: Expected type: 'object' for field '$or, 0', got: 'x'")]
    [InlineData("$and=x", "Invalid request: Expected type: 'array' for field '$and', got: 'x'")]
    [InlineData("foo=1", "Invalid request: Unrecognized fields: 'foo'")]
    [InlineData("expand=addresses", "Invalid request: Unrecognized fields: 'expand'")]
    [InlineData("limit=abc", "Invalid request: Expected type: 'number' for field 'limit', got: 'abc'")]
    [InlineData("fields=a&fields=b", "Invalid request: Expected type: 'string' for field 'fields', got: 'a,b'")]
    [InlineData("id[$re]=(", "Invalid filter value: invalid regular expression: parentheses () not balanced")]
    [InlineData("id[$re]=" + LongPattern, "Invalid request: Field 'id, $re' must be at most 200 characters")]
    public async Task Bad_filters_are_400(string query, string message)
    {
        var key = await api.CreateSecretKeyAsync();

        var response = await api.AdminGetAsync($"{Customers}?{query}", key);

        response.ExpectError(HttpStatusCode.BadRequest, "invalid_data", message);
    }

    [Theory]
    [InlineData("q='; DROP TABLE customer; --")]
    [InlineData("q=%27%20OR%20%271%27%3D%271")]
    [InlineData("email=%27%20OR%20%271%27%3D%271")]
    [InlineData("id[$in][]=x%27)%20OR%20(1%3D1")]
    [InlineData("first_name[]=a%27%2C%27b")]
    [InlineData("company_name=x%22%3B%20DELETE%20FROM%20customer%3B%20--")]
    [InlineData("id[$like]=cus%5C")]
    [InlineData("id[$re]=.%2A%27%3B%20DROP%20TABLE%20customer%3B%20--")]
    public async Task Injection_attempts_are_only_values(string query)
    {
        var key = await api.CreateSecretKeyAsync();
        var mine = await api.CreateGuestAsync(key, new JsonObject { ["first_name"] = "Safe" });
        var before = await Db.ScalarAsync<long>(api.ConnectionString, "SELECT count(*) FROM customer");

        var response = (await api.AdminGetAsync($"{Customers}?created_by={key.Id}&{query}", key)).Expect(HttpStatusCode.OK);

        Assert.Equal(0, response.Object["count"]!.GetValue<long>());
        Assert.True(await Db.ScalarAsync<long>(api.ConnectionString, "SELECT count(*) FROM customer") >= before);
        (await api.AdminGetAsync($"{Customers}/{mine.Id()}", key)).Expect(HttpStatusCode.OK);
    }

    [Theory]
    [InlineData("email%27%20OR%20%271%27%3D%271=x")]
    [InlineData("%22email%22=x")]
    [InlineData("$or[0][email%3B%20DROP%20TABLE%20customer]=x")]
    public async Task Injection_attempts_in_keys_are_unknown_keys(string query)
    {
        var key = await api.CreateSecretKeyAsync();

        var response = await api.AdminGetAsync($"{Customers}?created_by={key.Id}&{query}", key);

        // Top-level unknown keys are a 400; inside $or they are dropped, like any unknown nested key.
        Assert.True(response.Status is HttpStatusCode.BadRequest or HttpStatusCode.OK, response.Body);
        Assert.True(await Db.ScalarAsync<long>(api.ConnectionString, "SELECT count(*) FROM customer") > 0);
    }

    [Fact]
    public async Task Lists_reflect_every_acknowledged_write_at_once()
    {
        var key = await api.CreateSecretKeyAsync();
        var tag = Guid.NewGuid().ToString("N");

        var created = await api.CreateGuestAsync(key, new JsonObject { ["first_name"] = "Before" });
        Assert.Equal([created.Id()], Ids(await ListAsync(key, "first_name=Before")));

        (await api.AdminPostAsync($"{Customers}/{created.Id()}", key, new JsonObject { ["last_name"] = tag })).Expect(HttpStatusCode.OK);
        Assert.Equal([created.Id()], Ids(await ListAsync(key, $"q={tag}")));

        (await api.AdminPostAsync($"{Customers}/{created.Id()}/addresses", key, new JsonObject { ["city"] = tag })).Expect(HttpStatusCode.OK);
        var withAddress = await ListAsync(key, "fields=id,*addresses");
        Assert.Equal(tag, withAddress["customers"]![0]!["addresses"]![0]!["city"]!.GetValue<string>());

        (await api.AdminDeleteAsync($"{Customers}/{created.Id()}", key)).Expect(HttpStatusCode.OK);
        Assert.Empty(Ids(await ListAsync(key, "")));

        // A store sign-up shows at once too.
        var member = await api.CreateCustomerAsync();
        var byEmail = (await api.AdminGetAsync($"{Customers}?email={Uri.EscapeDataString(member.Email)}", key)).Expect(HttpStatusCode.OK).Object;
        Assert.Equal([member.CustomerId], Ids(byEmail));
        Assert.True(byEmail["customers"]![0]!["has_account"]!.GetValue<bool>());
        Assert.Null(byEmail["customers"]![0]!["created_by"]);
    }

    [Fact]
    public async Task Fields_project_the_list()
    {
        var (key, ids) = await FiveCustomersAsync();

        var response = await ListAsync(key, "fields=id,first_name&limit=1");

        Assert.Equal($$"""[{"id":"{{ids[0]}}","first_name":"e"}]""", response["customers"]!.ToJsonString());
    }

    private async Task<JsonObject> ListAsync(TestSecretKey key, string query) =>
        (await api.AdminGetAsync($"{Customers}?created_by={key.Id}&{query}", key)).Expect(HttpStatusCode.OK).Object;

    private static List<string> Ids(JsonObject list) => list["customers"]!.AsArray().Select(c => c!.Id()).ToList();

    private async Task<(TestSecretKey Key, string[] Ids)> FiveCustomersAsync()
    {
        var (key, ids, _) = await FiveCustomersWithEmailsAsync();
        return (key, ids);
    }

    /// <summary>Five guests by a fresh key: first names e, d, c, b, (none); companies -, Acme, Beta, -, -; phone 333 on the third.</summary>
    private async Task<(TestSecretKey Key, string[] Ids, string[] Emails)> FiveCustomersWithEmailsAsync()
    {
        var key = await api.CreateSecretKeyAsync();
        string?[] names = ["e", "d", "c", "b", null];
        string?[] companies = [null, "Acme", "Beta", null, null];
        var ids = new string[5];
        var emails = new string[5];
        for (var i = 0; i < 5; i++)
        {
            emails[i] = CustomersApiFactory.NewEmail($"list{i}");
            var body = new JsonObject { ["email"] = emails[i], ["first_name"] = names[i], ["company_name"] = companies[i] };
            if (i == 2)
            {
                body["phone"] = "333";
            }

            ids[i] = (await api.CreateGuestAsync(key, body)).Id();
        }

        return (key, ids, emails);
    }
}
