using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace Customers.Medusa;

/// <summary>A 200 JSON answer written in one go (known Content-Length, one write), Medusa's content type.</summary>
public sealed class JsonBodyResult : IResult
{
    private readonly ReadOnlyMemory<byte> _body;

    private JsonBodyResult(ReadOnlyMemory<byte> body) => _body = body;

    /// <summary>JSON that is already text: fixed bodies, tokens, claim sets stored verbatim.</summary>
    public static JsonBodyResult Raw(string json) => new(Encoding.UTF8.GetBytes(json));

    public static JsonBodyResult Of(JsonNode node)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, MedusaJson.WriterOptions))
        {
            node.WriteTo(writer);
        }

        return new JsonBodyResult(buffer.WrittenMemory);
    }

    /// <summary><c>{"&lt;key&gt;": value}</c>, the shape of most Medusa answers.</summary>
    public static JsonBodyResult Wrapped(string key, JsonNode value) => Of(new JsonObject { [key] = value });

    public Task ExecuteAsync(HttpContext httpContext)
    {
        httpContext.Response.ContentType = MedusaJson.ContentType;
        httpContext.Response.ContentLength = _body.Length;
        return httpContext.Response.Body.WriteAsync(_body, httpContext.RequestAborted).AsTask();
    }
}
