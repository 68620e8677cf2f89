using System.Net;
using System.Net.Sockets;

namespace Customers.Cluster.Tests.Telemetry;

/// <summary>A span as exported: its resource's attributes, its instrumentation scope and its own fields.</summary>
public sealed record ExportedSpan(
    string TraceId, string SpanId, string ParentSpanId, string Name, int Kind, string Scope,
    IReadOnlyDictionary<string, string> Attributes, IReadOnlyDictionary<string, string> Resource);

/// <summary>
/// A loopback OTLP/HTTP receiver (protobuf, the .NET exporter's <c>http/protobuf</c> protocol): accepts
/// <c>POST /v1/traces</c> and <c>/v1/metrics</c>, answers 200 with an empty response message, and keeps every body.
/// The OTLP field numbers used below are those of opentelemetry-proto's trace/v1 and common/v1 messages.
/// </summary>
public sealed class OtlpReceiver : IAsyncDisposable
{
    private readonly HttpListener _listener = new();
    private readonly List<(string Path, byte[] Body)> _requests = [];
    private readonly Task _loop;

    public OtlpReceiver()
    {
        using (var probe = new TcpListener(IPAddress.Loopback, 0))
        {
            probe.Start();
            Port = ((IPEndPoint)probe.LocalEndpoint).Port;
        }

        _listener.Prefixes.Add($"http://127.0.0.1:{Port}/");
        _listener.Start();
        _loop = Task.Run(LoopAsync);
    }

    public int Port { get; }

    public string Endpoint => $"http://127.0.0.1:{Port}";

    /// <summary>Every request body received so far, raw (to search for what must never be exported).</summary>
    public IReadOnlyList<(string Path, byte[] Body)> Requests
    {
        get
        {
            lock (_requests)
            {
                return [.. _requests];
            }
        }
    }

    public IReadOnlyList<ExportedSpan> Spans() =>
        [.. Requests.Where(r => r.Path == "/v1/traces").SelectMany(r => ReadSpans(r.Body))];

    private static IEnumerable<ExportedSpan> ReadSpans(byte[] body)
    {
        // ExportTraceServiceRequest.resource_spans = 1; ResourceSpans.resource = 1, .scope_spans = 2;
        // Resource.attributes = 1; ScopeSpans.scope = 1 (InstrumentationScope.name = 1), .spans = 2.
        foreach (var resourceSpans in ProtoField.All(Protobuf.Parse(body), 1).Select(f => f.Message))
        {
            var resource = Attributes(ProtoField.All(resourceSpans, 1).SelectMany(f => ProtoField.All(f.Message, 1)));
            foreach (var scopeSpans in ProtoField.All(resourceSpans, 2).Select(f => f.Message))
            {
                var scope = ProtoField.All(scopeSpans, 1).Select(f => ProtoField.All(f.Message, 1).FirstOrDefault().Text).FirstOrDefault() ?? "";
                foreach (var span in ProtoField.All(scopeSpans, 2).Select(f => f.Message))
                {
                    // Span: trace_id = 1, span_id = 2, parent_span_id = 4, name = 5, kind = 6, attributes = 9.
                    string Bytes(int n) => ProtoField.All(span, n).FirstOrDefault().Hex ?? "";
                    yield return new ExportedSpan(
                        Bytes(1), Bytes(2), Bytes(4),
                        ProtoField.All(span, 5).FirstOrDefault().Text ?? "",
                        (int)ProtoField.All(span, 6).FirstOrDefault().Varint,
                        scope,
                        Attributes(ProtoField.All(span, 9)),
                        resource);
                }
            }
        }
    }

    /// <summary>KeyValue: key = 1, value = 2 (AnyValue: string = 1, bool = 2, int = 3, double = 4).</summary>
    private static Dictionary<string, string> Attributes(IEnumerable<ProtoField> keyValues)
    {
        var attributes = new Dictionary<string, string>(StringComparer.Ordinal);
        foreach (var keyValue in keyValues.Select(f => f.Message))
        {
            var key = ProtoField.All(keyValue, 1).FirstOrDefault().Text;
            var value = ProtoField.All(keyValue, 2).Select(f => f.Message.FirstOrDefault()).FirstOrDefault();
            if (key is not null)
            {
                attributes[key] = value.Number switch
                {
                    1 => value.Text,
                    2 or 3 => value.Varint.ToString(System.Globalization.CultureInfo.InvariantCulture),
                    _ => "",
                };
            }
        }

        return attributes;
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
            lock (_requests)
            {
                _requests.Add((context.Request.Url!.AbsolutePath, buffer.ToArray()));
            }

            context.Response.StatusCode = 200;
            context.Response.ContentType = "application/x-protobuf";
            context.Response.Close();
        }
    }

    public async ValueTask DisposeAsync()
    {
        _listener.Stop();
        _listener.Close();
        await _loop;
    }
}
