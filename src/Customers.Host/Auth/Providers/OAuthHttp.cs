using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.WebUtilities;

namespace Customers.Host.Auth.Providers;

/// <summary>
/// The HTTP calls redirect providers make to their identity provider: the code exchange and bearer-token GETs,
/// with Medusa's failure texts (docs/medusa-compatibility.md §3.6). The named client has a short timeout and follows no
/// redirects, and its <see cref="HttpClient.MaxResponseContentBufferSize"/> is the cap on every answer read
/// (<see cref="SignInLimitOptions.MaxProviderResponseBytes"/>). Nothing secret is ever put in a URL, so the client factory's request logging cannot leak it.
/// </summary>
internal static partial class OAuthHttp
{
    public const string ClientName = "oauth";

    private const int ChunkBytes = 8 * 1024;

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

        return await ReadJsonAsync(response, client.MaxResponseContentBufferSize, ct) as JsonObject ?? throw AuthProviderErrors.AuthenticationFailed();
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

        return await ReadJsonAsync(response, client.MaxResponseContentBufferSize, ct);
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

    /// <summary>
    /// The answer as JSON, or null when it is not JSON or larger than <paramref name="maxBytes"/>. The cap holds while
    /// reading: a chunked or endless answer is abandoned at the first chunk past it, never copied whole.
    /// </summary>
    internal static async Task<JsonNode?> ReadJsonAsync(HttpResponseMessage response, long maxBytes, CancellationToken ct)
    {
        if (response.Content.Headers.ContentLength > maxBytes)
        {
            return null;
        }

        await using var stream = await response.Content.ReadAsStreamAsync(ct);
        using var buffer = new MemoryStream();
        var chunk = new byte[ChunkBytes];
        int read;
        while ((read = await stream.ReadAsync(chunk, ct)) > 0)
        {
            if (buffer.Length + read > maxBytes)
            {
                return null;
            }

            buffer.Write(chunk, 0, read);
        }

        try
        {
            return JsonNode.Parse(buffer.GetBuffer().AsSpan(0, (int)buffer.Length));
        }
        catch (JsonException)
        {
            return null;
        }
    }
}
