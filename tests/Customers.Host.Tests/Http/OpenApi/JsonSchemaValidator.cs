using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;

namespace Customers.Host.Tests.Http.OpenApi;

/// <summary>
/// Validates JSON against the JSON Schema 2020-12 keywords the OpenAPI document uses: <c>type</c> (also as an array),
/// <c>properties</c>, <c>required</c>, <c>additionalProperties</c>, <c>items</c>, <c>enum</c>, <c>const</c>,
/// <c>oneOf</c>/<c>anyOf</c>/<c>allOf</c>, <c>$ref</c> (a JSON pointer into <paramref name="document"/>),
/// <c>maxLength</c>, <c>minimum</c>/<c>maximum</c>, <c>pattern</c> and <c>format: date-time</c>.
/// <para>
/// With <paramref name="rejectUndeclared"/>, a key that a schema with <c>properties</c> does not declare is a mismatch
/// too, unless the schema has <c>additionalProperties</c>: then the document has to name every key the service writes.
/// </para>
/// </summary>
public sealed partial class JsonSchemaValidator(JsonNode document, bool rejectUndeclared)
{
    /// <summary>Every mismatch, each as <c>$.path: what</c>; empty when <paramref name="instance"/> is valid.</summary>
    public List<string> Validate(JsonNode? instance, JsonNode schema)
    {
        var errors = new List<string>();
        Check(instance, schema, "$", errors);
        return errors;
    }

    private void Check(JsonNode? instance, JsonNode schema, string path, List<string> errors)
    {
        if (schema is JsonValue boolean && boolean.GetValueKind() is JsonValueKind.True or JsonValueKind.False)
        {
            if (boolean.GetValueKind() == JsonValueKind.False)
            {
                errors.Add($"{path}: no value is allowed");
            }

            return;
        }

        var keywords = schema.AsObject();
        if (keywords["$ref"] is JsonValue reference)
        {
            Check(instance, Resolve(reference.GetValue<string>()), path, errors);
        }

        if (keywords["type"] is { } type && !TypeMatches(instance, type))
        {
            errors.Add($"{path}: expected type {type.ToJsonString()}, got {Describe(instance)}");
            return;
        }

        if (keywords.TryGetPropertyValue("const", out var constant) && !JsonNode.DeepEquals(instance, constant))
        {
            errors.Add($"{path}: expected {constant?.ToJsonString() ?? "null"}, got {Describe(instance)}");
        }

        if (keywords["enum"] is JsonArray values && !values.Any(value => JsonNode.DeepEquals(instance, value)))
        {
            errors.Add($"{path}: {Describe(instance)} is not one of {values.ToJsonString()}");
        }

        CheckScalar(instance, keywords, path, errors);
        if (instance is JsonObject obj)
        {
            CheckObject(obj, keywords, path, errors);
        }

        if (instance is JsonArray array && keywords["items"] is { } items)
        {
            for (var i = 0; i < array.Count; i++)
            {
                Check(array[i], items, $"{path}[{i}]", errors);
            }
        }

        CheckCombinations(instance, keywords, path, errors);
    }

    private static void CheckScalar(JsonNode? instance, JsonObject keywords, string path, List<string> errors)
    {
        if (instance is not JsonValue value)
        {
            return;
        }

        if (value.GetValueKind() == JsonValueKind.Number)
        {
            var number = value.GetValue<double>();
            if (keywords["minimum"] is { } minimum && number < Number(minimum))
            {
                errors.Add($"{path}: {number} is below {minimum.ToJsonString()}");
            }

            if (keywords["maximum"] is { } maximum && number > Number(maximum))
            {
                errors.Add($"{path}: {number} is above {maximum.ToJsonString()}");
            }
        }

        if (value.GetValueKind() != JsonValueKind.String)
        {
            return;
        }

        var text = value.GetValue<string>();
        if (keywords["maxLength"] is { } maxLength && text.Length > maxLength.GetValue<int>())
        {
            errors.Add($"{path}: longer than {maxLength.ToJsonString()} characters");
        }

        if (keywords["pattern"] is JsonValue pattern && !Regex.IsMatch(text, pattern.GetValue<string>(), RegexOptions.None, TimeSpan.FromSeconds(1)))
        {
            errors.Add($"{path}: \"{text}\" does not match {pattern.GetValue<string>()}");
        }

        if (keywords["format"]?.GetValue<string>() == "date-time"
            && !(Rfc3339DateTime.Match(text).Success && DateTimeOffset.TryParse(text, CultureInfo.InvariantCulture, out _)))
        {
            errors.Add($"{path}: \"{text}\" is not a date-time");
        }
    }

    private void CheckObject(JsonObject instance, JsonObject keywords, string path, List<string> errors)
    {
        foreach (var name in keywords["required"]?.AsArray().Select(n => n!.GetValue<string>()) ?? [])
        {
            if (!instance.ContainsKey(name))
            {
                errors.Add($"{path}: required key '{name}' is missing");
            }
        }

        var properties = keywords["properties"]?.AsObject();
        var hasAdditional = keywords.TryGetPropertyValue("additionalProperties", out var additional);
        foreach (var (name, value) in instance)
        {
            if (properties is not null && properties.TryGetPropertyValue(name, out var property))
            {
                Check(value, property!, $"{path}.{name}", errors);
            }
            else if (hasAdditional)
            {
                Check(value, additional!, $"{path}.{name}", errors);
            }
            else if (rejectUndeclared && properties is not null)
            {
                errors.Add($"{path}: key '{name}' is not declared");
            }
        }
    }

    private void CheckCombinations(JsonNode? instance, JsonObject keywords, string path, List<string> errors)
    {
        if (keywords["allOf"] is JsonArray all)
        {
            foreach (var schema in all)
            {
                Check(instance, schema!, path, errors);
            }
        }

        if (keywords["anyOf"] is JsonArray any && !any.Any(schema => Validate(instance, schema!).Count == 0))
        {
            errors.Add($"{path}: matches none of anyOf");
        }

        if (keywords["oneOf"] is JsonArray one)
        {
            var matches = one.Count(schema => Validate(instance, schema!).Count == 0);
            if (matches != 1)
            {
                errors.Add($"{path}: matches {matches} of oneOf, not exactly one");
            }
        }
    }

    /// <summary>A local reference such as <c>#/components/schemas/Customer</c>.</summary>
    private JsonNode Resolve(string reference)
    {
        if (!reference.StartsWith("#/", StringComparison.Ordinal))
        {
            throw new NotSupportedException($"Only local references are supported: {reference}");
        }

        var node = document;
        foreach (var token in reference[2..].Split('/'))
        {
            node = node[token.Replace("~1", "/", StringComparison.Ordinal).Replace("~0", "~", StringComparison.Ordinal)]
                ?? throw new InvalidOperationException($"Unresolved reference {reference}");
        }

        return node;
    }

    private static bool TypeMatches(JsonNode? instance, JsonNode type) => type is JsonArray types
        ? types.Any(t => TypeMatches(instance, t!.GetValue<string>()))
        : TypeMatches(instance, type.GetValue<string>());

    private static bool TypeMatches(JsonNode? instance, string type) => type switch
    {
        "null" => instance is null,
        "object" => instance is JsonObject,
        "array" => instance is JsonArray,
        "string" => instance is JsonValue v && v.GetValueKind() == JsonValueKind.String,
        "boolean" => instance is JsonValue v && v.GetValueKind() is JsonValueKind.True or JsonValueKind.False,
        "number" => instance is JsonValue v && v.GetValueKind() == JsonValueKind.Number,
        "integer" => instance is JsonValue v && v.GetValueKind() == JsonValueKind.Number && double.IsInteger(v.GetValue<double>()),
        _ => throw new NotSupportedException($"Unknown type {type}"),
    };

    private static double Number(JsonNode node) => node.GetValueKind() == JsonValueKind.String
        ? double.Parse(node.GetValue<string>(), CultureInfo.InvariantCulture)
        : node.GetValue<double>();

    private static string Describe(JsonNode? instance) => instance?.ToJsonString() ?? "null";

    /// <summary>RFC 3339's date-time (what <c>format: date-time</c> means).</summary>
    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$")]
    private static partial Regex Rfc3339DateTime { get; }
}
