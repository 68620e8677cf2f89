using System.Buffers.Text;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;

namespace Customers.Cluster.Tests;

/// <summary>An HTTP answer: status, parsed JSON body (null when not JSON) and headers.</summary>
public sealed record ApiResponse(HttpStatusCode Status, JsonObject? Body, HttpResponseHeaders Headers, string RawBody)
{
    public bool IsSuccess => (int)Status is >= 200 and < 300;

    public string? Message => (string?)Body?["message"];

    public override string ToString() => $"{(int)Status} {RawBody}";
}

/// <summary>The Medusa routes the cluster tests drive, as a storefront would call them.</summary>
public sealed class MedusaApi(string publishableKey)
{
    public const string PublishableKeyHeader = "x-publishable-api-key";

    public Task<ApiResponse> RegisterAsync(SiloProcess silo, string email, string password) =>
        SendAsync(silo, HttpMethod.Post, "/auth/customer/emailpass/register", new JsonObject { ["email"] = email, ["password"] = password });

    public Task<ApiResponse> LoginAsync(SiloProcess silo, string email, string password) =>
        SendAsync(silo, HttpMethod.Post, "/auth/customer/emailpass", new JsonObject { ["email"] = email, ["password"] = password });

    public Task<ApiResponse> CreateCustomerAsync(SiloProcess silo, string token, string email, string firstName = "Ada") =>
        SendAsync(silo, HttpMethod.Post, "/store/customers", new JsonObject { ["email"] = email, ["first_name"] = firstName }, token);

    public Task<ApiResponse> GetMeAsync(SiloProcess silo, string token) =>
        SendAsync(silo, HttpMethod.Get, "/store/customers/me", null, token);

    public Task<ApiResponse> UpdateMeAsync(SiloProcess silo, string token, string firstName) =>
        SendAsync(silo, HttpMethod.Post, "/store/customers/me", new JsonObject { ["first_name"] = firstName }, token);

    public Task<ApiResponse> AddAddressAsync(SiloProcess silo, string token, string city) =>
        SendAsync(silo, HttpMethod.Post, "/store/customers/me/addresses",
            new JsonObject { ["first_name"] = "Ada", ["address_1"] = "Main street 1", ["city"] = city, ["country_code"] = "dk" }, token);

    /// <summary><c>POST /auth/customer/{provider}</c>: starts an OAuth sign-in; the answer carries <c>location</c>.</summary>
    public Task<ApiResponse> StartOAuthAsync(SiloProcess silo, string provider) =>
        SendAsync(silo, HttpMethod.Post, $"/auth/customer/{provider}", new JsonObject());

    /// <summary><c>GET /auth/customer/{provider}/callback?code=…&amp;state=…</c>, as the storefront's callback page calls it.</summary>
    public Task<ApiResponse> OAuthCallbackAsync(SiloProcess silo, string provider, string code, string state) =>
        SendAsync(silo, HttpMethod.Get, $"/auth/customer/{provider}/callback?code={Uri.EscapeDataString(code)}&state={Uri.EscapeDataString(state)}", null);

    public Task<ApiResponse> StartSessionAsync(SiloProcess silo, string token) =>
        SendAsync(silo, HttpMethod.Post, "/auth/session", null, token);

    public Task<ApiResponse> EndSessionAsync(SiloProcess silo, string cookie) =>
        SendAsync(silo, HttpMethod.Delete, "/auth/session", null, token: null, cookie);

    /// <summary><c>GET /admin/customers</c> with a secret API key (a list: PostgreSQL answers it).</summary>
    public Task<ApiResponse> AdminListCustomersAsync(SiloProcess silo, string secretKey) =>
        SendAsync(silo, HttpMethod.Get, "/admin/customers?limit=5", null, secretKey: secretKey);

    /// <summary><c>POST /admin/customer-groups</c> with a secret API key.</summary>
    public Task<ApiResponse> AdminCreateGroupAsync(SiloProcess silo, string secretKey, string name) =>
        SendAsync(silo, HttpMethod.Post, "/admin/customer-groups", new JsonObject { ["name"] = name }, secretKey: secretKey);

    /// <summary>Registers, creates the account customer and logs in again (the token then names the customer).</summary>
    public async Task<SignedUp> SignUpAsync(SiloProcess registerVia, SiloProcess createVia, string email, string password)
    {
        var registered = Expect(await RegisterAsync(registerVia, email, password), HttpStatusCode.OK, "register");
        var created = Expect(await CreateCustomerAsync(createVia, Token(registered), email), HttpStatusCode.OK, "create customer");
        var login = Expect(await LoginAsync(registerVia, email, password), HttpStatusCode.OK, "login");
        return new SignedUp(email, (string)created.Body!["customer"]!["id"]!, Token(login));
    }

    public static string Token(ApiResponse response) => (string?)response.Body?["token"]
        ?? throw new InvalidOperationException($"No token in {response}");

    /// <summary>The claims of a JWT (not verified: the tests only read what the server put there).</summary>
    public static JsonObject Claims(string token)
    {
        var payload = token.Split('.')[1];
        return JsonNode.Parse(Encoding.UTF8.GetString(Base64Url.DecodeFromChars(payload)))!.AsObject();
    }

    /// <summary>The session cookie (<c>name=value</c>) from a <c>Set-Cookie</c> header.</summary>
    public static string SessionCookie(ApiResponse response)
    {
        var setCookie = response.Headers.TryGetValues("Set-Cookie", out var values) ? values.FirstOrDefault() : null;
        return setCookie?.Split(';')[0] ?? throw new InvalidOperationException($"No Set-Cookie in {response}");
    }

    public static ApiResponse Expect(ApiResponse response, HttpStatusCode status, string what) =>
        response.Status == status ? response : throw new InvalidOperationException($"{what}: expected {(int)status}, got {response}");

    private async Task<ApiResponse> SendAsync(
        SiloProcess silo, HttpMethod method, string path, JsonObject? body, string? token = null, string? cookie = null,
        string? secretKey = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (path.StartsWith("/store", StringComparison.Ordinal))
        {
            request.Headers.Add(PublishableKeyHeader, publishableKey);
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        if (secretKey is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(secretKey + ":")));
        }

        if (cookie is not null)
        {
            request.Headers.Add("Cookie", cookie);
        }

        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        using var response = await silo.Http.SendAsync(request);
        var raw = await response.Content.ReadAsStringAsync();
        JsonObject? json = null;
        if (raw.Length > 0 && response.Content.Headers.ContentType?.MediaType == "application/json")
        {
            json = JsonNode.Parse(raw) as JsonObject;
        }

        return new ApiResponse(response.StatusCode, json, response.Headers, raw);
    }
}

/// <summary>A signed-up customer: e-mail, customer id and a token that names the customer.</summary>
public sealed record SignedUp(string Email, string CustomerId, string Token);
