using System.Text.Json.Nodes;
using Xunit;

namespace Customers.Medusa.Tests;

public sealed class QueryStringParserTests
{
    private static string Parse(string? query)
    {
        var result = QueryStringParser.Parse(query);
        Assert.True(result.IsSuccess, result.Error?.Message);
        return result.Value.ToJsonString(MedusaJson.Options);
    }

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("?")]
    public void Empty_query_is_an_empty_object(string? query)
    {
        Assert.Equal("{}", Parse(query));
    }

    [Theory]
    // The examples of docs/medusa-compatibility.md §2.5.
    [InlineData("a=x", """{"a":"x"}""")]
    [InlineData("a=x&a=y", """{"a":["x","y"]}""")]
    [InlineData("a[]=x", """{"a":["x"]}""")]
    [InlineData("a[]=x&a[]=y", """{"a":["x","y"]}""")]
    [InlineData("a[0]=x&a[1]=y", """{"a":["x","y"]}""")]
    [InlineData("a[b]=x", """{"a":{"b":"x"}}""")]
    [InlineData("a[$gte]=x", """{"a":{"$gte":"x"}}""")]
    [InlineData("a[$in][]=x", """{"a":{"$in":["x"]}}""")]
    [InlineData("$or[0][email]=x&$or[1][first_name]=y", """{"$or":[{"email":"x"},{"first_name":"y"}]}""")]
    // SDK and dashboard forms.
    [InlineData("groups%5B0%5D=g1&limit=20&offset=0", """{"groups":["g1"],"limit":"20","offset":"0"}""")]
    [InlineData("customers[id]=cus_1", """{"customers":{"id":"cus_1"}}""")]
    [InlineData("created_at[$gte]=2020-01-01&id[$nin][]=cus_x", """{"created_at":{"$gte":"2020-01-01"},"id":{"$nin":["cus_x"]}}""")]
    public void Parses_qs_extended_syntax(string query, string expected)
    {
        Assert.Equal(expected, Parse(query));
    }

    [Fact]
    public void Leading_question_mark_is_ignored()
    {
        Assert.Equal("""{"fields":"*orders"}""", Parse("?fields=*orders"));
    }

    [Fact]
    public void Indices_up_to_20_are_array_slots_and_larger_ones_object_keys()
    {
        Assert.Equal("""{"a":["x"]}""", Parse("a[20]=x"));
        Assert.Equal("""{"a":{"21":"x"}}""", Parse("a[21]=x"));
        Assert.Equal("""{"a":{"0":"x","21":"y"}}""", Parse("a[0]=x&a[21]=y"));
    }

    [Fact]
    public void Sparse_indices_are_compacted_in_index_order()
    {
        Assert.Equal("""{"a":["x","y"]}""", Parse("a[1]=y&a[0]=x"));
        Assert.Equal("""{"a":["x"]}""", Parse("a[5]=x"));
    }

    [Fact]
    public void Non_canonical_indices_are_object_keys()
    {
        Assert.Equal("""{"a":{"01":"x"}}""", Parse("a[01]=x"));
        Assert.Equal("""{"a":{"-1":"x"}}""", Parse("a[-1]=x"));
    }

    [Fact]
    public void Mixing_indices_and_keys_turns_the_array_into_an_object()
    {
        Assert.Equal("""{"a":{"0":"x","b":"y"}}""", Parse("a[0]=x&a[b]=y"));
        Assert.Equal("""{"a":{"0":"x","b":"y"}}""", Parse("a[b]=y&a[0]=x"));
    }

    [Fact]
    public void Mixing_a_scalar_and_an_object_follows_qs_merge()
    {
        Assert.Equal("""{"a":["x",{"b":"1"}]}""", Parse("a=x&a[b]=1"));
        Assert.Equal("""{"a":{"b":"1","x":true}}""", Parse("a[b]=1&a=x"));
    }

    [Fact]
    public void Repeated_indexed_key_nests_an_array()
    {
        Assert.Equal("""{"a":[["x","y"]]}""", Parse("a[0]=x&a[0]=y"));
    }

    [Fact]
    public void Key_without_value_is_an_empty_string_and_empty_keys_are_skipped()
    {
        Assert.Equal("""{"a":"","b":""}""", Parse("a&=x&&b="));
    }

    [Fact]
    public void Array_index_keys_come_first_like_javascript_objects()
    {
        Assert.Equal("""{"0":"x","b":"1"}""", Parse("b=1&0=x"));
    }

    [Fact]
    public void Bracket_groups_beyond_depth_5_stay_one_literal_key()
    {
        Assert.Equal("""{"a":{"b":{"c":{"d":{"e":{"f":{"[g][h]":"x"}}}}}}}""", Parse("a[b][c][d][e][f][g][h]=x"));
    }

    [Fact]
    public void Proto_keys_are_dropped()
    {
        Assert.Equal("""{"a":{}}""", Parse("a[__proto__]=x"));
    }

    [Theory]
    [InlineData("q=John+Doe", "John Doe")]
    [InlineData("q=a%2Bb", "a+b")]
    [InlineData("q=%E2%82%AC", "€")]
    [InlineData("q=cus_%25", "cus_%")]
    [InlineData("q=%zz+1", "%zz 1")]
    [InlineData("q=%E2%82", "%E2%82")]
    [InlineData("q=%C3%28", "%C3%28")]
    [InlineData("q=100%", "100%")]
    public void Decodes_percent_escapes_and_plus_like_decodeURIComponent(string query, string expected)
    {
        var result = QueryStringParser.Parse(query);
        Assert.Equal(expected, result.Value["q"]!.GetValue<string>());
    }

    [Fact]
    public void Plus_in_fields_decodes_to_a_space()
    {
        Assert.Equal("""{"fields":" created_by"}""", Parse("fields=+created_by"));
    }

    [Fact]
    public void Top_level_array_of_one_string_is_split_on_commas()
    {
        Assert.Equal("""{"email":["a","b"]}""", Parse("email[]=a,b"));
        Assert.Equal("""{"email":["a","","b"]}""", Parse("email[0]=a,,b"));
    }

    [Fact]
    public void Plain_value_with_commas_stays_one_string()
    {
        Assert.Equal("""{"email":"a,b"}""", Parse("email=a,b"));
    }

    [Fact]
    public void Nested_values_are_never_split()
    {
        Assert.Equal("""{"id":{"$in":["a,b"]}}""", Parse("id[$in][]=a,b"));
    }

    [Fact]
    public void Arrays_of_two_or_more_are_not_split()
    {
        Assert.Equal("""{"email":["a,b","c"]}""", Parse("email[]=a,b&email[]=c"));
    }

    [Fact]
    public void Repeated_scalar_becomes_an_array()
    {
        Assert.Equal("""{"fields":["id","email"]}""", Parse("fields=id&fields=email"));
    }

    [Fact]
    public void Dotted_key_becomes_one_level_of_nesting()
    {
        Assert.Equal("""{"a":{"b":"x"}}""", Parse("a.b=x"));
        Assert.Equal("""{"a":{"b":"x","c":"y"}}""", Parse("a.b=x&a.c=y"));
        Assert.Equal("""{"groups":{"id":["g1","g2"]}}""", Parse("groups.id[]=g1,g2"));
    }

    [Fact]
    public void Dotted_key_spreads_an_earlier_plain_value_like_object_spread()
    {
        Assert.Equal("""{"a":{"0":"1","b":"2"}}""", Parse("a=1&a.b=2"));
    }

    [Fact]
    public void Dotted_key_with_three_segments_is_400_invalid_data()
    {
        var result = QueryStringParser.Parse("a.b.c=x");

        Assert.False(result.IsSuccess);
        Assert.Equal(400, result.Error.Status);
        Assert.Equal("invalid_data", result.Error.Type);
        Assert.Equal("Key accessor more than 2 levels deep: a.b.c", result.Error.Message);
    }

    [Fact]
    public void Only_the_first_1000_parameters_are_read()
    {
        var query = string.Join('&', Enumerable.Range(0, 1001).Select(i => $"k{i}=v"));

        var result = QueryStringParser.Parse(query).Value;

        Assert.Equal(1000, result.Count);
        Assert.False(result.ContainsKey("k1000"));
    }

    [Fact]
    public void Form_body_keeps_nesting_deeper_than_queries_and_does_not_split_commas()
    {
        var result = QueryStringParser.ParseForm("email=a%40b.c&password=x&tags[]=a,b&a.b.c=1");

        Assert.Equal("""{"email":"a@b.c","password":"x","tags":["a,b"],"a.b.c":"1"}""", result.Value.ToJsonString(MedusaJson.Options));
    }

    [Fact]
    public void Form_body_with_more_than_1000_parameters_is_rejected()
    {
        var body = string.Join('&', Enumerable.Range(0, 1001).Select(i => $"k{i}=v"));

        var result = QueryStringParser.ParseForm(body);

        Assert.Equal(413, result.Error!.Status);
    }

    [Fact]
    public void Values_are_json_strings_that_validation_can_read()
    {
        var result = QueryStringParser.Parse("limit=10").Value;

        Assert.IsAssignableFrom<JsonValue>(result["limit"]);
        Assert.Equal("10", Validation.AsString(result["limit"]));
    }
}
