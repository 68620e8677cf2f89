using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Text.Json.Nodes;
using Customers.Host.Events;
using Microsoft.AspNetCore.Http;
using StandardWebhooks;

namespace Customers.Host.Tests.Events;

/// <summary>
/// A webhook request as the receiver saw it. <paramref name="SignatureValid"/>: the StandardWebhooks library verified it
/// with every secret the receiver holds for its path.
/// </summary>
public sealed record ReceivedWebhook(
    string Path, string EventId, string EventName, int Attempt, JsonObject Body, bool SignatureValid, int AnsweredStatus,
    HeaderDictionary Headers, string RawBody);

/// <summary>
/// A real HTTP receiver on loopback (<see cref="HttpListener"/>), one path per webhook. Each path verifies the
/// Standard Webhooks signature with each of its secrets (the <c>StandardWebhooks</c> NuGet package) and answers what its <c>answer</c>
/// function says. Tests wait on its signals
/// (<see cref="WaitForAsync"/>), never on time.
/// </summary>
public sealed class WebhookReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly Dictionary<string, string[]> _secrets;
    private readonly Func<string, string, int, int> _answer;
    private readonly List<ReceivedWebhook> _received = [];
    private readonly List<(Func<ReceivedWebhook, bool> Match, TaskCompletionSource<ReceivedWebhook> Signal)> _waiters = [];
    private readonly Dictionary<(string Path, string EventId), int> _tries = [];
    private readonly Task _loop;

    /// <param name="secrets">The <c>whsec_</c> secrets per path (e.g. <c>/main</c>); a request is valid when each verifies it.</param>
    /// <param name="answer">Status to answer for (path, event id, try number of this event on this path).</param>
    public WebhookReceiver(Dictionary<string, string[]> secrets, Func<string, string, int, int> answer)
    {
        _secrets = secrets;
        _answer = answer;
        Port = FreePort();
        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public string Url(string path) => $"http://127.0.0.1:{Port}{path}";

    public IReadOnlyList<ReceivedWebhook> Received
    {
        get
        {
            lock (_received)
            {
                return [.. _received];
            }
        }
    }

    /// <summary>Completes with the first request (already received or still to come) that matches.</summary>
    public Task<ReceivedWebhook> WaitForAsync(Func<ReceivedWebhook, bool> match, TimeSpan? timeout = null)
    {
        var signal = new TaskCompletionSource<ReceivedWebhook>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_received)
        {
            var seen = _received.FirstOrDefault(match);
            if (seen is not null)
            {
                return Task.FromResult(seen);
            }

            _waiters.Add((match, signal));
        }

        return signal.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
    }

    private async Task LoopAsync()
    {
        while (_listener.IsListening)
        {
            HttpListenerContext context;
            try
            {
                context = await _listener.GetContextAsync();
            }
            catch (Exception e) when (e is HttpListenerException or ObjectDisposedException or InvalidOperationException)
            {
                return;
            }

            using var buffer = new MemoryStream();
            await context.Request.InputStream.CopyToAsync(buffer);
            var body = buffer.ToArray();
            var path = context.Request.Url!.AbsolutePath;
            var headers = new HeaderDictionary();
            foreach (var name in context.Request.Headers.AllKeys.OfType<string>())
            {
                headers[name] = context.Request.Headers[name];
            }

            var rawBody = Encoding.UTF8.GetString(body);
            var eventId = headers[WebhookSignature.IdHeader].ToString();
            var valid = _secrets.TryGetValue(path, out var secrets) && secrets.All(secret => Verifies(secret, rawBody, headers));
            int status;
            lock (_received)
            {
                var tries = _tries.GetValueOrDefault((path, eventId)) + 1;
                _tries[(path, eventId)] = tries;
                status = valid ? _answer(path, eventId, tries) : 401;
            }

            var received = new ReceivedWebhook(
                path, eventId, headers[WebhookSignature.EventNameHeader].ToString(),
                int.Parse(headers[WebhookSignature.AttemptHeader].FirstOrDefault() ?? "0", System.Globalization.CultureInfo.InvariantCulture),
                JsonNode.Parse(body)!.AsObject(), valid, status, headers, rawBody);

            // Answer first, then record: a test woken by a success may rely on the dispatcher having its 2xx.
            context.Response.StatusCode = status;
            context.Response.Close();

            List<TaskCompletionSource<ReceivedWebhook>> woken = [];
            lock (_received)
            {
                _received.Add(received);
                foreach (var waiter in _waiters.Where(w => w.Match(received)).ToList())
                {
                    _waiters.Remove(waiter);
                    woken.Add(waiter.Signal);
                }
            }

            foreach (var signal in woken)
            {
                signal.TrySetResult(received);
            }
        }
    }

    /// <summary>
    /// What a receiver written with the StandardWebhooks package does (docs/events.md): verify each <c>v1,…</c> entry
    /// of <c>webhook-signature</c> on its own, since that package (1.1.2) only matches the first entry of a list.
    /// </summary>
    public static bool Verifies(string secret, string rawBody, IHeaderDictionary headers)
    {
        var webhook = new StandardWebhook(secret);
        foreach (var signature in headers[WebhookSignature.SignatureHeader].ToString().Split(' '))
        {
            var single = new HeaderDictionary(headers.ToDictionary()) { [WebhookSignature.SignatureHeader] = signature };
            try
            {
                webhook.Verify(rawBody, single);
                return true;
            }
            catch (StandardWebhooks.Diagnostics.WebhookVerificationException)
            {
                // Not this entry; try the next.
            }
        }

        return false;
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
