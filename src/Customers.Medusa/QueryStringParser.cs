using System.Buffers;
using System.Text;
using System.Text.Json.Nodes;
using System.Text.Unicode;

namespace Customers.Medusa;

/// <summary>
/// Parses query strings (and urlencoded bodies) the way Express's "extended" parser (Node <c>qs</c> 6.13) does, because
/// the SDK serialises queries with <c>qs.stringify</c> and Medusa's validators see what <c>qs.parse</c> produced
/// (docs/medusa-compatibility.md §2.5). Values are strings, arrays and objects (and, in odd mixes such as
/// <c>a[b]=1&amp;a=x</c>, the boolean <c>true</c>, exactly as <c>qs</c> yields). Object keys come out in JavaScript
/// enumeration order: array-index keys first, ascending.
/// </summary>
public static class QueryStringParser
{
    /// <summary>At most this many <c>&amp;</c>-separated parameters are read; the rest is ignored (qs <c>parameterLimit</c>).</summary>
    public const int ParameterLimit = 1000;

    /// <summary>Bracket indices up to this become array slots; larger ones become object keys (qs <c>arrayLimit</c>).</summary>
    public const int QueryArrayLimit = 20;

    /// <summary>Bracket groups beyond this depth are kept as one literal key (qs <c>depth</c>).</summary>
    public const int QueryDepth = 5;

    // body-parser's urlencoded defaults for the extended parser.
    private const int FormDepth = 32;
    private const int FormMinArrayLimit = 100;

    /// <summary>
    /// Parses a request query string (with or without the leading <c>?</c>) and applies Medusa's normalisation:
    /// a top-level array holding exactly one string is split on commas, and a top-level key <c>a.b</c> becomes
    /// <c>{a: {b: ...}}</c>. A key with three or more dot segments is rejected.
    /// </summary>
    /// <remarks>
    /// Medusa answers <c>a.b.c=x</c> with 500 <c>invalid_argument</c>; we answer 400 <c>invalid_data</c> with the same
    /// message, because it is the caller's mistake, not ours.
    /// </remarks>
    public static MedusaResult<JsonObject> Parse(string? query)
    {
        var text = query.AsSpan();
        if (!text.IsEmpty && text[0] == '?')
        {
            text = text[1..];
        }

        if (text.IsEmpty)
        {
            return new JsonObject();
        }

        var root = ParseRaw(text, QueryDepth, QueryArrayLimit);
        return Normalize(root);
    }

    /// <summary>
    /// Parses an <c>application/x-www-form-urlencoded</c> body like body-parser's extended mode (no Medusa
    /// normalisation; deeper nesting; array limit at least 100). More than <see cref="ParameterLimit"/> parameters is an error.
    /// </summary>
    public static MedusaResult<JsonObject> ParseForm(ReadOnlySpan<char> body)
    {
        if (body.IsEmpty)
        {
            return new JsonObject();
        }

        var parameterCount = body.Count('&') + 1;
        if (parameterCount > ParameterLimit)
        {
            return new MedusaError(StatusCodes.Status413PayloadTooLarge, "invalid_data", "Too many parameters");
        }

        var root = ParseRaw(body, FormDepth, Math.Max(FormMinArrayLimit, parameterCount));
        return ToJsonObject(root);
    }

    /// <summary>Percent-decodes like qs: <c>+</c> is a space; malformed escapes or UTF-8 leave the text undecoded.</summary>
    public static string Decode(ReadOnlySpan<char> text)
    {
        if (text.IndexOfAny('+', '%') < 0)
        {
            return new string(text);
        }

        var plusReplaced = text.Contains('+') ? text.ToString().Replace('+', ' ') : null;
        var source = plusReplaced is null ? text : plusReplaced.AsSpan();
        if (!source.Contains('%'))
        {
            return plusReplaced ?? new string(text);
        }

        return TryPercentDecode(source, out var decoded) ? decoded : plusReplaced ?? new string(text);
    }

    private static bool TryPercentDecode(ReadOnlySpan<char> source, out string decoded)
    {
        var builder = new StringBuilder(source.Length);
        var maxBytes = source.Length / 3 + 1;
        byte[]? rentedBytes = null;
        char[]? rentedChars = null;
        var bytes = maxBytes <= 128 ? stackalloc byte[maxBytes] : (rentedBytes = ArrayPool<byte>.Shared.Rent(maxBytes));
        var chars = maxBytes <= 128 ? stackalloc char[maxBytes] : (rentedChars = ArrayPool<char>.Shared.Rent(maxBytes));
        try
        {
            var i = 0;
            while (i < source.Length)
            {
                if (source[i] != '%')
                {
                    builder.Append(source[i]);
                    i++;
                    continue;
                }

                // A run of %XX escapes is one UTF-8 byte sequence, decoded strictly like decodeURIComponent.
                var byteCount = 0;
                while (i < source.Length && source[i] == '%')
                {
                    if (i + 3 > source.Length || !IsHex(source[i + 1]) || !IsHex(source[i + 2]))
                    {
                        decoded = string.Empty;
                        return false;
                    }

                    bytes[byteCount++] = (byte)((HexValue(source[i + 1]) << 4) | HexValue(source[i + 2]));
                    i += 3;
                }

                var run = bytes[..byteCount];
                var status = Utf8.ToUtf16(run, chars, out _, out var written, replaceInvalidSequences: false, isFinalBlock: true);
                if (status != OperationStatus.Done)
                {
                    decoded = string.Empty;
                    return false;
                }

                builder.Append(chars[..written]);
            }

            decoded = builder.ToString();
            return true;
        }
        finally
        {
            if (rentedBytes is not null)
            {
                ArrayPool<byte>.Shared.Return(rentedBytes);
            }

            if (rentedChars is not null)
            {
                ArrayPool<char>.Shared.Return(rentedChars);
            }
        }
    }

    private static bool IsHex(char c) => char.IsAsciiHexDigit(c);

    private static int HexValue(char c) => c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10;

    // ---- qs.parse -----------------------------------------------------------------------------------------------

    private static QObject ParseRaw(ReadOnlySpan<char> text, int depth, int arrayLimit)
    {
        // qs turns encoded brackets into real ones before splitting, so "a%5Bb%5D=x" is "a[b]=x".
        var cleaned = text.Contains('%') ? ReplaceEncodedBrackets(text) : null;
        var source = cleaned is null ? text : cleaned.AsSpan();

        // Pass 1 (qs parseValues): flat key -> string or list of strings, first-seen order.
        var flat = new OrderedDictionary<string, object>(StringComparer.Ordinal);
        var parameterCount = 0;
        foreach (var range in source.Split('&'))
        {
            if (parameterCount++ >= ParameterLimit)
            {
                break;
            }

            var part = source[range];
            var bracketEquals = part.IndexOf("]=", StringComparison.Ordinal);
            var position = bracketEquals < 0 ? part.IndexOf('=') : bracketEquals + 1;
            string key;
            string value;
            if (position < 0)
            {
                key = Decode(part);
                value = string.Empty;
            }
            else
            {
                key = Decode(part[..position]);
                value = Decode(part[(position + 1)..]);
            }

            if (flat.TryGetValue(key, out var existing))
            {
                if (existing is List<string> list)
                {
                    list.Add(value);
                }
                else
                {
                    flat[key] = new List<string>(2) { (string)existing, value };
                }
            }
            else
            {
                flat.Add(key, value);
            }
        }

        // Pass 2 (qs parseKeys + merge), visiting keys in JavaScript order as qs does.
        var root = new QObject();
        foreach (var (key, value) in InJsOrder(flat))
        {
            if (key.Length == 0)
            {
                continue;
            }

            QNode leaf = value is List<string> values ? QArray.OfStrings(values) : new QString((string)value);
            var parsed = ParseKey(key, leaf, depth, arrayLimit);
            if (parsed is not null)
            {
                Merge(root, parsed);
            }
        }

        Compact(root);
        return root;
    }

    private static string ReplaceEncodedBrackets(ReadOnlySpan<char> text)
    {
        var builder = new StringBuilder(text.Length);
        for (var i = 0; i < text.Length; i++)
        {
            if (text[i] == '%' && i + 2 < text.Length && text[i + 1] == '5')
            {
                var c = text[i + 2];
                if (c is 'B' or 'b')
                {
                    builder.Append('[');
                    i += 2;
                    continue;
                }

                if (c is 'D' or 'd')
                {
                    builder.Append(']');
                    i += 2;
                    continue;
                }
            }

            builder.Append(text[i]);
        }

        return builder.ToString();
    }

    /// <summary>Splits <c>a[b][0]</c> into <c>a</c>, <c>[b]</c>, <c>[0]</c> (qs parseKeys) and builds the nested leaf.</summary>
    private static QNode? ParseKey(string key, QNode value, int depth, int arrayLimit)
    {
        var segments = new List<string>(4);
        var first = NextBracketGroup(key, 0);
        var parent = first.Start >= 0 ? key[..first.Start] : key;
        if (parent.Length > 0)
        {
            segments.Add(parent);
        }

        var searchFrom = 0;
        var groups = 0;
        var group = (Start: -1, End: -1);
        while (depth > 0)
        {
            group = NextBracketGroup(key, searchFrom);
            if (group.Start < 0 || groups >= depth)
            {
                break;
            }

            groups++;
            segments.Add(key[group.Start..(group.End + 1)]);
            searchFrom = group.End + 1;
        }

        if (depth > 0 && group.Start >= 0)
        {
            // Deeper than allowed: the rest of the key becomes one literal segment.
            segments.Add("[" + key[group.Start..] + "]");
        }

        if (segments.Count == 0)
        {
            return null;
        }

        // qs parseObject: build from the innermost segment outwards.
        var leaf = value;
        for (var i = segments.Count - 1; i >= 0; i--)
        {
            var root = segments[i];
            if (root == "[]")
            {
                leaf = leaf is QArray array ? array.Copy() : new QArray([leaf]);
                continue;
            }

            var bracketed = root.Length >= 2 && root[0] == '[' && root[^1] == ']';
            var clean = bracketed ? root[1..^1] : root;
            if (bracketed && TryParseArrayIndex(clean, arrayLimit, out var index))
            {
                var array = new QArray();
                array.Set(index, leaf);
                leaf = array;
            }
            else
            {
                var obj = new QObject();
                if (clean != "__proto__")
                {
                    obj.Items[clean] = leaf;
                }

                leaf = obj;
            }
        }

        return leaf;
    }

    /// <summary>The first <c>[...]</c> at or after <paramref name="from"/> whose inside holds no bracket (qs's regex).</summary>
    private static (int Start, int End) NextBracketGroup(string key, int from)
    {
        var open = -1;
        for (var i = from; i < key.Length; i++)
        {
            var c = key[i];
            if (c == '[')
            {
                open = i;
            }
            else if (c == ']' && open >= 0)
            {
                return (open, i);
            }
        }

        return (-1, -1);
    }

    private static bool TryParseArrayIndex(string text, int arrayLimit, out int index)
    {
        // String(parseInt(text)) === text: a canonical non-negative integer.
        index = 0;
        if (text.Length == 0 || text.Length > 10 || (text.Length > 1 && text[0] == '0'))
        {
            return false;
        }

        long value = 0;
        foreach (var c in text)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }

            value = value * 10 + (c - '0');
        }

        if (value > arrayLimit)
        {
            return false;
        }

        index = (int)value;
        return true;
    }

    // ---- qs utils.merge -----------------------------------------------------------------------------------------

    private static QNode Merge(QNode target, QNode? source)
    {
        // `if (!source) return target`: undefined and "" are falsy.
        if (source is null || source is QString { Value.Length: 0 })
        {
            return target;
        }

        if (source is QString or QTrue)
        {
            switch (target)
            {
                case QArray targetArray:
                    targetArray.Items.Add(source);
                    return targetArray;
                case QObject targetObject:
                    // qs with allowPrototypes: the primitive becomes a key whose value is true.
                    targetObject.Items[source is QString s ? s.Value : "true"] = QTrue.Instance;
                    return targetObject;
                default:
                    return new QArray([target, source]);
            }
        }

        if (target is QString or QTrue)
        {
            // [target].concat(source)
            var combined = new QArray([target]);
            if (source is QArray sourceItems)
            {
                combined.Items.AddRange(sourceItems.Items);
            }
            else
            {
                combined.Items.Add(source);
            }

            return combined;
        }

        if (target is QArray targetList && source is QArray sourceList)
        {
            for (var i = 0; i < sourceList.Items.Count; i++)
            {
                var item = sourceList.Items[i];
                if (item is null)
                {
                    continue;
                }

                var targetItem = i < targetList.Items.Count ? targetList.Items[i] : null;
                if (targetItem is null)
                {
                    targetList.Set(i, item);
                }
                else if (targetItem is QObject or QArray && item is QObject or QArray)
                {
                    targetList.Items[i] = Merge(targetItem, item);
                }
                else
                {
                    targetList.Items.Add(item);
                }
            }

            return targetList;
        }

        var mergeTarget = target as QObject ?? ((QArray)target).ToObject();
        foreach (var (key, value) in Entries(source))
        {
            mergeTarget.Items[key] = mergeTarget.Items.TryGetValue(key, out var current) ? Merge(current, value) : value;
        }

        return mergeTarget;
    }

    private static IEnumerable<KeyValuePair<string, QNode>> Entries(QNode node)
    {
        if (node is QObject obj)
        {
            foreach (var entry in obj.Items)
            {
                yield return entry;
            }

            yield break;
        }

        var array = (QArray)node;
        for (var i = 0; i < array.Items.Count; i++)
        {
            if (array.Items[i] is { } item)
            {
                yield return new(i.ToString(System.Globalization.CultureInfo.InvariantCulture), item);
            }
        }
    }

    /// <summary>qs utils.compact: drops holes from sparse arrays, recursively.</summary>
    private static void Compact(QNode node)
    {
        switch (node)
        {
            case QArray array:
                array.Items.RemoveAll(item => item is null);
                foreach (var item in array.Items)
                {
                    Compact(item!);
                }

                break;
            case QObject obj:
                foreach (var value in obj.Items.Values)
                {
                    Compact(value);
                }

                break;
        }
    }

    // ---- Medusa's normalizeQuery -------------------------------------------------------------------------------

    private static MedusaResult<JsonObject> Normalize(QObject root)
    {
        var result = new JsonObject();
        foreach (var (key, value) in InJsOrder(root.Items))
        {
            var normalized = value is QArray { Items: [QString single] }
                ? SplitOnCommas(single.Value)
                : ToJson(value);

            var dot = key.IndexOf('.');
            if (dot < 0)
            {
                result[key] = normalized;
                continue;
            }

            var secondDot = key.IndexOf('.', dot + 1);
            if (secondDot >= 0)
            {
                return MedusaError.InvalidData($"Key accessor more than 2 levels deep: {key}");
            }

            var parent = key[..dot];
            var child = key[(dot + 1)..];

            // { ...acc[parent], [child]: value }: spreading a string or array copies its indices.
            var nested = new JsonObject();
            if (result.TryGetPropertyValue(parent, out var existing))
            {
                SpreadInto(nested, existing);
            }

            nested[child] = normalized;
            result[parent] = InJsOrder(nested);
        }

        return InJsOrder(result);
    }

    private static JsonArray SplitOnCommas(string value)
    {
        var array = new JsonArray();
        foreach (var range in value.AsSpan().Split(','))
        {
            array.Add(JsonValue.Create(value[range]));
        }

        return array;
    }

    private static void SpreadInto(JsonObject target, JsonNode? source)
    {
        switch (source)
        {
            case JsonObject obj:
                foreach (var (key, value) in obj.ToList())
                {
                    obj.Remove(key);
                    target[key] = value;
                }

                break;
            case JsonArray array:
                var items = array.ToList();
                array.Clear();
                for (var i = 0; i < items.Count; i++)
                {
                    target[i.ToString(System.Globalization.CultureInfo.InvariantCulture)] = items[i];
                }

                break;
            case JsonValue value when value.TryGetValue<string>(out var text):
                for (var i = 0; i < text.Length; i++)
                {
                    target[i.ToString(System.Globalization.CultureInfo.InvariantCulture)] = text[i].ToString();
                }

                break;
        }
    }

    // ---- conversion and JavaScript key order --------------------------------------------------------------------

    private static JsonObject ToJsonObject(QObject obj)
    {
        var result = new JsonObject();
        foreach (var (key, value) in InJsOrder(obj.Items))
        {
            result[key] = ToJson(value);
        }

        return result;
    }

    private static JsonNode ToJson(QNode node) => node switch
    {
        QString s => JsonValue.Create(s.Value),
        QTrue => JsonValue.Create(true),
        QArray array => new JsonArray(array.Items.Select(item => (JsonNode?)ToJson(item!)).ToArray()),
        QObject obj => ToJsonObject(obj),
        _ => throw new InvalidOperationException("Unknown node."),
    };

    /// <summary>JavaScript enumerates array-index keys first, ascending, then the other keys in insertion order.</summary>
    private static IEnumerable<KeyValuePair<string, T>> InJsOrder<T>(OrderedDictionary<string, T> items)
    {
        var hasIndexKey = false;
        foreach (var key in items.Keys)
        {
            if (IsArrayIndexKey(key))
            {
                hasIndexKey = true;
                break;
            }
        }

        if (!hasIndexKey)
        {
            return items;
        }

        return items.Where(e => IsArrayIndexKey(e.Key)).OrderBy(e => uint.Parse(e.Key, System.Globalization.CultureInfo.InvariantCulture))
            .Concat(items.Where(e => !IsArrayIndexKey(e.Key)));
    }

    private static JsonObject InJsOrder(JsonObject obj)
    {
        var needsReorder = false;
        var seenOther = false;
        var lastIndex = -1L;
        foreach (var (key, _) in obj)
        {
            if (IsArrayIndexKey(key))
            {
                var index = long.Parse(key, System.Globalization.CultureInfo.InvariantCulture);
                if (seenOther || index < lastIndex)
                {
                    needsReorder = true;
                    break;
                }

                lastIndex = index;
            }
            else
            {
                seenOther = true;
            }
        }

        if (!needsReorder)
        {
            return obj;
        }

        var entries = obj.ToList();
        obj.Clear();
        var ordered = new JsonObject();
        foreach (var (key, value) in entries.Where(e => IsArrayIndexKey(e.Key)).OrderBy(e => long.Parse(e.Key, System.Globalization.CultureInfo.InvariantCulture))
                     .Concat(entries.Where(e => !IsArrayIndexKey(e.Key))))
        {
            ordered[key] = value;
        }

        return ordered;
    }

    /// <summary>A canonical array index: "0".."4294967294" without leading zeros.</summary>
    internal static bool IsArrayIndexKey(string key)
    {
        if (key.Length is 0 or > 10 || (key.Length > 1 && key[0] == '0'))
        {
            return false;
        }

        foreach (var c in key)
        {
            if (!char.IsAsciiDigit(c))
            {
                return false;
            }
        }

        return key.Length < 10 || ulong.Parse(key, System.Globalization.CultureInfo.InvariantCulture) <= 4294967294UL;
    }

    // ---- the value model of qs (JavaScript strings, true, sparse arrays, objects) -------------------------------

    private abstract class QNode;

    private sealed class QString(string value) : QNode
    {
        public string Value { get; } = value;
    }

    private sealed class QTrue : QNode
    {
        public static readonly QTrue Instance = new();
    }

    /// <summary>A JavaScript array; a null item is a hole.</summary>
    private sealed class QArray : QNode
    {
        public QArray()
        {
            Items = [];
        }

        public QArray(List<QNode?> items)
        {
            Items = items;
        }

        public List<QNode?> Items { get; }

        public static QArray OfStrings(List<string> values)
        {
            var items = new List<QNode?>(values.Count);
            foreach (var value in values)
            {
                items.Add(new QString(value));
            }

            return new QArray(items);
        }

        public QArray Copy() => new([.. Items]);

        public void Set(int index, QNode value)
        {
            while (Items.Count <= index)
            {
                Items.Add(null);
            }

            Items[index] = value;
        }

        public QObject ToObject()
        {
            var obj = new QObject();
            foreach (var (key, value) in Entries(this))
            {
                obj.Items[key] = value;
            }

            return obj;
        }
    }

    private sealed class QObject : QNode
    {
        public OrderedDictionary<string, QNode> Items { get; } = new(StringComparer.Ordinal);
    }
}
