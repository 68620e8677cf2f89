using Xunit;

namespace Customers.Medusa.Tests;

public sealed class ListQueryTests
{
    private static readonly string[] StoreAddressAllowList = ["id", "city", "created_at", "updated_at"];

    private static MedusaResult<ListQuery> Parse(string query, IReadOnlyCollection<string>? allowed = null) =>
        ListQuery.Parse(QueryStringParser.Parse(query).Value, allowed);

    [Fact]
    public void Defaults_are_limit_50_offset_0_and_no_order()
    {
        Assert.Equal(new ListQuery(50, 0, null, false), Parse("").Value);
    }

    [Fact]
    public void Route_may_choose_another_default_limit()
    {
        Assert.Equal(20, ListQuery.Parse(new(), defaultLimit: 20).Value.Limit);
    }

    [Fact]
    public void Limit_and_offset_go_through_parseInt_with_no_maximum()
    {
        Assert.Equal(new ListQuery(1, 10, null, false), Parse("limit=1.5&offset=10abc").Value);
        Assert.Equal(1000, Parse("limit=1000").Value.Limit);
        Assert.Equal(0, Parse("limit=0").Value.Limit);
    }

    [Theory]
    [InlineData("limit=abc", "Invalid request: Expected type: 'number' for field 'limit', got: 'abc'")]
    [InlineData("offset=abc", "Invalid request: Expected type: 'number' for field 'offset', got: 'abc'")]
    [InlineData("limit=-1", "Invalid request: Value for field 'limit' too small, expected at least: '0'")]
    [InlineData("with_deleted=yes", "Invalid request: Invalid input")]
    [InlineData("order[]=a&order[]=b", "Invalid request: Expected type: 'string' for field 'order', got: 'a,b'")]
    public void Bad_paging_is_400_invalid_data(string query, string message)
    {
        var error = Parse(query).Error!;

        Assert.Equal(400, error.Status);
        Assert.Equal("invalid_data", error.Type);
        Assert.Equal(message, error.Message);
    }

    [Fact]
    public void Order_is_ascending_and_a_leading_minus_is_descending()
    {
        Assert.Equal(new ListQuery(50, 0, "created_at", false), Parse("order=created_at").Value);
        Assert.Equal(new ListQuery(50, 0, "created_at", true), Parse("order=-created_at").Value);
    }

    [Fact]
    public void Order_field_outside_the_allow_list_is_400()
    {
        var error = Parse("order=-email", StoreAddressAllowList).Error!;

        Assert.Equal(400, error.Status);
        Assert.Equal("invalid_data", error.Type);
        Assert.Equal("Order field email is not valid", error.Message);
    }

    [Fact]
    public void Order_field_on_the_allow_list_is_accepted()
    {
        Assert.Equal("city", Parse("order=city", StoreAddressAllowList).Value.OrderField);
    }

    [Fact]
    public void Without_an_allow_list_any_order_field_is_accepted()
    {
        Assert.Equal("groups.name", Parse("order=groups.name").Value.OrderField);
    }

    [Fact]
    public void Only_the_text_up_to_a_second_minus_is_the_order_field()
    {
        Assert.Equal(new ListQuery(50, 0, "a", true), Parse("order=-a-b").Value);
    }

    [Fact]
    public void Empty_order_is_not_a_valid_field()
    {
        Assert.Equal("Order field  is not valid", Parse("order=").Error!.Message);
    }

    [Fact]
    public void With_deleted_is_accepted_and_ignored()
    {
        Assert.Equal(new ListQuery(50, 0, null, false), Parse("with_deleted=true").Value);
    }
}
