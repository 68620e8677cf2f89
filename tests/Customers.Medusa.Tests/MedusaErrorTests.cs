using System.Text;
using Microsoft.AspNetCore.Http;
using Xunit;

namespace Customers.Medusa.Tests;

public sealed class MedusaErrorTests
{
    private static readonly Dictionary<string, MedusaError> Errors = new()
    {
        ["InvalidData"] = MedusaError.InvalidData("Invalid request: Unrecognized fields: 'foo'"),
        ["NotAllowed"] = MedusaError.NotAllowed("A valid publishable key is required to proceed with the request"),
        ["Unauthorized"] = MedusaError.Unauthorized("Invalid email or password"),
        ["AuthMiddlewareUnauthorized"] = MedusaError.AuthMiddlewareUnauthorized(),
        ["NotFound"] = MedusaError.NotFound("Customer with id: cus_x not found"),
        ["Conflict"] = MedusaError.Conflict(),
        ["Duplicate"] = MedusaError.Duplicate("Customer with this email already has an account"),
        ["Unknown"] = MedusaError.Unknown(),
        ["Unavailable"] = MedusaError.Unavailable("Storage is unavailable"),
        ["PayloadTooLarge"] = MedusaError.PayloadTooLarge(),
    };

    [Theory]
    [InlineData("InvalidData", 400, """{"type":"invalid_data","message":"Invalid request: Unrecognized fields: 'foo'"}""")]
    [InlineData("NotAllowed", 400, """{"type":"not_allowed","message":"A valid publishable key is required to proceed with the request"}""")]
    [InlineData("Unauthorized", 401, """{"type":"unauthorized","message":"Invalid email or password"}""")]
    [InlineData("AuthMiddlewareUnauthorized", 401, """{"message":"Unauthorized"}""")]
    [InlineData("NotFound", 404, """{"type":"not_found","message":"Customer with id: cus_x not found"}""")]
    [InlineData("Conflict", 409, """{"code":"invalid_state_error","type":"conflict","message":"The request conflicted with another request. You may retry the request with the provided Idempotency-Key."}""")]
    [InlineData("Duplicate", 422, """{"code":"invalid_request_error","type":"duplicate_error","message":"Customer with this email already has an account"}""")]
    [InlineData("Unknown", 500, """{"code":"unknown_error","type":"unknown_error","message":"An unknown error occurred."}""")]
    [InlineData("Unavailable", 503, """{"type":"unexpected_state","message":"Storage is unavailable"}""")]
    [InlineData("PayloadTooLarge", 413, """{"type":"invalid_data","message":"Request body too large"}""")]
    public void Each_kind_has_its_status_and_a_body_in_code_type_message_order(string factory, int status, string body)
    {
        var error = Errors[factory];

        Assert.Equal(status, error.Status);
        Assert.Equal(body, Encoding.UTF8.GetString(error.ToJsonBytes()));
    }

    [Fact]
    public void Messages_are_not_html_escaped()
    {
        var error = MedusaError.InvalidData("Invalid request: Expected type: 'string' for field 'name', got: '<b>&é'");

        Assert.Equal(
            """{"type":"invalid_data","message":"Invalid request: Expected type: 'string' for field 'name', got: '<b>&é'"}""",
            Encoding.UTF8.GetString(error.ToJsonBytes()));
    }

    [Fact]
    public async Task Result_writes_status_content_type_and_body()
    {
        var context = new DefaultHttpContext();
        context.Response.Body = new MemoryStream();

        await MedusaError.Duplicate("Customer with this email already has an account").ToResult().ExecuteAsync(context);

        Assert.Equal(422, context.Response.StatusCode);
        Assert.Equal("application/json; charset=utf-8", context.Response.ContentType);
        context.Response.Body.Position = 0;
        var body = await new StreamReader(context.Response.Body).ReadToEndAsync();
        Assert.Equal("""{"code":"invalid_request_error","type":"duplicate_error","message":"Customer with this email already has an account"}""", body);
        Assert.Equal(body.Length, context.Response.ContentLength);
    }

    [Fact]
    public void Result_exposes_status_and_value_for_typed_results()
    {
        var result = MedusaError.NotFound("Address with id: x was not found").ToResult();

        Assert.Equal(404, result.StatusCode);
        Assert.Equal("Address with id: x was not found", result.Error.Message);
        Assert.IsAssignableFrom<IResult>(result);
    }
}
