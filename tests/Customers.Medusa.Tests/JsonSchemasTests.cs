using System.Text.Json.Nodes;
using Xunit;

namespace Customers.Medusa.Tests;

/// <summary>The JSON Schemas of request schemas say what their rules let through.</summary>
public sealed class JsonSchemasTests
{
    [Fact]
    public void A_body_schema_is_a_strict_object_with_its_required_strings_required()
    {
        var schema = JsonSchemas.Of(new ObjectSchema(Field.RequiredString("name"), Field.NullableString("note", 20), Field.Record("metadata")));

        Assert.Equal(
            JsonNode.Parse("""
                {"type":"object","properties":{
                  "name":{"type":"string","maxLength":1000},
                  "note":{"type":["string","null"],"maxLength":20},
                  "metadata":{"type":["object","null"],"description":"A JSON object of at most 16384 bytes."}},
                 "required":["name"],"additionalProperties":false}
                """)!.ToJsonString(),
            schema.ToJsonString());
    }

    [Theory]
    [InlineData(FieldKind.String, """{"type":"string","maxLength":5}""")]
    [InlineData(FieldKind.Email, """{"type":["string","null"],"maxLength":5,"format":"email"}""")]
    [InlineData(FieldKind.Boolean, """{"type":"boolean"}""")]
    [InlineData(FieldKind.Integer, """{"type":"integer","minimum":0,"maximum":2147483647}""")]
    [InlineData(FieldKind.StringArray, """{"type":"array","items":{"type":"string","maxLength":5}}""")]
    [InlineData(FieldKind.StringOrStringArray, """{"oneOf":[{"type":"string","maxLength":5},{"type":"array","items":{"type":"string","maxLength":5}}]}""")]
    [InlineData(FieldKind.Any, "{}")]
    public void Each_kind_says_what_it_accepts(FieldKind kind, string expected)
    {
        Assert.Equal(expected, JsonSchemas.Of(new FieldRule("x", kind, 5)).ToJsonString());
    }

    [Fact]
    public void Every_kind_but_any_and_custom_has_a_type()
    {
        foreach (var kind in Enum.GetValues<FieldKind>().Except([FieldKind.Any, FieldKind.Custom]))
        {
            var schema = JsonSchemas.Of(new FieldRule("x", kind, 5));
            Assert.True(schema.ContainsKey("type") || schema.ContainsKey("oneOf"), $"{kind}: {schema.ToJsonString()}");
        }
    }

    [Fact]
    public void A_custom_rule_is_what_it_declares_and_each_answer_is_a_copy()
    {
        var rule = Field.Custom("revoke_in", (_, _) => null, new JsonObject { ["type"] = "number" });

        var first = JsonSchemas.Of(rule);
        first["type"] = "string";

        Assert.Equal("""{"type":"number"}""", JsonSchemas.Of(rule).ToJsonString());
        Assert.Equal("{}", JsonSchemas.Of(Field.Custom("x", (_, _) => null)).ToJsonString());
    }

    [Fact]
    public void List_filters_describe_values_operator_maps_enums_and_groups()
    {
        var filters = new FilterSet(
            search: true,
            andOr: true,
            new FilterField("id", FilterKind.TextOperators),
            new FilterField("type", FilterKind.Enum, ["publishable", "secret"]),
            new FilterField("created_at", FilterKind.TimestampOperators));

        var properties = JsonSchemas.Of(filters.ListSchema())["properties"]!.AsObject();

        Assert.Equal(
            ["fields", "offset", "limit", "order", "with_deleted", "q", "id", "type", "created_at", "$and", "$or"],
            properties.Select(p => p.Key));
        var id = properties["id"]!["oneOf"]!.AsArray();
        Assert.Equal(["string", "array", "object"], id.Select(s => s!["type"]!.GetValue<string>()));
        Assert.Contains("$ilike", id[2]!["properties"]!.AsObject().Select(p => p.Key));
        Assert.DoesNotContain("$ilike", properties["created_at"]!["oneOf"]![2]!["properties"]!.AsObject().Select(p => p.Key));
        Assert.Equal("""{"type":"string","enum":["publishable","secret"]}""", properties["type"]!.ToJsonString());
        Assert.Equal("array", properties["$or"]!["type"]!.GetValue<string>());
    }
}
