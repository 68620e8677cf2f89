using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Customers.Medusa;

/// <summary>A JSON answer (200 unless stated) written in one go (known Content-Length, one write), Medusa's content type.</summary>
public sealed class JsonBodyResult : IResult
{
    private readonly ReadOnlyMemory<byte> _body;
    private readonly int _status;

    private JsonBodyResult(ReadOnlyMemory<byte> body, int status = StatusCodes.Status200OK)
    {
        _body = body;
        _status = status;
    }

    /// <summary>JSON that is already text: fixed bodies, tokens, claim sets stored verbatim.</summary>
    public static JsonBodyResult Raw(string json) => new(Encoding.UTF8.GetBytes(json));

    /// <summary><paramref name="node"/> as the body; <paramref name="status"/> for the rare answer that is not 200
    /// (<c>POST /auth/verification/request</c> answers 201).</summary>
    public static JsonBodyResult Of(JsonNode node, int status = StatusCodes.Status200OK)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, MedusaJson.WriterOptions))
        {
            node.WriteTo(writer);
        }

        return new JsonBodyResult(buffer.WrittenMemory, status);
    }

    /// <summary><c>{"&lt;key&gt;": value}</c>, the shape of most Medusa answers.</summary>
    public static JsonBodyResult Wrapped(string key, JsonNode value) => Of(new JsonObject { [key] = value });

    /// <summary>The same answer in an array of exactly its size, for answers kept in memory: the writer's buffer
    /// starts at 1 KiB and doubles, so it is up to twice the body.</summary>
    public JsonBodyResult Trimmed() => new(_body.ToArray(), _status);

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.StatusCode = _status;
        httpContext.Response.ContentType = MedusaJson.ContentType;
        httpContext.Response.ContentLength = _body.Length;
        return httpContext.Response.Body.WriteAsync(_body, httpContext.RequestAborted).AsTask();
    }
}
