using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Customers.Medusa;

/// <summary>Medusa's list and delete response shapes (docs/medusa-compatibility.md §2.6, §4.7).</summary>
public static class Envelopes
{
    /// <summary><c>{"&lt;key&gt;": [...], "count": n, "offset": o, "limit": l}</c>; serialize with <see cref="MedusaJson.Options"/>.</summary>
    public static ListEnvelope<T> List<T>(string key, IReadOnlyList<T> items, long count, ListQuery query) =>
        new(key, items, count, query.Offset, query.Limit);

    /// <summary>The same envelope as a JSON object, for items that went through <see cref="Fields.Project"/>.</summary>
    public static JsonObject ListJson(string key, JsonArray items, long count, int offset, int limit) => new()
    {
        [key] = items,
        ["count"] = count,
        ["offset"] = offset,
        ["limit"] = limit,
    };

    /// <summary><c>{"id", "object", "deleted": true}</c> plus <c>"parent"</c> when one is given.</summary>
    public static DeleteEnvelope Deleted(string id, string objectName, object? parent = null) => new(id, objectName, parent);
}

/// <summary>A page of a list route. The items' key varies by route (<c>customers</c>, <c>addresses</c>, ...).</summary>
public sealed record ListEnvelope<T>(string Key, IReadOnlyList<T> Items, long Count, int Offset, int Limit);

/// <summary>
/// The delete response. <c>parent</c> is left out entirely when there is none (Medusa's admin customer delete has no
/// <c>parent</c> key), which is why it ignores null even though Medusa payloads otherwise write nulls.
/// </summary>
public sealed record DeleteEnvelope(
    [property: JsonPropertyOrder(0)] string Id,
    [property: JsonPropertyOrder(1)] string Object,
    [property: JsonPropertyOrder(3), JsonIgnore(Condition = JsonIgnoreCondition.WhenWritingNull)] object? Parent = null)
{
    [JsonPropertyOrder(2)]
    public bool Deleted => true;
}

/// <summary>Writes <see cref="ListEnvelope{T}"/> with its route-specific items key. Write-only.</summary>
public sealed class ListEnvelopeConverterFactory : JsonConverterFactory
{
    public override bool CanConvert(Type typeToConvert) =>
        typeToConvert.IsGenericType && typeToConvert.GetGenericTypeDefinition() == typeof(ListEnvelope<>);

    public override JsonConverter CreateConverter(Type typeToConvert, JsonSerializerOptions options)
    {
        var itemType = typeToConvert.GetGenericArguments()[0];
        return (JsonConverter)Activator.CreateInstance(typeof(ListEnvelopeConverter<>).MakeGenericType(itemType))!;
    }

    private sealed class ListEnvelopeConverter<T> : JsonConverter<ListEnvelope<T>>
    {
        public override ListEnvelope<T> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options) =>
            throw new NotSupportedException("List envelopes are response-only.");

        public override void Write(Utf8JsonWriter writer, ListEnvelope<T> value, JsonSerializerOptions options)
        {
            var itemInfo = (JsonTypeInfo<T>)options.GetTypeInfo(typeof(T));
            writer.WriteStartObject();
            writer.WriteStartArray(value.Key);
            foreach (var item in value.Items)
            {
                JsonSerializer.Serialize(writer, item, itemInfo);
            }

            writer.WriteEndArray();
            writer.WriteNumber("count"u8, value.Count);
            writer.WriteNumber("offset"u8, value.Offset);
            writer.WriteNumber("limit"u8, value.Limit);
            writer.WriteEndObject();
        }
    }
}
