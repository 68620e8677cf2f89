using Customers.Host.ReadModel.Sql;
using Customers.Medusa;
using NpgsqlTypes;
using Xunit;

namespace Customers.Host.Tests.ReadModel;

/// <summary>
/// Relation filters (<see cref="FilterKind.Relation"/>: <c>groups</c> on customers, <c>customers</c> on groups) parsed by
/// <see cref="FilterSet"/> and turned into <c>EXISTS</c> subqueries by <see cref="SqlFilter"/> with a <see cref="SqlRelation"/>.
/// </summary>
public sealed class RelationFilterTests
{
    private static readonly FilterSet Set = new(
        search: false,
        andOr: true,
        new FilterField("email", FilterKind.Text),
        new FilterField("groups", FilterKind.Relation, Relation: new FilterSet(
            search: false,
            andOr: false,
            new FilterField("id", FilterKind.Text),
            new FilterField("name", FilterKind.TextOperators),
            new FilterField("created_at", FilterKind.TimestampOperators))));

    private static readonly ObjectSchema Schema = Set.ListSchema();

    private static readonly SqlFilter Sql = new(
        new Dictionary<string, SqlColumn> { ["email"] = new("t.email", NpgsqlDbType.Text) },
        [],
        new Dictionary<string, SqlRelation>
        {
            ["groups"] = new(
                "m JOIN g ON g.id = m.group_id",
                "m.member_id = t.id",
                new SqlFilter(
                    new Dictionary<string, SqlColumn>
                    {
                        ["id"] = new("g.id", NpgsqlDbType.Text),
                        ["name"] = new("g.name", NpgsqlDbType.Text),
                        ["created_at"] = new("g.created_at", NpgsqlDbType.TimestampTz),
                    },
                    [])),
        });

    [Theory]
    [InlineData("groups=g1")]
    [InlineData("groups[]=g1")]
    [InlineData("groups[0]=g1")]
    [InlineData("groups[id]=g1")]
    public void Ids_in_every_form_match_related_rows_by_id(string query)
    {
        var filter = Assert.IsType<Filter.Related>(Parse(query));

        Assert.Equal("groups", filter.Relation);
        var inner = Assert.IsType<Filter.Compare>(filter.Inner);
        Assert.Equal("id", inner.Field);
        Assert.Contains("g1", inner.Value as string[] ?? [(string)inner.Value]);
    }

    [Fact]
    public void Becomes_an_exists_subquery_with_parameters()
    {
        var parameters = new SqlParameters();

        var sql = Sql.Translate(Parse("email=a&groups[0]=g1&groups[1]=g2"), parameters);

        Assert.Equal("(t.email = $1 AND EXISTS (SELECT 1 FROM m JOIN g ON g.id = m.group_id WHERE m.member_id = t.id AND g.id = ANY($2)))", sql);
        Assert.Equal(2, parameters.Count);
    }

    [Fact]
    public void An_object_filters_on_the_related_rows_fields_and_ignores_unknown_keys()
    {
        var parameters = new SqlParameters();

        var sql = Sql.Translate(Parse("groups[name][$ilike]=vip%25&groups[foo]=x"), parameters);
        var none = Parse("groups[foo]=x");

        Assert.Equal("EXISTS (SELECT 1 FROM m JOIN g ON g.id = m.group_id WHERE m.member_id = t.id AND g.name ILIKE $1)", sql);
        Assert.Empty(Assert.IsType<Filter.And>(none).Parts);
    }

    [Fact]
    public void Works_inside_or()
    {
        var parameters = new SqlParameters();

        var sql = Sql.Translate(Parse("$or[0][email]=a&$or[1][groups]=g1"), parameters);

        Assert.Equal("(t.email = $1 OR EXISTS (SELECT 1 FROM m JOIN g ON g.id = m.group_id WHERE m.member_id = t.id AND g.id = $2))", sql);
    }

    [Theory]
    [InlineData("groups[0][x]=y", "Invalid request: Expected type: 'string' for field 'groups, 0', got: '[object Object]'")]
    [InlineData("groups[created_at][$gte]=x", "Invalid request: Expected type: 'date' for field 'groups, created_at, $gte', got: 'x'")]
    [InlineData("groups[id][$eq]=x", "Invalid request: Expected type: 'string, array' for field 'groups, id', got: '[object Object]'")]
    public void Bad_values_are_400(string query, string message)
    {
        var parsed = QueryStringParser.Parse(query).Value;

        Assert.Equal(message, Schema.Validate(parsed)?.Message);
    }

    private static Filter Parse(string query)
    {
        var parsed = QueryStringParser.Parse(query).Value;
        Assert.Null(Schema.Validate(parsed));
        return Set.Parse(parsed).Value;
    }
}
