using System.Text.Json;
using System.Text.Json.Nodes;

namespace Customers.Medusa;

/// <summary>
/// Refuses request text that no store can keep: U+0000 (PostgreSQL text and jsonb reject it), lone UTF-16 surrogates
/// (<c>"\ud800"</c>) and invalid UTF-8. The JSON reader decodes strings only when they are read, so without this walk
/// such a value would fail deep inside a handler or a database write instead of as a 400 that names the field.
/// </summary>
public static class StorableText
{
    /// <summary>The 400 for the first unstorable key or string in <paramref name="request"/>, or null when all are fine.</summary>
    public static MedusaError? Check(JsonObject request) =>
        FindIn(request, path: null) is { } path ? Validation.Fail(Issue(path)) : null;

    /// <summary>True when <paramref name="text"/> can be stored as it is.</summary>
    public static bool IsStorable(ReadOnlySpan<char> text)
    {
        for (var i = 0; i < text.Length; i++)
        {
            var c = text[i];
            if (c == '\0')
            {
                return false;
            }

            if (char.IsHighSurrogate(c) && i + 1 < text.Length && char.IsLowSurrogate(text[i + 1]))
            {
                i++;
            }
            else if (char.IsSurrogate(c))
            {
                return false;
            }
        }

        return true;
    }

    public static string Issue(string path) =>
        $"Field '{path}' must be valid Unicode text without NUL characters";

    /// <summary>The path of the first bad key or string, "" for the request itself.</summary>
    private static string? FindIn(JsonNode? node, string? path)
    {
        switch (node)
        {
            case JsonObject obj:
                return FindInObject(obj, path);
            case JsonArray array:
                for (var i = 0; i < array.Count; i++)
                {
                    if (FindIn(array[i], Validation.Path(path ?? string.Empty, i)) is { } found)
                    {
                        return found;
                    }
                }

                return null;
            case JsonValue value when value.GetValueKind() == JsonValueKind.String:
                return IsStorableString(value) ? null : path ?? string.Empty;
            default:
                return null;
        }
    }

    private static string? FindInObject(JsonObject obj, string? path)
    {
        KeyValuePair<string, JsonNode?>[] members;
        try
        {
            members = [.. obj];
        }
        catch (InvalidOperationException)
        {
            // A key that is invalid UTF-8 or an escaped lone surrogate: the object cannot even list its keys.
            return path ?? string.Empty;
        }

        foreach (var (key, value) in members)
        {
            if (!IsStorable(key))
            {
                return path ?? string.Empty;
            }

            if (FindIn(value, path is null ? key : Validation.Path(path, key)) is { } found)
            {
                return found;
            }
        }

        return null;
    }

    private static bool IsStorableString(JsonValue value)
    {
        try
        {
            return IsStorable(value.GetValue<string>());
        }
        catch (InvalidOperationException)
        {
            // Invalid UTF-8 or an escaped lone surrogate: the reader cannot turn it into a string at all.
            return false;
        }
    }
}
