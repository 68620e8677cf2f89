using System.Net;
using System.Text.Json.Nodes;

namespace Customers.Host.Tests.Http.Admin;

/// <summary>Customer group helpers on the shared <see cref="CustomersApiFactory"/>.</summary>
internal static class CustomerGroupFixture
{
    public const string Groups = "/admin/customer-groups";

    /// <summary>A name no other test uses; the prefix keeps failures readable and lets <c>q</c> find it.</summary>
    public static string NewGroupName(string prefix = "group") => $"{prefix}-{Guid.NewGuid():N}";

    /// <summary>Creates a group through <c>POST /admin/customer-groups</c> and returns it. The clock first moves on by
    /// 2 ms, so groups made one after another sort by id in creation order.</summary>
    public static async Task<JsonObject> CreateGroupAsync(this CustomersApiFactory api, TestSecretKey key, string? name = null, JsonObject? metadata = null)
    {
        api.Clock.Advance(TimeSpan.FromMilliseconds(2));
        var body = new JsonObject { ["name"] = name ?? NewGroupName() };
        if (metadata is not null)
        {
            body["metadata"] = metadata;
        }

        return (await api.AdminPostAsync(Groups, key, body)).Expect(HttpStatusCode.OK).Object["customer_group"]!.AsObject();
    }

    /// <summary><c>POST /admin/customer-groups/{id}/customers</c> with the given lists (null: left out).</summary>
    public static Task<ApiResponse> ChangeCustomersAsync(
        this CustomersApiFactory api, TestSecretKey key, string groupId, string[]? add = null, string[]? remove = null, string query = "") =>
        api.AdminPostAsync($"{Groups}/{groupId}/customers{query}", key, MembershipBody(add, remove));

    /// <summary><c>POST /admin/customers/{id}/customer-groups</c> with the given lists (null: left out).</summary>
    public static Task<ApiResponse> ChangeGroupsAsync(
        this CustomersApiFactory api, TestSecretKey key, string customerId, string[]? add = null, string[]? remove = null, string query = "") =>
        api.AdminPostAsync($"/admin/customers/{customerId}/customer-groups{query}", key, MembershipBody(add, remove));

    /// <summary>The ids of a customer's live groups, read through <c>GET /admin/customers/{id}?fields=*groups</c>.</summary>
    public static async Task<List<string>> GroupIdsOfAsync(this CustomersApiFactory api, TestSecretKey key, string customerId)
    {
        var customer = (await api.AdminGetAsync($"/admin/customers/{customerId}?fields=*groups", key)).Expect(HttpStatusCode.OK).Object["customer"]!;
        return [.. customer["groups"]!.AsArray().Select(g => g!.Id())];
    }

    /// <summary>The ids of a group's live customers, read through <c>GET /admin/customer-groups/{id}?fields=*customers</c>.</summary>
    public static async Task<List<string>> CustomerIdsOfAsync(this CustomersApiFactory api, TestSecretKey key, string groupId)
    {
        var group = (await api.AdminGetAsync($"{Groups}/{groupId}?fields=*customers", key)).Expect(HttpStatusCode.OK).Object["customer_group"]!;
        return [.. group["customers"]!.AsArray().Select(c => c!.Id())];
    }

    /// <summary>Guest customers created through the API, in creation (id) order.</summary>
    public static async Task<string[]> CreateGuestsAsync(this CustomersApiFactory api, TestSecretKey key, int count)
    {
        var ids = new string[count];
        for (var i = 0; i < count; i++)
        {
            ids[i] = (await api.CreateGuestAsync(key, new JsonObject { ["email"] = CustomersApiFactory.NewEmail("member") })).Id();
        }

        return ids;
    }

    private static JsonObject MembershipBody(string[]? add, string[]? remove)
    {
        var body = new JsonObject();
        if (add is not null)
        {
            body["add"] = new JsonArray([.. add.Select(id => JsonValue.Create(id))]);
        }

        if (remove is not null)
        {
            body["remove"] = new JsonArray([.. remove.Select(id => JsonValue.Create(id))]);
        }

        return body;
    }
}
