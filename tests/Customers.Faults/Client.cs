using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;

namespace Customers.Faults;

/// <summary>An HTTP answer: status (0 when no answer came: refused, reset or timed out), JSON body, when and how long.</summary>
public sealed record Answer(int Status, JsonObject? Body, DateTime At, TimeSpan Elapsed, string Raw)
{
    public bool IsSuccess => Status is >= 200 and < 300;

    /// <summary>What the harness counts as an error: no answer, or a server error.</summary>
    public bool IsError => Status is 0 or >= 500;

    public override string ToString() => $"{Status} {Raw}";
}

/// <summary>
/// One client machine: HTTP from its own loopback source address (127.0.0.x, bound before connecting), so the
/// balancer sees a distinct client for each and forwards that address. Store calls carry the publishable key.
/// </summary>
public sealed class Client : IDisposable
{
    public const string PublishableKeyHeader = "x-publishable-api-key";
    private readonly HttpClient _http;
    private readonly string _publishableKey;

    public Client(Uri baseAddress, IPAddress source, string publishableKey, TimeSpan timeout)
    {
        Source = source;
        _publishableKey = publishableKey;
        var handler = new SocketsHttpHandler
        {
            UseCookies = false,
            AllowAutoRedirect = false,
            ConnectCallback = async (context, ct) =>
            {
                var socket = new Socket(SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
                try
                {
                    socket.Bind(new IPEndPoint(source, 0));
                    await socket.ConnectAsync(context.DnsEndPoint, ct);
                    return new NetworkStream(socket, ownsSocket: true);
                }
                catch
                {
                    socket.Dispose();
                    throw;
                }
            },
        };
        _http = new HttpClient(handler) { BaseAddress = baseAddress, Timeout = timeout };
    }

    public IPAddress Source { get; }

    public async Task<Answer> SendAsync(HttpMethod method, string path, JsonObject? body = null, string? bearer = null, string? secretKey = null)
    {
        using var request = new HttpRequestMessage(method, path);
        if (path.StartsWith("/store", StringComparison.Ordinal))
        {
            request.Headers.Add(PublishableKeyHeader, _publishableKey);
        }

        if (bearer is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", bearer);
        }
        else if (secretKey is not null)
        {
            request.Headers.Authorization = new AuthenticationHeaderValue("Basic", Convert.ToBase64String(Encoding.UTF8.GetBytes(secretKey + ":")));
        }

        if (body is not null)
        {
            request.Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json");
        }

        var at = DateTime.UtcNow;
        var watch = Stopwatch.StartNew();
        try
        {
            using var response = await _http.SendAsync(request);
            var raw = await response.Content.ReadAsStringAsync();
            JsonObject? json = null;
            if (response.Content.Headers.ContentType?.MediaType == "application/json" && raw.Length > 0)
            {
                json = JsonNode.Parse(raw) as JsonObject;
            }

            return new Answer((int)response.StatusCode, json, at, watch.Elapsed, raw);
        }
        catch (Exception error) when (error is HttpRequestException or TaskCanceledException or IOException)
        {
            return new Answer(0, null, at, watch.Elapsed, error.GetType().Name + ": " + error.Message);
        }
    }

    public void Dispose() => _http.Dispose();
}
