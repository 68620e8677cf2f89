using System.Text.Json.Nodes;
using Xunit;

namespace Customers.Medusa.Tests;

public sealed class JsTextTests
{
    [Theory]
    [InlineData("null", "null")]
    [InlineData("\"x\"", "x")]
    [InlineData("true", "true")]
    [InlineData("false", "false")]
    [InlineData("5", "5")]
    [InlineData("5.0", "5")]
    [InlineData("-0", "0")]
    [InlineData("1e21", "1e+21")]
    [InlineData("1e20", "100000000000000000000")]
    [InlineData("0.000001", "0.000001")]
    [InlineData("1e-7", "1e-7")]
    [InlineData("1.5e-10", "1.5e-10")]
    [InlineData("123.456", "123.456")]
    [InlineData("12345678901234567890", "12345678901234567000")]
    [InlineData("1e400", "Infinity")]
    [InlineData("{}", "[object Object]")]
    [InlineData("{\"a\":1}", "[object Object]")]
    [InlineData("[]", "")]
    [InlineData("[1,\"a\",null,true,[2,3],{}]", "1,a,,true,2,3,[object Object]")]
    public void Renders_values_like_javascript_String(string json, string expected)
    {
        Assert.Equal(expected, JsText.ToJsString(JsonNode.Parse(json)));
    }

    [Fact]
    public void Values_created_in_code_render_the_same()
    {
        Assert.Equal("5", JsText.ToJsString(JsonValue.Create(5)));
        Assert.Equal("2.5", JsText.ToJsString(JsonValue.Create(2.5m)));
        Assert.Equal("true", JsText.ToJsString(JsonValue.Create(true)));
    }
}
