using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;

namespace Customers.Host.Auth.Providers;

/// <summary>
/// The HTTP calls redirect providers make to their identity provider: the code exchange and bearer-token GETs,
/// with Medusa's failure texts (docs/medusa-compatibility.md §3.6). The named client has a short timeout and follows no
/// redirects. Nothing secret is ever put in a URL, so the client factory's request logging cannot leak it.
/// </summary>
internal static partial class OAuthHttp
{
    public const string ClientName = "oauth";

    /// <summary>The largest answer read from an identity provider.</summary>
    private const int MaxResponseBytes = 256 * 1024;

    /// <summary>
    /// POSTs the authorization-code grant. A non-2xx answer is 401 <c>Could not exchange token, status, reason</c>;
    /// an unreachable provider is 401 <c>fetch failed</c>; an answer that is not a JSON object is 401
    /// <c>Authentication failed</c>.
    /// </summary>
    public static async Task<JsonObject> ExchangeCodeAsync(
        HttpClient client,
        Uri tokenEndpoint,
        IEnumerable<KeyValuePair<string, string>> form,
        AuthenticationHeaderValue? clientAuthentication,
        string providerId,
        ILogger logger,
        CancellationToken ct)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, tokenEndpoint) { Content = new FormUrlEncodedContent(form) };
        request.Headers.Accept.ParseAdd("application/json");
        request.Headers.Authorization = clientAuthentication;
        using var response = await SendAsync(client, request, providerId, logger, ct);
        if (!response.IsSuccessStatusCode)
        {
            var status = (int)response.StatusCode;
            LogTokenEndpointRefused(logger, providerId, status);
            throw AuthProviderErrors.CodeExchangeRefused(status, response.ReasonPhrase ?? ReasonPhrases.GetReasonPhrase(status));
        }

        return await ReadJsonAsync(response, ct) as JsonObject ?? throw AuthProviderErrors.AuthenticationFailed();
    }

    /// <summary>GETs a JSON resource with the user's access token. Null for a non-2xx answer.</summary>
    public static async Task<JsonNode?> GetWithTokenAsync(
        HttpClient client, Uri url, string accessToken, string accept, string providerId, ILogger logger, CancellationToken ct,
        Action<HttpRequestMessage>? configure = null)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, url);
        request.Headers.Accept.ParseAdd(accept);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", accessToken);
        configure?.Invoke(request);
        using var response = await SendAsync(client, request, providerId, logger, ct);
        if (!response.IsSuccessStatusCode)
        {
            LogResourceRefused(logger, providerId, url.AbsolutePath, (int)response.StatusCode);
            return null;
        }

        return await ReadJsonAsync(response, ct);
    }

    /// <summary>HTTP Basic client authentication (RFC 6749 §2.3.1: id and secret form-encoded first).</summary>
    public static AuthenticationHeaderValue BasicAuthentication(string clientId, string clientSecret) =>
        new("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(
            Uri.EscapeDataString(clientId) + ":" + Uri.EscapeDataString(clientSecret))));

    /// <summary>A string claim or property, or null when absent or not a string.</summary>
    public static string? GetString(JsonObject json, string name) =>
        json[name] is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    private static async Task<HttpResponseMessage> SendAsync(
        HttpClient client, HttpRequestMessage request, string providerId, ILogger logger, CancellationToken ct)
    {
        try
        {
            return await client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, ct);
        }
        catch (Exception error) when (error is HttpRequestException || (error is TaskCanceledException && !ct.IsCancellationRequested))
        {
            LogUnreachable(logger, error, providerId, request.RequestUri!.GetLeftPart(UriPartial.Path));
            throw AuthProviderErrors.Unreachable();
        }
    }

    private static async Task<JsonNode?> ReadJsonAsync(HttpResponseMessage response, CancellationToken ct)
    {
        if (response.Content.Headers.ContentLength > MaxResponseBytes)
        {
            return null;
        }

        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        var buffer = new MemoryStream();
        await stream.CopyToAsync(buffer, ct);
        if (buffer.Length > MaxResponseBytes)
        {
            return null;
        }

        try
        {
            return JsonNode.Parse(buffer.ToArray());
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
