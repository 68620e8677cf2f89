using System.Text;
using System.Text.Json.Nodes;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace Customers.Medusa.Tests;

/// <summary>Text no store can keep (NUL, lone surrogates, invalid UTF-8) is a 400 naming the field, in bodies and queries.</summary>
public sealed class StorableTextTests
{
    [Theory]
    [InlineData("plain")]
    [InlineData("")]
    [InlineData("emoji \U0001F600 and ünïcödé")]
    public void Ordinary_text_is_storable(string text) => Assert.True(StorableText.IsStorable(text));

    [Fact]
    public void Nul_and_lone_surrogates_are_not()
    {
        // Built in code: test data passed through attributes would have its lone surrogates replaced on the way.
        string[] unstorable = ["a\0b", "\ud800", "x\udfff", "\udc00\ud800", "end\ud83d"];

        Assert.All(unstorable, text => Assert.False(StorableText.IsStorable(text)));
    }

    [Theory]
    [InlineData("""{"first_name":"a\u0000b"}""", "first_name")]
    [InlineData("""{"first_name":"\ud800"}""", "first_name")]
    [InlineData("""{"metadata":{"ok":"x","bad":"\udfff"}}""", "metadata, bad")]
    [InlineData("""{"metadata":{"a\u0000":"x"}}""", "metadata")]
    [InlineData("""{"add":["cus_1","\u0000"]}""", "add, 1")]
    public async Task Json_bodies_name_the_field(string body, string field)
    {
        var result = await ReadAsync(Encoding.UTF8.GetBytes(body), "application/json");

        Assert.Equal(400, result.Error!.Status);
        Assert.Equal("invalid_data", result.Error.Type);
        Assert.Equal($"Invalid request: {StorableText.Issue(field)}", result.Error.Message);
    }

    [Fact]
    public async Task Invalid_utf8_in_a_value_names_the_field()
    {
        byte[] body = [.. "{\"last_name\":\""u8, 0xC3, 0x28, .. "\"}"u8];

        var result = await ReadAsync(body, "application/json");

        Assert.Equal($"Invalid request: {StorableText.Issue("last_name")}", result.Error!.Message);
    }

    [Fact]
    public async Task Invalid_utf8_in_a_key_is_refused()
    {
        byte[] body = [.. "{\""u8, 0xFF, .. "\":\"x\"}"u8];

        var result = await ReadAsync(body, "application/json");

        Assert.Equal(400, result.Error!.Status);
        Assert.Equal("invalid_data", result.Error.Type);
    }

    [Fact]
    public async Task Form_bodies_are_checked_too()
    {
        var result = await ReadAsync("email=a%00b%40c.d&password=x"u8.ToArray(), "application/x-www-form-urlencoded");

        Assert.Equal($"Invalid request: {StorableText.Issue("email")}", result.Error!.Message);
    }

    [Fact]
    public void Query_strings_are_checked_before_the_schema()
    {
        var context = new DefaultHttpContext();
        context.Request.QueryString = new QueryString("?q=a%00b");

        var result = RequestQuery.Read(context.Request, ListQuery.Schema.With(Field.String("q")));

        Assert.Equal($"Invalid request: {StorableText.Issue("q")}", result.Error!.Message);
    }

    [Fact]
    public async Task Good_bodies_pass_unchanged()
    {
        var result = await ReadAsync("""{"first_name":"Zoë \ud83d\ude00","metadata":{"k":["v"]}}"""u8.ToArray(), "application/json");

        Assert.Equal("Zoë \U0001F600", result.Value["first_name"]!.GetValue<string>());
    }

    private static async Task<MedusaResult<JsonObject>> ReadAsync(byte[] body, string contentType)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.ContentType = contentType;
        context.Request.Body = new MemoryStream(body);
        context.Request.ContentLength = body.Length;
        return await BodyReader.ReadAsync(context.Request);
    }
}
