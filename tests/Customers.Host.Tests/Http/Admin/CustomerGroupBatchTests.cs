using Customers.Testing;
using System.Diagnostics;
using System.Net;
using System.Text.Json.Nodes;
using Customers.Abstractions.Ids;
using Xunit;
using Xunit.Abstractions;
using static Customers.Host.Tests.Http.Admin.CustomerGroupFixture;

namespace Customers.Host.Tests.Http.Admin;

/// <summary>
/// Batch membership changes of thousands of customers: one request each way, one database call each.
/// <para>
/// The 5,000 customers are seeded with one SQL statement into the relational read model (<c>customer</c>) only, not
/// through their grains. That is enough here because the membership routes validate customer ids against the read
/// model (the same table every grain write keeps current in its own transaction), and the reads this test makes (the
/// group's members, the customer list) come from it too. Those customers have no grain state, so routes that go to a
/// customer's grain (<c>GET /admin/customers/{id}</c>) would not find them.
/// </para>
/// </summary>
[Collection(HttpCollection.Name)]
public sealed class CustomerGroupBatchTests(CustomersApiFactory api, ITestOutputHelper output)
{
    private const int Count = 5_000;

    [Fact]
    public async Task Five_thousand_customers_join_and_leave_a_group_in_one_request_each()
    {
        var key = await api.CreateSecretKeyAsync();
        var group = await api.CreateGroupAsync(key);
        var other = await api.CreateGroupAsync(key);
        var ids = await SeedReadModelCustomersAsync(key, Count);
        (await api.ChangeCustomersAsync(key, other.Id(), add: ids[..10])).Expect(HttpStatusCode.OK);

        var addTime = Stopwatch.StartNew();
        (await api.ChangeCustomersAsync(key, group.Id(), add: ids)).Expect(HttpStatusCode.OK);
        addTime.Stop();

        Assert.Equal(Count, await MemberCountAsync(group.Id()));
        var members = (await api.AdminGetAsync($"{Groups}/{group.Id()}?fields=customers.id", key)).Expect(HttpStatusCode.OK);
        Assert.Equal(ids, members.Object["customer_group"]!["customers"]!.AsArray().Select(c => c!.Id()));
        var page = await CustomerListAsync(key, $"groups={group.Id()}&limit=3&offset=4000");
        Assert.Equal(Count, page["count"]!.GetValue<long>());
        Assert.Equal(ids[4000..4003], page["customers"]!.AsArray().Select(c => c!.Id()));

        // Adding them all again changes nothing and fails nothing.
        (await api.ChangeCustomersAsync(key, group.Id(), add: ids)).Expect(HttpStatusCode.OK);
        Assert.Equal(Count, await MemberCountAsync(group.Id()));

        var removeTime = Stopwatch.StartNew();
        (await api.ChangeCustomersAsync(key, group.Id(), remove: ids)).Expect(HttpStatusCode.OK);
        removeTime.Stop();

        Assert.Equal(0, await MemberCountAsync(group.Id()));
        Assert.Equal(10, await MemberCountAsync(other.Id())); // the other group's memberships are untouched
        Assert.Equal(0L, (await CustomerListAsync(key, $"groups={group.Id()}&limit=1"))["count"]!.GetValue<long>());
        output.WriteLine($"add {Count}: {addTime.ElapsedMilliseconds} ms; remove {Count}: {removeTime.ElapsedMilliseconds} ms");
    }

    [Fact]
    public async Task One_unknown_id_among_five_thousand_rejects_the_batch()
    {
        var key = await api.CreateSecretKeyAsync();
        var group = await api.CreateGroupAsync(key);
        var ids = await SeedReadModelCustomersAsync(key, Count);
        string[] add = [.. ids[..2500], "cus_not_there", .. ids[2500..]];

        var response = await api.ChangeCustomersAsync(key, group.Id(), add: add);

        response.ExpectError(HttpStatusCode.NotFound, "not_found", "You tried to set relationship customer_id: cus_not_there, but such entity does not exist");
        Assert.Equal(0, await MemberCountAsync(group.Id()));
    }

    private async Task<string[]> SeedReadModelCustomersAsync(TestSecretKey key, int count)
    {
        var start = DateTimeOffset.UtcNow;
        // One id per millisecond from a common start: ids sort in array order, as API-made customers would.
        var ids = Enumerable.Range(0, count).Select(i => EntityId.New(EntityId.Customer, start.AddMilliseconds(i))).ToArray();
        await Db.ExecuteAsync(
            api.ConnectionString,
            """
            INSERT INTO customer (id, email, first_name, created_by, created_at, updated_at)
            SELECT c.id, 'batch-' || c.id || '@example.com', 'Batch', $2, now(), now()
            FROM unnest($1::text[]) AS c (id)
            """,
            ids, key.Id);
        return ids;
    }

    private async Task<int> MemberCountAsync(string groupId) =>
        (int)await Db.ScalarAsync<long>(api.ConnectionString, "SELECT count(*) FROM customer_group_customer WHERE customer_group_id = $1", groupId);

    private async Task<JsonObject> CustomerListAsync(TestSecretKey key, string query) =>
        (await api.AdminGetAsync($"/admin/customers?created_by={key.Id}&{query}", key)).Expect(HttpStatusCode.OK).Object;
}
