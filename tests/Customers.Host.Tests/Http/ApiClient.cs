using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Encodings.Web;
using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace Customers.Host.Tests.Http;

/// <summary>
/// Sends requests the way <c>@medusajs/js-sdk</c> does: JSON bodies, <c>x-publishable-api-key</c> on every request
/// when a key is set, <c>Authorization: Bearer</c> when a token is given. Every call reads the whole response.
/// </summary>
public sealed class ApiClient(HttpClient http, string? publishableKey)
{
    public const string PublishableKeyHeader = "x-publishable-api-key";

    public Task<ApiResponse> GetAsync(string path, string? token = null, Action<HttpRequestMessage>? configure = null) =>
        SendAsync(HttpMethod.Get, path, null, token, configure);

    /// <summary>POSTs <paramref name="body"/> as JSON: a <see cref="JsonNode"/> as written, anything else serialized
    /// with its property names as they are (anonymous types with snake_case names).</summary>
    public Task<ApiResponse> PostAsync(string path, object? body = null, string? token = null, Action<HttpRequestMessage>? configure = null) =>
        SendAsync(HttpMethod.Post, path, body is null ? null : JsonContent(body), token, configure);

    /// <summary>POSTs a body exactly as given, with the given media type.</summary>
    public Task<ApiResponse> PostRawAsync(string path, string body, string mediaType = "application/json", string? token = null) =>
        SendAsync(HttpMethod.Post, path, new StringContent(body, Encoding.UTF8, mediaType), token);

    public Task<ApiResponse> DeleteAsync(string path, string? token = null, Action<HttpRequestMessage>? configure = null) =>
        SendAsync(HttpMethod.Delete, path, null, token, configure);

    public async Task<ApiResponse> SendAsync(
        HttpMethod method, string path, HttpContent? content, string? token = null, Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(method, path) { Content = content };
        request.Headers.Accept.ParseAdd("application/json");
        if (publishableKey is not null)
        {
            request.Headers.TryAddWithoutValidation(PublishableKeyHeader, publishableKey);
        }

        if (token is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        }

        configure?.Invoke(request);
        using var response = await http.SendAsync(request);
        var body = await response.Content.ReadAsStringAsync();
        return new ApiResponse(response.StatusCode, body, Headers(response.Headers), Headers(response.Content.Headers));
    }

    public static StringContent JsonContent(object body)
    {
        var json = body is JsonNode node ? node.ToJsonString() : JsonSerializer.Serialize(body);
        return new StringContent(json, Encoding.UTF8, "application/json");
    }

    private static List<KeyValuePair<string, string>> Headers(HttpHeaders headers) =>
        headers.SelectMany(h => h.Value.Select(v => KeyValuePair.Create(h.Key, v))).ToList();
}

/// <summary>A fully read response.</summary>
public sealed class ApiResponse(
    HttpStatusCode status,
    string body,
    IReadOnlyList<KeyValuePair<string, string>> headers,
    IReadOnlyList<KeyValuePair<string, string>> contentHeaders)
{
    /// <summary>Escaping as <c>JSON.stringify</c> does it (no <c>\u0027</c> for quotes), for exact body comparisons.</summary>
    public static readonly JsonSerializerOptions NodeLikeJson = new() { Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping };

    public HttpStatusCode Status { get; } = status;

    public string Body { get; } = body;

    /// <summary>Response and content headers, as sent.</summary>
    public IReadOnlyList<KeyValuePair<string, string>> AllHeaders { get; } = [.. headers, .. contentHeaders];

    public string? ContentType => Header("Content-Type");

    public JsonNode? Json => JsonNode.Parse(Body);

    public JsonObject Object => Json as JsonObject ?? throw new InvalidOperationException($"Not a JSON object: {Body}");

    /// <summary>The <c>message</c> of a Medusa error body.</summary>
    public string? Message => Object["message"]?.GetValue<string>();

    /// <summary>The <c>type</c> of a Medusa error body.</summary>
    public string? Type => Object["type"]?.GetValue<string>();

    public IEnumerable<string> SetCookies => Headers("Set-Cookie");

    public string? Header(string name) => Headers(name).FirstOrDefault();

    public IEnumerable<string> Headers(string name) =>
        AllHeaders.Where(h => h.Key.Equals(name, StringComparison.OrdinalIgnoreCase)).Select(h => h.Value);

    /// <summary>Asserts the status, showing the body when it differs; returns this response for chaining.</summary>
    public ApiResponse Expect(HttpStatusCode expected)
    {
        Assert.True(Status == expected, $"Expected {(int)expected} {expected} but got {(int)Status} {Status}: {Body}");
        return this;
    }

    /// <summary>Asserts the status and the exact body text (key order included, as Medusa clients may compare it).</summary>
    public ApiResponse Expect(HttpStatusCode expected, string exactBody)
    {
        Expect(expected);
        Assert.Equal(exactBody, Body);
        Assert.Equal("application/json; charset=utf-8", ContentType);
        return this;
    }

    /// <summary>Asserts a Medusa error: status, <c>type</c> and exact <c>message</c>, with no other keys.</summary>
    public ApiResponse ExpectError(HttpStatusCode expected, string type, string message) =>
        Expect(expected, JsonSerializer.Serialize(new { type, message }, NodeLikeJson));

    /// <summary>The auth middleware's rejection: 401 with <c>{"message":"Unauthorized"}</c> and no <c>type</c>.</summary>
    public ApiResponse ExpectUnauthorized() => Expect(HttpStatusCode.Unauthorized, """{"message":"Unauthorized"}""");

    /// <summary>The token of a <c>{"token": ...}</c> answer, asserting that it is the only key.</summary>
    public string Token()
    {
        var body = Object;
        Assert.Equal(["token"], body.Select(p => p.Key));
        return body["token"]!.GetValue<string>();
    }
}
