using System.Buffers;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace Customers.Medusa;

/// <summary>
/// Reads a request body into a <see cref="JsonObject"/> for <see cref="ObjectSchema"/> validation
/// (docs/medusa-compatibility.md §2.1):
/// <list type="bullet">
/// <item>no body (or only whitespace) is <c>{}</c>, whatever the content type (Medusa's parsers do the same);</item>
/// <item><c>application/json</c> (and <c>*/*+json</c>): must be a JSON object; invalid JSON is 400 <c>invalid_data</c>
/// with the parser's message (duplicate keys and nesting deeper than 64 included), any other JSON value is 400
/// <c>invalid_data</c>;</item>
/// <item><c>application/x-www-form-urlencoded</c>: parsed like qs extended (<see cref="QueryStringParser.ParseForm"/>);</item>
/// <item>anything else with a body is 400 <c>invalid_data</c>. Medusa would ignore the body of an unknown type and
/// proceed with <c>{}</c>; we refuse rather than silently drop what the client sent;</item>
/// <item>more than <see cref="BodyLimitOptions.MaxBodyBytes"/> (1 MiB by default) is 413 <c>invalid_data</c> <c>Request body too large</c>
/// (Medusa's limit is 100 KB for JSON, answered as a 500).</item>
/// </list>
/// The body is treated as UTF-8; a leading byte-order mark is skipped.
/// </summary>
public static class BodyReader
{
    private static readonly JsonNodeOptions NodeOptions = new() { PropertyNameCaseInsensitive = false };

    // JSON.parse lets the last duplicate key win; we reject duplicates (400) rather than guess which one the client meant.
    private static readonly JsonDocumentOptions DocumentOptions = new()
    {
        AllowDuplicateProperties = false,
        MaxDepth = 64,
    };

    public static async ValueTask<MedusaResult<JsonObject>> ReadAsync(HttpRequest request, CancellationToken cancellationToken = default)
    {
        if (cancellationToken == default)
        {
            cancellationToken = request.HttpContext.RequestAborted;
        }

        if (request.ContentLength is 0)
        {
            return new JsonObject();
        }

        var maxBodyBytes = MaxBodyBytesOf(request);
        if (request.ContentLength > maxBodyBytes)
        {
            return MedusaError.PayloadTooLarge();
        }

        // Content-Length is enforced by the server, so a declared length sizes the buffer exactly.
        var declared = (int?)request.ContentLength;
        var buffer = ArrayPool<byte>.Shared.Rent(declared ?? 4096);
        try
        {
            var read = 0;
            while (read != declared)
            {
                if (read == buffer.Length)
                {
                    var larger = ArrayPool<byte>.Shared.Rent(Math.Min(buffer.Length * 2, maxBodyBytes + 1));
                    buffer.AsSpan(0, read).CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(buffer);
                    buffer = larger;
                }

                var room = Math.Min(buffer.Length, maxBodyBytes + 1) - read;
                var count = await request.Body.ReadAsync(buffer.AsMemory(read, room), cancellationToken);
                if (count == 0)
                {
                    break;
                }

                read += count;
                if (read > maxBodyBytes)
                {
                    return MedusaError.PayloadTooLarge();
                }
            }

            return Parse(buffer.AsSpan(0, read), request.ContentType);
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    /// <summary>The configured limit; the default where no host configured one (unit tests).</summary>
    private static int MaxBodyBytesOf(HttpRequest request) =>
        request.HttpContext.RequestServices?.GetService<IOptions<BodyLimitOptions>>()?.Value.MaxBodyBytes
        ?? BodyLimitOptions.DefaultMaxBodyBytes;

    /// <summary>Parses body bytes that were already read (see <see cref="ReadAsync"/> for the rules).</summary>
    public static MedusaResult<JsonObject> Parse(ReadOnlySpan<byte> body, string? contentType)
    {
        if (body.StartsWith((ReadOnlySpan<byte>)[0xEF, 0xBB, 0xBF]))
        {
            body = body[3..];
        }

        if (body.TrimStart(" \t\r\n"u8).IsEmpty)
        {
            return new JsonObject();
        }

        var mediaType = MediaType(contentType);
        MedusaResult<JsonObject> parsed;
        if (IsJson(mediaType))
        {
            parsed = ParseJson(body);
        }
        else if (mediaType.Equals("application/x-www-form-urlencoded", StringComparison.OrdinalIgnoreCase))
        {
            parsed = QueryStringParser.ParseForm(Encoding.UTF8.GetString(body));
        }
        else
        {
            return UnsupportedContentType(mediaType);
        }

        return parsed.TryGetValue(out var request, out _) && StorableText.Check(request) is { } unstorable ? unstorable : parsed;
    }

    private static MedusaError UnsupportedContentType(ReadOnlySpan<char> mediaType) =>
        MedusaError.InvalidData(
            $"Unsupported content type: '{mediaType.ToString()}'. Send application/json or application/x-www-form-urlencoded.");

    private static MedusaResult<JsonObject> ParseJson(ReadOnlySpan<byte> body)
    {
        JsonNode? node;
        try
        {
            node = JsonNode.Parse(body, NodeOptions, DocumentOptions);
        }
        catch (JsonException e)
        {
            return MedusaError.InvalidData(e.Message);
        }
        catch (InvalidOperationException)
        {
            // Undecodable text the parser met early; the rest is found by StorableText after parsing.
            return Validation.Fail(StorableText.Issue(string.Empty));
        }

        return node switch
        {
            JsonObject obj => obj,
            _ => Validation.Fail(Validation.ExpectedType("object", string.Empty, node)),
        };
    }

    private static bool IsJson(ReadOnlySpan<char> mediaType) =>
        mediaType.Equals("application/json", StringComparison.OrdinalIgnoreCase)
        || (mediaType.StartsWith("application/", StringComparison.OrdinalIgnoreCase)
            && mediaType.EndsWith("+json", StringComparison.OrdinalIgnoreCase));

    private static ReadOnlySpan<char> MediaType(string? contentType)
    {
        if (string.IsNullOrEmpty(contentType))
        {
            return ReadOnlySpan<char>.Empty;
        }

        var span = contentType.AsSpan();
        var semicolon = span.IndexOf(';');
        return (semicolon >= 0 ? span[..semicolon] : span).Trim();
    }
}
