using Customers.Host.ReadModel.Search;
using Customers.Host.ReadModel.Sql;
using Customers.Medusa;
using Npgsql;
using NpgsqlTypes;
using Xunit;

namespace Customers.Host.Tests.ReadModel;

/// <summary>Medusa's filter query (docs/medusa-compatibility.md §2.8-§2.9) parsed by <see cref="FilterSet"/> and turned
/// into SQL by <see cref="SqlFilter"/>.</summary>
public sealed class FilterSqlTests
{
    private static readonly FilterSet Set = new(
        search: true,
        andOr: true,
        new FilterField("id", FilterKind.TextOperators),
        new FilterField("email", FilterKind.Text),
        new FilterField("has_account", FilterKind.Boolean),
        new FilterField("type", FilterKind.Enum, ["a", "b"]),
        new FilterField("created_at", FilterKind.TimestampOperators),
        new FilterField("groups", FilterKind.NoRows));

    private static readonly ObjectSchema Schema = Set.ListSchema();

    private static readonly SqlFilter Sql = new(
        new Dictionary<string, SqlColumn>
        {
            ["id"] = new("t.id", NpgsqlDbType.Text),
            ["email"] = new("t.email", NpgsqlDbType.Text),
            ["has_account"] = new("t.has_account", NpgsqlDbType.Boolean),
            ["type"] = new("t.type", NpgsqlDbType.Text),
            ["created_at"] = new("t.created_at", NpgsqlDbType.TimestampTz),
        },
        ["t.email", "t.id"]);

    private static Filter Parse(string query)
    {
        var parsed = QueryStringParser.Parse(query).Value;
        Assert.Null(Schema.Validate(parsed));
        return Set.Parse(parsed).Value;
    }

    private static string Where(string query, out SqlParameters parameters)
    {
        parameters = new SqlParameters();
        return Sql.Translate(Parse(query), parameters);
    }

    [Fact]
    public void No_filter_is_every_row()
    {
        Assert.Equal("TRUE", Where("limit=5&fields=id", out var parameters));
        Assert.Equal(0, parameters.Count);
    }

    [Fact]
    public void Equality_takes_a_value_or_a_list()
    {
        Assert.Equal(new Filter.Compare("email", FilterOperator.Eq, "a@b.c"), Parse("email=a@b.c"));
        var list = Assert.IsType<Filter.Compare>(Parse("email[]=a,b"));
        Assert.Equal(FilterOperator.In, list.Operator);
        Assert.Equal(["a", "b"], (string[])list.Value);
        Assert.Equal("t.email = ANY($1)", Where("email[0]=a&email[1]=b", out _));
    }

    [Fact]
    public void Operator_maps_become_comparisons_with_parameters_only()
    {
        Assert.Equal("(t.id <> $1 AND t.id LIKE $2 AND t.id ~ $3)", Where("id[$ne]=x&id[$like]=cus_%25&id[$re]=^c", out var parameters));
        Assert.Equal(3, parameters.Count);
        Assert.Equal("t.id <> ALL($1)", Where("id[$nin][]=a", out _));
        Assert.Equal("t.id <> ALL($1)", Where("id[$ne][]=a&id[$ne][]=b", out _));
        Assert.Equal("t.id ILIKE $1", Where("id[$ilike]=A", out _));
        Assert.Equal("t.id > $1", Where("id[$gt]=A", out _));
    }

    [Fact]
    public void Timestamps_compare_as_the_millisecond_they_name()
    {
        Assert.Equal("(t.created_at >= $1 AND t.created_at < $2)", Where("created_at=2026-01-02T03:04:05.678Z", out _));
        Assert.Equal("t.created_at >= $1", Where("created_at[$gt]=2026-01-02", out _));
        Assert.Equal("t.created_at < $1", Where("created_at[$lte]=2026-01-02", out _));
        Assert.Equal("NOT ((t.created_at >= $1 AND t.created_at < $2) OR (t.created_at >= $3 AND t.created_at < $4))",
            Where("created_at[$nin][]=2026-01-01&created_at[$nin][]=2026-01-02", out _));
        var compare = Assert.IsType<Filter.Compare>(Parse("created_at[$gte]=2026-01-02T03:04:05%2B02:00"));
        Assert.Equal(new DateTimeOffset(2026, 1, 2, 1, 4, 5, TimeSpan.Zero), (DateTimeOffset)compare.Value);
    }

    [Fact]
    public void Q_searches_every_searchable_column_with_one_parameter()
    {
        Assert.Equal("(t.email ILIKE $1 OR t.id ILIKE $1)", Where("q=a%25b", out var parameters));
        Assert.Equal(1, parameters.Count);
        Assert.Equal("TRUE", Where("q=", out _));
    }

    [Fact]
    public void Q_with_a_probe_looks_up_the_probe_and_checks_the_pattern_on_columns_no_index_covers()
    {
        var parameters = new SqlParameters();

        var where = Sql.Translate(new ProbedSearch("a%b-word_1", "word"), parameters);

        Assert.Equal(
            "((t.email ILIKE $2 OR t.id ILIKE $2) AND ((t.email || '') ILIKE $1 OR (t.id || '') ILIKE $1))", where);
        using var command = new NpgsqlCommand();
        parameters.CopyTo(command.Parameters);
        Assert.Equal(["%a%b-word_1%", "%word%"], command.Parameters.Select(p => p.Value));
    }

    [Fact]
    public void And_and_or_nest_one_level_and_ignore_unknown_keys_inside()
    {
        Assert.Equal("((t.email = $1 OR (t.has_account = $2 AND t.id = $3)) AND t.type = $4)",
            Where("$or[0][email]=a&$or[1][has_account]=true&$or[1][id]=x&$or[1][unknown]=1&$or[1][$and][0][email]=z&type=a", out _));
        Assert.Equal("(t.email ILIKE $1 OR t.id ILIKE $1)", Where("$and[0][q]=x", out _));
    }

    [Fact]
    public void No_rows_filter_matches_nothing()
    {
        Assert.Equal("FALSE", Where("groups[name]=VIP", out _));
        Assert.Equal("(t.email = $1 AND FALSE)", Where("email=a&groups=g", out _));
    }

    [Theory]
    [InlineData("email[$eq]=a", "Invalid request: Expected type: 'string, array' for field 'email', got: '[object Object]'")]
    [InlineData("id[$in]=a", "Invalid request: Expected type: 'array' for field 'id, $in', got: 'a'")]
    [InlineData("id[$like][]=a", "Invalid request: Expected type: 'string' for field 'id, $like', got: 'a'")]
    [InlineData("id[$contains]=a", "Invalid request: Operator '$contains' is not supported for field 'id'")]
    [InlineData("created_at[$re]=a", "Invalid request: Operator '$re' is not supported for field 'created_at'")]
    [InlineData("created_at[]=2020-01-01&created_at[]=soon", "Invalid request: Expected type: 'date' for field 'created_at, 1', got: 'soon'")]
    [InlineData("type=c", "Invalid request: Invalid enum value. Expected 'a' | 'b', received 'c'")]
    [InlineData("has_account=maybe", "Invalid request: Invalid input")]
    [InlineData("$or[0][email][$ne]=a", "Invalid request: Expected type: 'string, array' for field '$or, 0, email', got: '[object Object]'")]
    [InlineData("$or[0]=a", "Invalid request: Expected type: 'object' for field '$or, 0', got: 'a'")]
    [InlineData("$or=a", "Invalid request: Expected type: 'array' for field '$or', got: 'a'")]
    [InlineData("nope=1", "Invalid request: Unrecognized fields: 'nope'")]
    public void Bad_filters_are_400(string query, string message)
    {
        var error = Schema.Validate(QueryStringParser.Parse(query).Value);

        Assert.NotNull(error);
        Assert.Equal((400, "invalid_data", message), (error.Status, error.Type, error.Message));
    }

    [Fact]
    public void Values_longer_than_the_string_limit_are_refused()
    {
        var error = Schema.Validate(QueryStringParser.Parse("email=" + new string('a', 1001)).Value);

        Assert.Equal("Invalid request: Field 'email' must be at most 1000 characters", error?.Message);
    }
}
