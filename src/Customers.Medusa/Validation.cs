using System.Text.Json;
using System.Text.Json.Nodes;

namespace Customers.Medusa;

/// <summary>What a field accepts. See the factories on <see cref="Field"/>.</summary>
public enum FieldKind
{
    String,
    NullableString,
    RequiredString,
    Email,
    CountryCode,
    Record,
    Boolean,
    BooleanString,
    Integer,
    StringOrStringArray,
    StringArray,
    Any,
    Custom,
}

/// <summary>One top-level field of an <see cref="ObjectSchema"/>. Create it with <see cref="Field"/>.</summary>
/// <param name="Accepts">For <see cref="FieldKind.Custom"/>: the JSON Schema of what <paramref name="Check"/> lets through,
/// for the API description (<see cref="JsonSchemas.Of(FieldRule)"/>); null describes any value.</param>
public sealed record FieldRule(
    string Name, FieldKind Kind, int MaxLength, Func<JsonNode?, string, string?>? Check = null, JsonObject? Accepts = null);

/// <summary>
/// Field rules for Medusa request bodies and parsed query objects (docs/medusa-compatibility.md §2.4). Medusa's zod
/// schemas allow unbounded values; ours add limits a customer service needs, each reported as a 400 <c>invalid_data</c>
/// in Medusa's format:
/// <list type="bullet">
/// <item>every string at most <see cref="Validation.MaxStringLength"/> (1,000) characters, an e-mail at most
/// <see cref="EmailAddress.MaxLength"/> (254) with a local part of at most 64 characters
/// (<see cref="EmailAddress.BreaksRule"/>);</item>
/// <item>a record (<c>metadata</c>, <c>additional_data</c>) at most <see cref="Validation.MaxRecordBytes"/> (16 KiB) as JSON;</item>
/// <item><c>country_code</c> must be an ISO 3166-1 alpha-2 code (any letter case; stored as sent);</item>
/// <item><c>limit</c>/<c>offset</c> must be 0 to <see cref="int.MaxValue"/> (Medusa answers negatives with a 500).</item>
/// </list>
/// </summary>
public static class Field
{
    /// <summary><c>z.string().optional()</c>: a string, or absent; <c>null</c> is a type error (query params, <c>name</c> on update).</summary>
    public static FieldRule String(string name, int maxLength = Validation.MaxStringLength) => new(name, FieldKind.String, maxLength);

    /// <summary><c>z.string().nullish()</c>: a string, <c>null</c>, or absent.</summary>
    public static FieldRule NullableString(string name, int maxLength = Validation.MaxStringLength) => new(name, FieldKind.NullableString, maxLength);

    /// <summary><c>z.string()</c>: must be present and a string (<c>Field 'identifier' is required</c>).</summary>
    public static FieldRule RequiredString(string name, int maxLength = Validation.MaxStringLength) => new(name, FieldKind.RequiredString, maxLength);

    /// <summary><c>z.string().email().nullish()</c> under the e-mail rule (<see cref="EmailAddress.BreaksRule"/>).</summary>
    public static FieldRule Email(string name = "email") => new(name, FieldKind.Email, EmailAddress.MaxLength);

    /// <summary>A nullable string holding an ISO 3166-1 alpha-2 code in any letter case (stricter than Medusa).</summary>
    public static FieldRule CountryCode(string name = "country_code") => new(name, FieldKind.CountryCode, 2);

    /// <summary><c>z.record(z.unknown()).nullish()</c>: a JSON object, <c>null</c>, or absent; at most 16 KiB.</summary>
    public static FieldRule Record(string name = "metadata") => new(name, FieldKind.Record, Validation.MaxRecordBytes);

    /// <summary><c>z.boolean().optional()</c> (bodies).</summary>
    public static FieldRule Boolean(string name) => new(name, FieldKind.Boolean, 0);

    /// <summary>Medusa's <c>booleanString()</c> (queries): <c>"true"</c>/<c>"false"</c> in any case, or a boolean.</summary>
    public static FieldRule BooleanString(string name) => new(name, FieldKind.BooleanString, Validation.MaxStringLength);

    /// <summary>A number taken from a query string with <c>parseInt</c> semantics (<c>limit</c>, <c>offset</c>), 0 or more.</summary>
    public static FieldRule Integer(string name) => new(name, FieldKind.Integer, Validation.MaxStringLength);

    /// <summary><c>z.union([z.string(), z.array(z.string())]).optional()</c>: equality filters.</summary>
    public static FieldRule StringOrStringArray(string name, int maxLength = Validation.MaxStringLength) => new(name, FieldKind.StringOrStringArray, maxLength);

    /// <summary><c>z.array(z.string()).optional()</c>: id lists such as <c>add</c> and <c>remove</c>.</summary>
    public static FieldRule StringArray(string name, int maxLength = Validation.MaxStringLength) => new(name, FieldKind.StringArray, maxLength);

    /// <summary>Known but checked elsewhere (e.g. operator filters); only makes the key "recognized".</summary>
    public static FieldRule Any(string name) => new(name, FieldKind.Any, 0);

    /// <summary>
    /// A route-specific rule. <paramref name="check"/> gets the value (never called when the key is absent) and the
    /// field name, and returns an issue text (see <see cref="Validation"/> helpers) or null when valid.
    /// </summary>
    public static FieldRule Custom(string name, Func<JsonNode?, string, string?> check, JsonObject? accepts = null) =>
        new(name, FieldKind.Custom, 0, check, accepts);
}

/// <summary>
/// A strict object schema: unknown top-level keys are rejected, nested objects are not checked for unknown keys
/// (Medusa drops those silently). Issues are reported in rule order, then unknown keys; at most three.
/// </summary>
public sealed class ObjectSchema
{
    private readonly FieldRule[] _rules;
    private readonly Dictionary<string, FieldRule> _byName;

    public ObjectSchema(params IEnumerable<FieldRule> rules)
    {
        _rules = rules.ToArray();
        _byName = new Dictionary<string, FieldRule>(StringComparer.Ordinal);
        foreach (var rule in _rules)
        {
            _byName[rule.Name] = rule;
        }
    }

    public IReadOnlyList<FieldRule> Rules => _rules;

    /// <summary>This schema plus more rules; a new rule replaces an existing one of the same name.</summary>
    public ObjectSchema With(params IEnumerable<FieldRule> more)
    {
        var added = more.ToArray();
        return new ObjectSchema(_rules.Where(rule => !added.Any(a => a.Name == rule.Name)).Concat(added));
    }

    /// <summary>Null when valid; otherwise 400 <c>invalid_data</c> <c>Invalid request: ...</c>.</summary>
    public MedusaError? Validate(JsonObject input)
    {
        List<string>? issues = null;
        foreach (var rule in _rules)
        {
            var present = input.TryGetPropertyValue(rule.Name, out var value);
            var issue = Validation.Check(rule, present, value);
            if (issue is not null)
            {
                (issues ??= new List<string>(3)).Add(issue);
            }
        }

        List<string>? unknown = null;
        foreach (var (key, _) in input)
        {
            if (!_byName.ContainsKey(key))
            {
                (unknown ??= []).Add(key);
            }
        }

        if (unknown is not null)
        {
            (issues ??= new List<string>(1)).Add(Validation.UnrecognizedFields(unknown));
        }

        return issues is null ? null : Validation.Fail(issues);
    }
}

/// <summary>Message formats and value checks shared by the schemas (docs/medusa-compatibility.md §2.4).</summary>
public static class Validation
{
    /// <summary>Upper bound for any string field (Medusa has none).</summary>
    public const int MaxStringLength = 1000;

    /// <summary>Upper bound for a <c>$re</c> filter pattern (Medusa has none).</summary>
    public const int MaxPatternLength = 200;

    /// <summary>Upper bound for a record such as <c>metadata</c>, measured as compact UTF-8 JSON.</summary>
    public const int MaxRecordBytes = 16 * 1024;

    /// <summary>Medusa reports at most this many issues in one message.</summary>
    public const int MaxReportedIssues = 3;

    /// <summary><c>Invalid request: </c> + up to three issues joined by <c>"; "</c>, as 400 <c>invalid_data</c>.</summary>
    public static MedusaError Fail(IReadOnlyList<string> issues) =>
        MedusaError.InvalidData("Invalid request: " + string.Join("; ", issues.Take(MaxReportedIssues)));

    /// <summary>One-issue shorthand for <see cref="Fail(IReadOnlyList{string})"/>.</summary>
    public static MedusaError Fail(string issue) => MedusaError.InvalidData("Invalid request: " + issue);

    public static string ExpectedType(string expected, string path, JsonNode? received) =>
        $"Expected type: '{expected}' for field '{path}', got: '{JsText.ToJsString(received)}'";

    public static string Required(string path) => $"Field '{path}' is required";

    public static string UnrecognizedFields(IEnumerable<string> keys) => $"Unrecognized fields: '{string.Join(", ", keys)}'";

    public static string TooLong(string path, int maxLength) => $"Field '{path}' must be at most {maxLength} characters";

    public static string TooSmall(string path, long minimum) => $"Value for field '{path}' too small, expected at least: '{minimum}'";

    public static string TooBig(string path, long maximum) => $"Value for field '{path}' too big, expected at most: '{maximum}'";

    public const string InvalidEmail = "Invalid email address";

    public const string InvalidInput = "Invalid input";

    /// <summary>Nested path segments are joined with <c>", "</c> (<c>add, 0</c>).</summary>
    public static string Path(string field, int index) => $"{field}, {index}";

    /// <summary>A key inside an object field (<c>metadata, color</c>).</summary>
    public static string Path(string field, string key) => $"{field}, {key}";

    /// <summary>Checks one field; <paramref name="present"/> distinguishes an absent key from JSON <c>null</c>.</summary>
    public static string? Check(FieldRule rule, bool present, JsonNode? value)
    {
        if (!present)
        {
            return rule.Kind == FieldKind.RequiredString ? Required(rule.Name) : null;
        }

        switch (rule.Kind)
        {
            case FieldKind.Any:
                return null;
            case FieldKind.Custom:
                return rule.Check!(value, rule.Name);
            case FieldKind.String:
            case FieldKind.RequiredString:
                return CheckString(rule.Name, value, rule.MaxLength);
            case FieldKind.NullableString:
                return value is null ? null : CheckString(rule.Name, value, rule.MaxLength);
            case FieldKind.Email:
                return value is null ? null : CheckEmail(rule.Name, value);
            case FieldKind.CountryCode:
                return value is null ? null : CheckCountryCode(rule.Name, value);
            case FieldKind.Record:
                return value is null ? null : CheckRecord(rule.Name, value, rule.MaxLength);
            case FieldKind.Boolean:
                return value is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False
                    ? null
                    : ExpectedType("boolean", rule.Name, value);
            case FieldKind.BooleanString:
                return TryReadBooleanString(value, out _, out var boolIssue, rule.Name) ? null : boolIssue;
            case FieldKind.Integer:
                return TryReadInteger(value, rule.Name, out _, out var intIssue) ? null : intIssue;
            case FieldKind.StringOrStringArray:
                return CheckStringOrArray(rule.Name, value, rule.MaxLength);
            case FieldKind.StringArray:
                return CheckStringArray(rule.Name, value, rule.MaxLength);
            default:
                throw new InvalidOperationException($"Unknown field kind {rule.Kind}.");
        }
    }

    /// <summary>The string in <paramref name="node"/>, or null when it is not a JSON string.</summary>
    public static string? AsString(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<string>(out var text) ? text : null;

    /// <summary>
    /// Reads Medusa's <c>booleanString()</c>: a boolean, or <c>"true"</c>/<c>"false"</c> in any letter case.
    /// Anything else gives <c>Invalid input</c> (a string) or a type error.
    /// </summary>
    public static bool TryReadBooleanString(JsonNode? node, out bool result, out string? issue, string path)
    {
        result = false;
        issue = null;
        if (node is JsonValue value)
        {
            switch (value.GetValueKind())
            {
                case JsonValueKind.True:
                    result = true;
                    return true;
                case JsonValueKind.False:
                    return true;
                case JsonValueKind.String:
                    var text = value.GetValue<string>();
                    if (text.Equals("true", StringComparison.OrdinalIgnoreCase))
                    {
                        result = true;
                        return true;
                    }

                    if (text.Equals("false", StringComparison.OrdinalIgnoreCase))
                    {
                        return true;
                    }

                    issue = InvalidInput;
                    return false;
            }
        }

        issue = ExpectedType("boolean, string", path, node);
        return false;
    }

    /// <summary>
    /// Reads a non-negative integer the way Medusa's <c>limit</c>/<c>offset</c> preprocessors do: a string goes through
    /// JavaScript <c>parseInt</c> (<c>"1.5"</c> is 1, <c>"10abc"</c> is 10, <c>"abc"</c> is a type error); a JSON number is
    /// truncated. Negative and over-<see cref="int.MaxValue"/> values are errors.
    /// </summary>
    public static bool TryReadInteger(JsonNode? node, string path, out int result, out string? issue)
    {
        result = 0;
        issue = null;
        double number;
        if (node is JsonValue value && value.TryGetValue<string>(out var text))
        {
            if (text.Length > MaxStringLength)
            {
                issue = TooLong(path, MaxStringLength);
                return false;
            }

            number = JsParseInt(text);
        }
        else if (node is JsonValue numeric && numeric.GetValueKind() == JsonValueKind.Number)
        {
            number = Math.Truncate(JsText.ToDouble(numeric));
        }
        else
        {
            number = double.NaN;
        }

        if (double.IsNaN(number))
        {
            issue = ExpectedType("number", path, node);
            return false;
        }

        if (number < 0)
        {
            issue = TooSmall(path, 0);
            return false;
        }

        if (number > int.MaxValue)
        {
            issue = TooBig(path, int.MaxValue);
            return false;
        }

        result = (int)number;
        return true;
    }

    /// <summary>JavaScript <c>parseInt(text)</c> with no radix; NaN when no digits are found.</summary>
    public static double JsParseInt(ReadOnlySpan<char> text)
    {
        var i = 0;
        while (i < text.Length && IsJsWhiteSpace(text[i]))
        {
            i++;
        }

        var negative = false;
        if (i < text.Length && text[i] is '+' or '-')
        {
            negative = text[i] == '-';
            i++;
        }

        var radix = 10;
        if (i + 1 < text.Length && text[i] == '0' && text[i + 1] is 'x' or 'X')
        {
            radix = 16;
            i += 2;
        }

        double value = 0;
        var digits = 0;
        for (; i < text.Length; i++)
        {
            var digit = DigitValue(text[i]);
            if (digit < 0 || digit >= radix)
            {
                break;
            }

            value = value * radix + digit;
            digits++;
        }

        if (digits == 0)
        {
            return double.NaN;
        }

        return negative ? -value : value;
    }

    private static int DigitValue(char c) => c switch
    {
        >= '0' and <= '9' => c - '0',
        >= 'a' and <= 'z' => c - 'a' + 10,
        >= 'A' and <= 'Z' => c - 'A' + 10,
        _ => -1,
    };

    // ECMAScript WhiteSpace and LineTerminator, which parseInt trims.
    private static bool IsJsWhiteSpace(char c) =>
        c is '\t' or '\n' or '\v' or '\f' or '\r' or ' ' or '\u00A0' or '\u2028' or '\u2029' or '\uFEFF'
        || char.GetUnicodeCategory(c) == System.Globalization.UnicodeCategory.SpaceSeparator;

    private static string? CheckString(string path, JsonNode? node, int maxLength)
    {
        var text = AsString(node);
        if (text is null)
        {
            return ExpectedType("string", path, node);
        }

        return text.Length > maxLength ? TooLong(path, maxLength) : null;
    }

    private static string? CheckEmail(string path, JsonNode node)
    {
        // Medusa's format message first for what Medusa refuses too (whitespace, control characters), then the rule.
        var issue = CheckString(path, node, EmailAddress.MaxLength);
        if (issue is not null)
        {
            return issue;
        }

        var text = AsString(node)!;
        return EmailAddress.IsValid(text) ? EmailAddress.BreaksRule(text, path) : InvalidEmail;
    }

    private static string? CheckCountryCode(string path, JsonNode node)
    {
        var text = AsString(node);
        if (text is null)
        {
            return ExpectedType("string", path, node);
        }

        return CountryCodes.IsAlpha2(text) ? null : $"Field '{path}' must be an ISO 3166-1 alpha-2 country code";
    }

    private static string? CheckRecord(string path, JsonNode node, int maxBytes)
    {
        if (node is not JsonObject)
        {
            return ExpectedType("record", path, node);
        }

        return SerializedSize(node) > maxBytes ? $"Field '{path}' must be at most {maxBytes} bytes" : null;
    }

    /// <summary>Compact UTF-8 JSON size of <paramref name="node"/>, without keeping the bytes.</summary>
    public static long SerializedSize(JsonNode node)
    {
        var counter = new ByteCountingBufferWriter();
        using (var writer = new Utf8JsonWriter(counter, MedusaJson.WriterOptions))
        {
            node.WriteTo(writer);
        }

        return counter.Count;
    }

    private static string? CheckStringOrArray(string path, JsonNode? node, int maxLength)
    {
        if (AsString(node) is { } text)
        {
            return text.Length > maxLength ? TooLong(path, maxLength) : null;
        }

        if (node is not JsonArray array)
        {
            return ExpectedType("string, array", path, node);
        }

        for (var i = 0; i < array.Count; i++)
        {
            var element = AsString(array[i]);
            if (element is null)
            {
                return ExpectedType("string", Path(path, i), array[i]);
            }

            if (element.Length > maxLength)
            {
                return TooLong(Path(path, i), maxLength);
            }
        }

        return null;
    }

    private static string? CheckStringArray(string path, JsonNode? node, int maxLength)
    {
        if (node is not JsonArray array)
        {
            return ExpectedType("array", path, node);
        }

        for (var i = 0; i < array.Count; i++)
        {
            var element = AsString(array[i]);
            if (element is null)
            {
                // Medusa 2.21 words a wrong element type as "required" (docs/medusa-compatibility.md §2.4); keep its text.
                return Required(Path(path, i));
            }

            if (element.Length > maxLength)
            {
                return TooLong(Path(path, i), maxLength);
            }
        }

        return null;
    }
}
