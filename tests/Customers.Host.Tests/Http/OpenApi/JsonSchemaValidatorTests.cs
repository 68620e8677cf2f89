using System.Text.Json.Nodes;
using Xunit;

namespace Customers.Host.Tests.Http.OpenApi;

/// <summary>The test validator finds the mismatches the document checks rely on.</summary>
public sealed class JsonSchemaValidatorTests
{
    private static readonly JsonNode Document = JsonNode.Parse("""
        {"components":{"schemas":{
          "Address":{"type":"object","required":["id"],"properties":{
            "id":{"type":"string"},"city":{"type":["string","null"],"maxLength":5},"metadata":{"type":["object","null"]}}},
          "Customer":{"type":"object","required":["id"],"properties":{
            "id":{"type":"string"},"created_at":{"type":"string","format":"date-time"},
            "addresses":{"type":"array","items":{"$ref":"#/components/schemas/Address"}}}},
          "Reply":{"oneOf":[
            {"type":"object","required":["token"],"properties":{"token":{"type":"string"}}},
            {"type":"object","required":["location"],"properties":{"location":{"type":"string"}}}]},
          "Deleted":{"type":"object","required":["object","deleted"],"properties":{
            "object":{"const":"customer"},"deleted":{"const":true},"count":{"type":"integer","minimum":0},
            "type":{"type":"string","enum":["publishable","secret"]}}},
          "Claims":{"type":"object","properties":{"sub":{"type":"string"}},"additionalProperties":true}}}}
        """)!;

    private static readonly JsonSchemaValidator Strict = new(Document, rejectUndeclared: true);

    [Fact]
    public void A_matching_value_passes_through_references_nullable_types_and_free_form_objects()
    {
        Assert.Empty(Errors("Customer", """
            {"id":"cus_1","created_at":"2026-03-14T09:26:53.589Z",
             "addresses":[{"id":"a1","city":null,"metadata":{"any":["thing"]}},{"id":"a2","city":"Oslo"}]}
            """));
        Assert.Empty(Errors("Reply", """{"token":"t"}"""));
        Assert.Empty(Errors("Deleted", """{"object":"customer","deleted":true,"count":2,"type":"secret"}"""));
        Assert.Empty(Errors("Claims", """{"sub":"x","custom":1}"""));
    }

    [Fact]
    public void A_wrong_type_is_a_mismatch()
    {
        Assert.Equal(["$.id: expected type \"string\", got 5"], Errors("Customer", """{"id":5}"""));
        Assert.Single(Errors("Address", """{"id":"a","city":7}"""));
        Assert.Single(Errors("Deleted", """{"object":"customer","deleted":true,"count":1.5}"""));
        Assert.Single(Errors("Customer", """{"id":"c","created_at":"yesterday"}"""));
    }

    [Fact]
    public void A_missing_required_key_is_a_mismatch()
    {
        Assert.Equal(["$: required key 'id' is missing"], Errors("Customer", """{"created_at":"2026-03-14T09:26:53.589Z"}"""));
    }

    [Fact]
    public void A_wrong_nested_item_is_a_mismatch()
    {
        Assert.Equal(
            ["$.addresses[1]: required key 'id' is missing"],
            Errors("Customer", """{"id":"c","addresses":[{"id":"a1"},{"city":"Oslo"}]}"""));
        Assert.Equal(
            ["$.addresses[0].city: longer than 5 characters"],
            Errors("Customer", """{"id":"c","addresses":[{"id":"a1","city":"Copenhagen"}]}"""));
    }

    [Fact]
    public void Const_enum_and_minimum_are_checked()
    {
        Assert.Single(Errors("Deleted", """{"object":"address","deleted":true}"""));
        Assert.Single(Errors("Deleted", """{"object":"customer","deleted":false}"""));
        Assert.Single(Errors("Deleted", """{"object":"customer","deleted":true,"type":"other"}"""));
        Assert.Single(Errors("Deleted", """{"object":"customer","deleted":true,"count":-1}"""));
    }

    [Fact]
    public void OneOf_needs_exactly_one_match()
    {
        Assert.Equal(["$: matches 0 of oneOf, not exactly one"], Errors("Reply", """{"other":"x"}"""));
        Assert.Equal(["$: matches 2 of oneOf, not exactly one"], Errors("Reply", """{"token":"t","location":"l"}""", strict: false));
    }

    [Fact]
    public void An_undeclared_key_is_a_mismatch_only_when_asked_for()
    {
        Assert.Equal(["$: key 'nickname' is not declared"], Errors("Customer", """{"id":"c","nickname":"x"}"""));
        Assert.Empty(Errors("Customer", """{"id":"c","nickname":"x"}""", strict: false));
    }

    private static List<string> Errors(string component, string json, bool strict = true) =>
        (strict ? Strict : new JsonSchemaValidator(Document, rejectUndeclared: false))
            .Validate(JsonNode.Parse(json), JsonNode.Parse($$"""{"$ref":"#/components/schemas/{{component}}"}""")!);
}
