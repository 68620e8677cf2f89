using System.Text.Json.Nodes;
using Xunit;

namespace Customers.Medusa.Tests;

public sealed class ValidationTests
{
    // Shapes of real routes (docs/medusa-compatibility.md §5-§7), enough to exercise every field kind.
    private static readonly ObjectSchema StoreCreateCustomer = new(
        Field.Email(),
        Field.NullableString("company_name"),
        Field.NullableString("first_name"),
        Field.NullableString("last_name"),
        Field.NullableString("phone"),
        Field.Record("metadata"));

    private static readonly ObjectSchema Address = new(
        Field.NullableString("first_name"),
        Field.NullableString("address_1"),
        Field.CountryCode(),
        Field.Record("metadata"),
        Field.Boolean("is_default_shipping"),
        Field.Boolean("is_default_billing"));

    private static readonly ObjectSchema CreateGroup = new(Field.RequiredString("name"), Field.Record("metadata"));

    private static readonly ObjectSchema ResetPassword = new(Field.RequiredString("identifier"), Field.Record("metadata"));

    private static readonly ObjectSchema Batch = new(Field.StringArray("add"), Field.StringArray("remove"));

    private static readonly ObjectSchema AdminListCustomers = ListQuery.Schema.With(
        Field.String("q"),
        Field.StringOrStringArray("email"),
        Field.BooleanString("has_account"));

    private static string? Message(ObjectSchema schema, string json) => schema.Validate(JsonNode.Parse(json)!.AsObject())?.Message;

    private static string? QueryMessage(ObjectSchema schema, string query) => schema.Validate(QueryStringParser.Parse(query).Value)?.Message;

    [Fact]
    public void Valid_body_passes()
    {
        Assert.Null(Message(StoreCreateCustomer, """{"email":"john@doe.com","first_name":"John","last_name":null,"metadata":{"a":1}}"""));
        Assert.Null(Message(StoreCreateCustomer, "{}"));
    }

    [Fact]
    public void Validation_failure_is_400_invalid_data()
    {
        var error = StoreCreateCustomer.Validate(new JsonObject { ["foo"] = 1 })!;

        Assert.Equal(400, error.Status);
        Assert.Equal("invalid_data", error.Type);
        Assert.Null(error.Code);
    }

    [Fact]
    public void Unknown_top_level_keys_are_listed_in_one_pair_of_quotes()
    {
        Assert.Equal("Invalid request: Unrecognized fields: 'foo'", Message(StoreCreateCustomer, """{"foo":1}"""));
        Assert.Equal("Invalid request: Unrecognized fields: 'a, b'", Message(StoreCreateCustomer, """{"a":1,"email":null,"b":2}"""));
    }

    [Fact]
    public void Unknown_keys_inside_nested_objects_are_not_checked()
    {
        Assert.Null(Message(StoreCreateCustomer, """{"metadata":{"anything":{"deep":true}}}"""));
    }

    [Fact]
    public void Unknown_query_parameters_are_rejected_too()
    {
        var getMe = new ObjectSchema(Field.String("fields"));

        Assert.Equal("Invalid request: Unrecognized fields: 'foo'", QueryMessage(getMe, "foo=1"));
        Assert.Equal("Invalid request: Unrecognized fields: 'expand'", QueryMessage(getMe, "expand="));
    }

    [Theory]
    [InlineData("""{"first_name":5}""", "Invalid request: Expected type: 'string' for field 'first_name', got: '5'")]
    [InlineData("""{"first_name":1.5}""", "Invalid request: Expected type: 'string' for field 'first_name', got: '1.5'")]
    [InlineData("""{"first_name":true}""", "Invalid request: Expected type: 'string' for field 'first_name', got: 'true'")]
    [InlineData("""{"first_name":{}}""", "Invalid request: Expected type: 'string' for field 'first_name', got: '[object Object]'")]
    [InlineData("""{"first_name":["a",1,null,{"x":1}]}""", "Invalid request: Expected type: 'string' for field 'first_name', got: 'a,1,,[object Object]'")]
    [InlineData("""{"metadata":"x"}""", "Invalid request: Expected type: 'record' for field 'metadata', got: 'x'")]
    [InlineData("""{"metadata":[1,2]}""", "Invalid request: Expected type: 'record' for field 'metadata', got: '1,2'")]
    [InlineData("""{"email":5}""", "Invalid request: Expected type: 'string' for field 'email', got: '5'")]
    public void Wrong_type_names_the_expected_type_and_the_value_as_javascript_prints_it(string json, string expected)
    {
        Assert.Equal(expected, Message(StoreCreateCustomer, json));
    }

    [Fact]
    public void Null_for_a_required_string_is_a_type_error()
    {
        Assert.Equal("Invalid request: Expected type: 'string' for field 'name', got: 'null'", Message(CreateGroup, """{"name":null}"""));
    }

    [Fact]
    public void Missing_required_string_is_reported_as_required()
    {
        Assert.Equal("Invalid request: Field 'identifier' is required", Message(ResetPassword, "{}"));
        Assert.Equal("Invalid request: Field 'name' is required", Message(CreateGroup, """{"metadata":null}"""));
    }

    [Fact]
    public void Empty_string_is_a_valid_required_string()
    {
        Assert.Null(Message(CreateGroup, """{"name":""}"""));
    }

    [Fact]
    public void Nullable_fields_accept_null()
    {
        Assert.Null(Message(StoreCreateCustomer, """{"email":null,"phone":null,"metadata":null}"""));
    }

    [Theory]
    [InlineData("not-an-email")]
    [InlineData("a@b")]
    [InlineData("a@b.c")]
    [InlineData(".a@b.com")]
    [InlineData("a.@b.com")]
    [InlineData("a..b@b.com")]
    [InlineData("a@-b.com")]
    [InlineData("a b@c.com")]
    [InlineData("")]
    public void Bad_email_is_invalid_email_address(string email)
    {
        Assert.Equal("Invalid request: Invalid email address", Message(StoreCreateCustomer, $$"""{"email":"{{email}}"}"""));
    }

    [Theory]
    [InlineData("john@doe.com")]
    [InlineData("John.Doe+tag@sub.example.co")]
    [InlineData("o'neil@example.ie")]
    [InlineData("a_b-c@x-y.org")]
    public void Good_email_passes(string email)
    {
        Assert.Null(Message(StoreCreateCustomer, $$"""{"email":"{{email}}"}"""));
    }

    [Fact]
    public void Array_element_of_wrong_type_is_reported_as_required_with_a_comma_joined_path()
    {
        Assert.Equal("Invalid request: Field 'add, 0' is required", Message(Batch, """{"add":[1]}"""));
        Assert.Equal("Invalid request: Expected type: 'array' for field 'add', got: 'cus_1'", Message(Batch, """{"add":"cus_1"}"""));
        Assert.Null(Message(Batch, """{"add":["cus_1"],"remove":[]}"""));
    }

    [Fact]
    public void At_most_three_issues_are_reported_joined_by_semicolons_then_unknown_keys_last()
    {
        Assert.Equal(
            "Invalid request: Expected type: 'string' for field 'company_name', got: '1'; "
            + "Expected type: 'string' for field 'first_name', got: '2'; Unrecognized fields: 'foo'",
            Message(StoreCreateCustomer, """{"foo":0,"first_name":2,"company_name":1}"""));

        Assert.Equal(
            "Invalid request: Expected type: 'string' for field 'company_name', got: '1'; "
            + "Expected type: 'string' for field 'first_name', got: '2'; Expected type: 'string' for field 'last_name', got: '3'",
            Message(StoreCreateCustomer, """{"foo":0,"first_name":2,"company_name":1,"last_name":3,"phone":4}"""));
    }

    [Fact]
    public void Boolean_field_rejects_strings()
    {
        Assert.Null(Message(Address, """{"is_default_shipping":true,"is_default_billing":false}"""));
        Assert.Equal(
            "Invalid request: Expected type: 'boolean' for field 'is_default_shipping', got: 'true'",
            Message(Address, """{"is_default_shipping":"true"}"""));
    }

    [Theory]
    [InlineData("has_account=true")]
    [InlineData("has_account=false")]
    [InlineData("has_account=TRUE")]
    [InlineData("with_deleted=False")]
    public void Boolean_string_accepts_true_and_false_in_any_case(string query)
    {
        Assert.Null(QueryMessage(AdminListCustomers, query));
    }

    [Fact]
    public void Boolean_string_failure_is_invalid_input()
    {
        Assert.Equal("Invalid request: Invalid input", QueryMessage(AdminListCustomers, "has_account=yes"));
        Assert.Equal(
            "Invalid request: Expected type: 'boolean, string' for field 'has_account', got: '[object Object]'",
            QueryMessage(AdminListCustomers, "has_account[a]=1"));
    }

    [Theory]
    [InlineData("limit=10", 10)]
    [InlineData("limit=1.5", 1)]
    [InlineData("limit=10abc", 10)]
    [InlineData("limit=%2010", 10)]
    [InlineData("limit=+7", 7)]
    [InlineData("limit=0x10", 16)]
    [InlineData("limit=0", 0)]
    [InlineData("limit=1000", 1000)]
    public void Number_from_string_uses_parseInt(string query, int expected)
    {
        var parsed = QueryStringParser.Parse(query).Value;

        Assert.Null(AdminListCustomers.Validate(parsed));
        Assert.True(Validation.TryReadInteger(parsed["limit"], "limit", out var value, out _));
        Assert.Equal(expected, value);
    }

    [Theory]
    [InlineData("limit=abc", "Invalid request: Expected type: 'number' for field 'limit', got: 'abc'")]
    [InlineData("limit=", "Invalid request: Expected type: 'number' for field 'limit', got: ''")]
    [InlineData("offset=x1", "Invalid request: Expected type: 'number' for field 'offset', got: 'x1'")]
    [InlineData("limit=1&limit=2", "Invalid request: Expected type: 'number' for field 'limit', got: '1,2'")]
    [InlineData("limit=-1", "Invalid request: Value for field 'limit' too small, expected at least: '0'")]
    [InlineData("offset=-5", "Invalid request: Value for field 'offset' too small, expected at least: '0'")]
    [InlineData("limit=99999999999", "Invalid request: Value for field 'limit' too big, expected at most: '2147483647'")]
    public void Bad_number_from_string_is_400(string query, string expected)
    {
        Assert.Equal(expected, QueryMessage(AdminListCustomers, query));
    }

    [Fact]
    public void String_or_array_filter_accepts_both_and_rejects_objects()
    {
        Assert.Null(QueryMessage(AdminListCustomers, "email=a@b.c"));
        Assert.Null(QueryMessage(AdminListCustomers, "email[]=a@b.c,c@d.e"));
        Assert.Equal(
            "Invalid request: Expected type: 'string, array' for field 'email', got: '[object Object]'",
            QueryMessage(AdminListCustomers, "email[a]=x"));
    }

    [Fact]
    public void Repeated_fields_parameter_is_a_type_error_showing_the_joined_values()
    {
        Assert.Equal(
            "Invalid request: Expected type: 'string' for field 'fields', got: 'id,email'",
            QueryMessage(AdminListCustomers, "fields=id&fields=email"));
    }

    [Fact]
    public void Strings_longer_than_1000_characters_are_rejected()
    {
        var body = new JsonObject { ["first_name"] = new string('a', 1001) };

        Assert.Equal(
            "Invalid request: Field 'first_name' must be at most 1000 characters",
            StoreCreateCustomer.Validate(body)!.Message);
        Assert.Null(StoreCreateCustomer.Validate(new JsonObject { ["first_name"] = new string('a', 1000) }));
    }

    [Fact]
    public void Emails_longer_than_254_characters_are_rejected()
    {
        var longest = new string('a', 64) + "@" + string.Join('.', Enumerable.Repeat(new string('b', 61), 3)) + ".com";
        var email = "a" + longest;

        Assert.Equal(254, longest.Length);
        Assert.Null(StoreCreateCustomer.Validate(new JsonObject { ["email"] = longest }));
        Assert.Equal(
            "Invalid request: Field 'email' must be at most 254 characters",
            StoreCreateCustomer.Validate(new JsonObject { ["email"] = email })!.Message);
    }

    [Fact]
    public void A_local_part_longer_than_64_characters_is_rejected()
    {
        Assert.Null(StoreCreateCustomer.Validate(new JsonObject { ["email"] = new string('a', 64) + "@example.com" }));
        Assert.Equal(
            "Invalid request: Field 'email' must have at most 64 characters before the '@'",
            StoreCreateCustomer.Validate(new JsonObject { ["email"] = new string('a', 65) + "@example.com" })!.Message);
    }

    [Fact]
    public void Filter_array_elements_are_length_checked_too()
    {
        var query = new JsonObject { ["email"] = new JsonArray("ok", new string('x', 1001)) };

        Assert.Equal("Invalid request: Field 'email, 1' must be at most 1000 characters", AdminListCustomers.Validate(query)!.Message);
    }

    [Fact]
    public void Metadata_larger_than_16_KiB_is_rejected()
    {
        var big = new JsonObject { ["metadata"] = new JsonObject { ["k"] = new string('x', 16 * 1024) } };
        var fits = new JsonObject { ["metadata"] = new JsonObject { ["k"] = new string('x', 16 * 1024 - 20) } };

        Assert.Equal("Invalid request: Field 'metadata' must be at most 16384 bytes", StoreCreateCustomer.Validate(big)!.Message);
        Assert.Null(StoreCreateCustomer.Validate(fits));
    }

    [Theory]
    [InlineData("DK")]
    [InlineData("dk")]
    [InlineData("Us")]
    [InlineData("AX")]
    [InlineData("ZW")]
    public void Country_code_accepts_iso_alpha_2_in_any_case(string code)
    {
        Assert.Null(Message(Address, $$"""{"country_code":"{{code}}"}"""));
    }

    [Theory]
    [InlineData("XK")]
    [InlineData("UK")]
    [InlineData("DNK")]
    [InlineData("D")]
    [InlineData("")]
    [InlineData("1A")]
    public void Country_code_rejects_anything_else(string code)
    {
        Assert.Equal(
            "Invalid request: Field 'country_code' must be an ISO 3166-1 alpha-2 country code",
            Message(Address, $$"""{"country_code":"{{code}}"}"""));
    }

    [Fact]
    public void Country_code_may_be_null()
    {
        Assert.Null(Message(Address, """{"country_code":null}"""));
    }

    [Fact]
    public void Country_code_list_has_the_249_assigned_codes()
    {
        Assert.Equal(CountryCodes.Count, CountryCodes.Codes.Count);
        Assert.Equal(249, CountryCodes.Codes.Distinct().Count());
        Assert.All(CountryCodes.Codes, code => Assert.True(CountryCodes.IsAlpha2(code)));
    }

    [Fact]
    public void Custom_rule_reports_its_own_issue()
    {
        var schema = new ObjectSchema(Field.Custom("id", (value, name) =>
            Validation.AsString(value) is { } text && text.StartsWith("cus_", StringComparison.Ordinal) ? null : $"Field '{name}' must be a customer id"));

        Assert.Null(schema.Validate(new JsonObject { ["id"] = "cus_1" }));
        Assert.Equal("Invalid request: Field 'id' must be a customer id", schema.Validate(new JsonObject { ["id"] = "x" })!.Message);
    }

    [Fact]
    public void With_adds_rules_to_a_schema()
    {
        var schema = ListQuery.Schema.With(Field.StringOrStringArray("city"));

        Assert.Null(schema.Validate(QueryStringParser.Parse("city=NYC&limit=5&offset=0&order=-created_at&fields=id&with_deleted=true").Value));
        Assert.NotNull(ListQuery.Schema.Validate(QueryStringParser.Parse("city=NYC").Value));
    }

    [Fact]
    public void Any_field_is_recognized_without_checks()
    {
        var schema = new ObjectSchema(Field.Any("created_at"));

        Assert.Null(schema.Validate(QueryStringParser.Parse("created_at[$gte]=2020-01-01").Value));
    }

    [Fact]
    public void With_replaces_a_rule_of_the_same_name()
    {
        var schema = ListQuery.Schema.With(Field.NullableString("order"));

        Assert.Single(schema.Rules, rule => rule.Name == "order");
        Assert.Null(schema.Validate(new JsonObject { ["order"] = null }));
    }
}
