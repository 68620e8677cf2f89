using System.Text.Json;
using System.Text.Json.Nodes;

namespace Customers.Grains.Metadata;

/// <summary>Medusa's metadata rules (docs/medusa-compatibility.md §2.13), shared by customers, addresses and groups.</summary>
internal static class MetadataJson
{
    public static JsonObject? Parse(string? json) =>
        json is null ? null : JsonNode.Parse(json) as JsonObject
            ?? throw new ArgumentException("metadata must be a JSON object", nameof(json));

    public static string? Serialize(JsonObject? metadata) => metadata?.ToJsonString();

    /// <summary>
    /// Applies an update: null clears everything; <c>{}</c> changes nothing; otherwise a shallow merge where a
    /// value of <c>""</c> deletes the key and anything else (null included) replaces it.
    /// Returns whether anything changed, because <c>updated_at</c> only moves on a real change.
    /// </summary>
    public static bool Merge(ref JsonObject? current, string? patchJson)
    {
        if (patchJson is null)
        {
            if (current is null)
            {
                return false;
            }

            current = null;
            return true;
        }

        var patch = Parse(patchJson)!;
        if (patch.Count == 0)
        {
            return false;
        }

        var merged = current?.DeepClone().AsObject() ?? new JsonObject();
        foreach (var (key, value) in patch)
        {
            if (value is JsonValue text && text.GetValueKind() == JsonValueKind.String && text.GetValue<string>().Length == 0)
            {
                merged.Remove(key);
            }
            else
            {
                merged[key] = value?.DeepClone();
            }
        }

        var changed = current is null || !JsonNode.DeepEquals(current, merged);
        current = merged;
        return changed;
    }
}
