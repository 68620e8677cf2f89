using System.Text;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace Customers.Medusa.Tests;

public sealed class BodyReaderTests
{
    private static HttpRequest Request(byte[] body, string? contentType, bool declareLength = true)
    {
        var context = new DefaultHttpContext();
        context.Request.Method = "POST";
        context.Request.ContentType = contentType;
        context.Request.Body = new MemoryStream(body);
        if (declareLength)
        {
            context.Request.ContentLength = body.Length;
        }

        return context.Request;
    }

    private static Task<MedusaResult<System.Text.Json.Nodes.JsonObject>> Read(string body, string? contentType = "application/json", bool declareLength = true) =>
        BodyReader.ReadAsync(Request(Encoding.UTF8.GetBytes(body), contentType, declareLength)).AsTask();

    [Fact]
    public async Task Json_object_is_read()
    {
        var result = await Read("""{"first_name":"John","metadata":{"a":1}}""");

        Assert.Equal("""{"first_name":"John","metadata":{"a":1}}""", result.Value.ToJsonString());
    }

    [Theory]
    [InlineData("application/json; charset=utf-8")]
    [InlineData("Application/JSON")]
    [InlineData("application/merge-patch+json")]
    public async Task Json_media_types_are_recognized_with_parameters_and_any_case(string contentType)
    {
        Assert.True((await Read("""{"a":1}""", contentType)).IsSuccess);
    }

    [Fact]
    public async Task Body_without_content_length_is_read_to_the_end()
    {
        var result = await Read("""{"a":"x"}""", declareLength: false);

        Assert.Equal("x", result.Value["a"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("", "application/json")]
    [InlineData("", null)]
    [InlineData("  \r\n", "application/json")]
    [InlineData("", "text/plain")]
    public async Task Empty_body_is_an_empty_object(string body, string? contentType)
    {
        var result = await Read(body, contentType);

        Assert.Empty(result.Value);
    }

    [Fact]
    public async Task Utf8_byte_order_mark_is_skipped()
    {
        var bytes = new byte[] { 0xEF, 0xBB, 0xBF }.Concat(Encoding.UTF8.GetBytes("""{"a":1}""")).ToArray();

        var result = await BodyReader.ReadAsync(Request(bytes, "application/json"));

        Assert.True(result.IsSuccess);
    }

    [Theory]
    [InlineData("{a")]
    [InlineData("{\"a\":1} x")]
    [InlineData("{\"a\":1,\"a\":2}")]
    public async Task Invalid_json_is_400_invalid_data_with_the_parser_message(string body)
    {
        var error = (await Read(body)).Error!;

        Assert.Equal(400, error.Status);
        Assert.Equal("invalid_data", error.Type);
        Assert.False(string.IsNullOrWhiteSpace(error.Message));
    }

    [Theory]
    [InlineData("null", "Invalid request: Expected type: 'object' for field '', got: 'null'")]
    [InlineData("[1,2]", "Invalid request: Expected type: 'object' for field '', got: '1,2'")]
    [InlineData("\"x\"", "Invalid request: Expected type: 'object' for field '', got: 'x'")]
    public async Task Json_that_is_not_an_object_is_400_invalid_data(string body, string message)
    {
        var error = (await Read(body)).Error!;

        Assert.Equal(400, error.Status);
        Assert.Equal("invalid_data", error.Type);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public async Task Urlencoded_body_is_parsed_like_qs()
    {
        var result = await Read("email=a%40b.c&password=x&metadata[k]=v", "application/x-www-form-urlencoded");

        Assert.Equal("""{"email":"a@b.c","password":"x","metadata":{"k":"v"}}""", result.Value.ToJsonString());
    }

    [Fact]
    public async Task Unsupported_content_type_with_a_body_is_400()
    {
        var error = (await Read("""{"a":1}""", "text/plain")).Error!;

        Assert.Equal(400, error.Status);
        Assert.Equal("invalid_data", error.Type);
    }

    [Fact]
    public async Task Declared_length_over_1_MiB_is_413_without_reading()
    {
        var request = Request([], "application/json");
        request.ContentLength = BodyLimitOptions.DefaultMaxBodyBytes + 1;

        var error = (await BodyReader.ReadAsync(request)).Error!;

        Assert.Equal(413, error.Status);
        Assert.Equal("invalid_data", error.Type);
        Assert.Equal("Request body too large", error.Message);
    }

    [Fact]
    public async Task Undeclared_body_over_1_MiB_is_413()
    {
        var body = "{\"a\":\"" + new string('x', BodyLimitOptions.DefaultMaxBodyBytes) + "\"}";

        var error = (await Read(body, declareLength: false)).Error!;

        Assert.Equal(413, error.Status);
    }

    [Fact]
    public async Task Body_of_exactly_1_MiB_is_accepted()
    {
        var body = "{\"a\":\"" + new string('x', BodyLimitOptions.DefaultMaxBodyBytes - 8) + "\"}";

        Assert.Equal(BodyLimitOptions.DefaultMaxBodyBytes, Encoding.UTF8.GetByteCount(body));
        Assert.True((await Read(body, declareLength: false)).IsSuccess);
    }

    [Fact]
    public async Task Read_body_validates_with_a_schema()
    {
        var schema = new ObjectSchema(Field.NullableString("first_name"));

        var body = (await Read("""{"first_name":"J","email":"x"}""")).Value;

        Assert.Equal("Invalid request: Unrecognized fields: 'email'", schema.Validate(body)!.Message);
    }
}
