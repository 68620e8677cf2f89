using System.Text.Json.Nodes;

namespace Customers.Medusa;

/// <summary>
/// Medusa's wire shapes as JSON Schema 2020-12, the schema language of OpenAPI 3.1. Request schemas are read from the
/// rules that validate requests (<see cref="Of(ObjectSchema)"/>), so an API description follows the checks; the
/// building blocks describe answers as <see cref="MedusaJson"/> writes them (nulls written, ISO-8601 UTC timestamps).
/// Every call returns a new object: a JSON node can belong to one parent only.
/// </summary>
public static class JsonSchemas
{
    /// <summary>The component name of the error body; <see cref="Ref"/> points at components of this name.</summary>
    public const string ErrorComponent = "MedusaError";

    private const string ComponentPrefix = "#/components/schemas/";

    /// <summary>A body or query: the rules' keys, required strings required, nothing else (schemas are strict).</summary>
    public static JsonObject Of(ObjectSchema schema)
    {
        var properties = new JsonObject();
        var required = new JsonArray();
        foreach (var rule in schema.Rules)
        {
            properties[rule.Name] = Of(rule);
            if (rule.Kind == FieldKind.RequiredString)
            {
                required.Add(rule.Name);
            }
        }

        var result = new JsonObject { ["type"] = "object", ["properties"] = properties };
        if (required.Count > 0)
        {
            result["required"] = required;
        }

        result["additionalProperties"] = false;
        return result;
    }

    /// <summary>What one rule lets through (<see cref="Validation.Check"/>).</summary>
    public static JsonObject Of(FieldRule rule) => rule.Kind switch
    {
        FieldKind.String or FieldKind.RequiredString => Text(maxLength: rule.MaxLength),
        FieldKind.NullableString => Text(nullable: true, rule.MaxLength),
        FieldKind.Email => Describe(Text(nullable: true, rule.MaxLength), "format", "email"),
        FieldKind.CountryCode => Describe(
            Text(nullable: true), "pattern", "^[A-Za-z]{2}$", "An ISO 3166-1 alpha-2 country code, in any letter case."),
        FieldKind.Record => Record($"A JSON object of at most {rule.MaxLength} bytes."),
        FieldKind.Boolean => Flag(),
        FieldKind.BooleanString => BooleanString(),
        FieldKind.Integer => new JsonObject { ["type"] = "integer", ["minimum"] = 0, ["maximum"] = int.MaxValue },
        FieldKind.StringOrStringArray => StringOrList(rule.MaxLength),
        FieldKind.StringArray => ArrayOf(Text(maxLength: rule.MaxLength)),
        FieldKind.Custom when rule.Accepts is not null => (JsonObject)rule.Accepts.DeepClone(),
        _ => new JsonObject(), // Any, or a custom rule that does not say: any value
    };

    /// <summary>What a list filter key lets through (<see cref="FilterSet"/>).</summary>
    internal static JsonObject Of(FilterField field) => field.Kind switch
    {
        FilterKind.Text => StringOrList(Validation.MaxStringLength),
        FilterKind.TextOperators => OneOf(
            Text(maxLength: Validation.MaxStringLength),
            ArrayOf(Text(maxLength: Validation.MaxStringLength)),
            Operators(() => Text(maxLength: Validation.MaxStringLength), patterns: true)),
        FilterKind.TimestampOperators => OneOf(Date(), ArrayOf(Date()), Operators(Date, patterns: false)),
        FilterKind.Boolean => BooleanString(),
        FilterKind.Enum => new JsonObject { ["type"] = "string", ["enum"] = new JsonArray([.. field.Values!.Select(v => JsonValue.Create(v))]) },
        FilterKind.Relation => OneOf(
            Text(maxLength: Validation.MaxStringLength),
            ArrayOf(Text(maxLength: Validation.MaxStringLength)),
            Loose(field.Relation!.Rules, "Filters on the related rows; unknown keys are ignored.")),
        _ => new JsonObject(), // NoRows: accepted in any shape
    };

    /// <summary><c>$and</c> and <c>$or</c>: filter objects with the list's own keys.</summary>
    internal static JsonObject FilterGroup() =>
        ArrayOf(new JsonObject { ["type"] = "object", ["description"] = "Filters with the list's keys; unknown keys are ignored." });

    public static JsonObject Text(bool nullable = false, int? maxLength = null)
    {
        var schema = new JsonObject { ["type"] = Type("string", nullable) };
        if (maxLength is { } max)
        {
            schema["maxLength"] = max;
        }

        return schema;
    }

    /// <summary>A timestamp as Medusa writes it: <c>2026-03-14T09:26:53.589Z</c>.</summary>
    public static JsonObject Timestamp(bool nullable = false) => new() { ["type"] = Type("string", nullable), ["format"] = "date-time" };

    public static JsonObject Flag() => new() { ["type"] = "boolean" };

    public static JsonObject Integer() => new() { ["type"] = "integer" };

    /// <summary>A JSON object of any keys, or null (<c>metadata</c>).</summary>
    public static JsonObject Record(string? description = null)
    {
        var schema = new JsonObject { ["type"] = new JsonArray("object", "null") };
        if (description is not null)
        {
            schema["description"] = description;
        }

        return schema;
    }

    public static JsonObject ArrayOf(JsonObject items) => new() { ["type"] = "array", ["items"] = items };

    /// <summary>Exactly <paramref name="value"/>. A one-value <c>enum</c>: Microsoft.OpenApi keeps <c>const</c> as text only.</summary>
    public static JsonObject Const(JsonNode value) => new() { ["enum"] = new JsonArray(value) };

    /// <summary>A reference to the component schema <paramref name="component"/>.</summary>
    public static JsonObject Ref(string component) => new() { ["$ref"] = ComponentPrefix + component };

    /// <summary>An object with these keys in this order; <paramref name="required"/> must be present.</summary>
    public static JsonObject Shape(IEnumerable<string> required, params IEnumerable<(string Name, JsonObject Schema)> properties)
    {
        var keys = new JsonObject();
        foreach (var (name, schema) in properties)
        {
            keys[name] = schema;
        }

        var result = new JsonObject { ["type"] = "object" };
        var requiredKeys = new JsonArray([.. required.Select(name => JsonValue.Create(name))]);
        if (requiredKeys.Count > 0)
        {
            result["required"] = requiredKeys;
        }

        result["properties"] = keys;
        return result;
    }

    /// <summary>The error body (<see cref="MedusaError.WriteTo"/>): <c>{code?, type?, message}</c>.</summary>
    public static JsonObject Error() => Shape(
        ["message"],
        ("code", Text()),
        ("type", Text()),
        ("message", Text()));

    /// <summary><c>{"&lt;key&gt;": value}</c>; with <paramref name="required"/> false the answer may also be <c>{}</c>.</summary>
    public static JsonObject Wrapped(string key, JsonObject value, bool required = true) =>
        Shape(required ? [key] : [], (key, value));

    /// <summary>A page of a list (<see cref="Envelopes.ListJson"/>).</summary>
    public static JsonObject List(string key, JsonObject item) => Shape(
        [key, "count", "offset", "limit"],
        (key, ArrayOf(item)),
        ("count", Integer()),
        ("offset", Integer()),
        ("limit", Integer()));

    /// <summary>A delete answer (<see cref="Envelopes.Deleted"/>), with <c>parent</c> when one is given.</summary>
    public static JsonObject Deleted(string objectName, JsonObject? parent = null, bool parentRequired = false)
    {
        var properties = new List<(string, JsonObject)>
        {
            ("id", Text()),
            ("object", Const(objectName)),
            ("deleted", Const(true)),
        };
        if (parent is not null)
        {
            properties.Add(("parent", parent));
        }

        return Shape(parentRequired ? ["id", "object", "deleted", "parent"] : ["id", "object", "deleted"], properties);
    }

    /// <summary>Medusa's <c>booleanString()</c>: a boolean, or <c>true</c>/<c>false</c> in any letter case.</summary>
    private static JsonObject BooleanString() => new()
    {
        ["type"] = new JsonArray("boolean", "string"),
        ["pattern"] = "^([Tt][Rr][Uu][Ee]|[Ff][Aa][Ll][Ss][Ee])$",
    };

    private static JsonObject StringOrList(int maxLength) => OneOf(Text(maxLength: maxLength), ArrayOf(Text(maxLength: maxLength)));

    private static JsonObject Date() => new()
    {
        ["type"] = "string",
        ["maxLength"] = Validation.MaxStringLength,
        ["description"] = "A date or date-time (ISO 8601).",
    };

    /// <summary>An operator map (<c>created_at[$gte]=…</c>); several operators are ANDed, unknown ones ignored.</summary>
    private static JsonObject Operators(Func<JsonObject> value, bool patterns)
    {
        var operators = new JsonObject
        {
            ["$eq"] = OneOf(value(), ArrayOf(value())),
            ["$ne"] = OneOf(value(), ArrayOf(value())),
            ["$in"] = ArrayOf(value()),
            ["$nin"] = ArrayOf(value()),
            ["$gt"] = value(),
            ["$gte"] = value(),
            ["$lt"] = value(),
            ["$lte"] = value(),
        };
        if (patterns)
        {
            operators["$like"] = value();
            operators["$ilike"] = value();
            operators["$re"] = value();
        }

        return new JsonObject
        {
            ["type"] = "object",
            ["properties"] = operators,
            ["description"] = "An operator map; several operators are ANDed, unknown ones ignored.",
        };
    }

    /// <summary>An object of these rules' keys that ignores other keys (nested filter objects are not strict).</summary>
    private static JsonObject Loose(IEnumerable<FieldRule> rules, string description)
    {
        var properties = new JsonObject();
        foreach (var rule in rules)
        {
            properties[rule.Name] = Of(rule);
        }

        return new JsonObject { ["type"] = "object", ["properties"] = properties, ["description"] = description };
    }

    private static JsonObject OneOf(params JsonObject[] schemas) => new() { ["oneOf"] = new JsonArray([.. schemas]) };

    private static JsonObject Describe(JsonObject schema, string keyword, string value, string? description = null)
    {
        schema[keyword] = value;
        if (description is not null)
        {
            schema["description"] = description;
        }

        return schema;
    }

    private static JsonNode Type(string type, bool nullable) => nullable ? new JsonArray(type, "null") : JsonValue.Create(type);
}
