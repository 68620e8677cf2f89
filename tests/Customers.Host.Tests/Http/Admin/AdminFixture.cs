using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Customers.Host.Auth;
using Customers.Host.Stores;
using Microsoft.Extensions.DependencyInjection;

namespace Customers.Host.Tests.Http.Admin;

/// <summary>An admin user made as <c>user create</c> makes one, with a login token (<c>actor_type: user</c>).</summary>
public sealed record TestAdmin(string Email, string Password, string UserId, string Token);

/// <summary>A secret API key: its id (<c>apk_…</c>, what it writes into <c>created_by</c>) and its token (<c>sk_…</c>).</summary>
public sealed record TestSecretKey(string Id, string Token);

/// <summary>Admin helpers on the shared <see cref="CustomersApiFactory"/>.</summary>
internal static class AdminFixture
{
    /// <summary>Creates an admin user through the CLI's code path, then logs in at <c>/auth/user/emailpass</c>.</summary>
    public static async Task<TestAdmin> CreateAdminAsync(this CustomersApiFactory api)
    {
        var email = CustomersApiFactory.NewEmail("admin");
        var password = CustomersApiFactory.NewPassword();
        var userId = await AdminUsers.CreateAsync(
            api.Services.GetRequiredService<IGrainFactory>(),
            api.Services.GetRequiredService<UserStore>(),
            api.Clock,
            email,
            password,
            CancellationToken.None);
        var token = (await api.Anonymous.PostAsync("/auth/user/emailpass", new { email, password })).Expect(HttpStatusCode.OK).Token();
        return new TestAdmin(email, password, userId, token);
    }

    /// <summary>A new secret key, made by the store as the CLI makes one.</summary>
    public static async Task<TestSecretKey> CreateSecretKeyAsync(this CustomersApiFactory api, string title = "HTTP tests")
    {
        var key = await api.Services.GetRequiredService<ApiKeyStore>()
            .CreateAsync(ApiKeyStore.KeyType.Secret, title, "user_http_tests", CancellationToken.None);
        return new TestSecretKey(key.Id, key.Token);
    }

    /// <summary><c>Authorization: Basic base64("sk_…:")</c>, exactly what the JS SDK sends for <c>apiKey</c>.</summary>
    public static Action<HttpRequestMessage> Basic(string secretKey) => BasicRaw(Convert.ToBase64String(Encoding.UTF8.GetBytes(secretKey + ":")));

    /// <summary><c>Authorization: Basic &lt;credentials&gt;</c> with the credentials as given.</summary>
    public static Action<HttpRequestMessage> BasicRaw(string credentials) =>
        request => request.Headers.Authorization = new AuthenticationHeaderValue("Basic", credentials);

    /// <summary>A <c>Cookie</c> header.</summary>
    public static Action<HttpRequestMessage> Cookie(string cookie) =>
        request => request.Headers.TryAddWithoutValidation("Cookie", cookie);

    /// <summary>Sends a request with a secret key (Basic) through a client that sends no publishable key.</summary>
    public static Task<ApiResponse> AdminSendAsync(
        this CustomersApiFactory api, HttpMethod method, string path, TestSecretKey key, JsonNode? body = null) =>
        api.Anonymous.SendAsync(method, path, body is null ? null : ApiClient.JsonContent(body), configure: Basic(key.Token));

    public static Task<ApiResponse> AdminGetAsync(this CustomersApiFactory api, string path, TestSecretKey key) =>
        api.AdminSendAsync(HttpMethod.Get, path, key);

    public static Task<ApiResponse> AdminPostAsync(this CustomersApiFactory api, string path, TestSecretKey key, JsonNode? body = null) =>
        api.AdminSendAsync(HttpMethod.Post, path, key, body ?? new JsonObject());

    public static Task<ApiResponse> AdminDeleteAsync(this CustomersApiFactory api, string path, TestSecretKey key) =>
        api.AdminSendAsync(HttpMethod.Delete, path, key);

    /// <summary>Creates a guest customer through <c>POST /admin/customers</c> and returns it. The clock first moves on
    /// by 2 ms, so customers made one after another sort by id in creation order (ids have millisecond resolution).</summary>
    public static async Task<JsonObject> CreateGuestAsync(this CustomersApiFactory api, TestSecretKey key, JsonObject body)
    {
        api.Clock.Advance(TimeSpan.FromMilliseconds(2));
        var response = (await api.AdminPostAsync("/admin/customers", key, body)).Expect(HttpStatusCode.OK);
        return response.Object["customer"]!.AsObject();
    }

    /// <summary>Starts a cookie session from a token and returns the <c>Cookie</c> header value.</summary>
    public static async Task<string> StartSessionAsync(this CustomersApiFactory api, string token)
    {
        var response = (await api.Anonymous.PostAsync("/auth/session", token: token)).Expect(HttpStatusCode.OK);
        return response.SetCookies.Single().Split(';')[0];
    }

    public static string Id(this JsonNode node) => node["id"]!.GetValue<string>();
}
