using Customers.Host.ReadModel.Search;
using Customers.Medusa;
using Npgsql;
using NpgsqlTypes;

namespace Customers.Host.ReadModel.Sql;

/// <summary>A column a list query may filter or order by: its SQL (from code, never from a request) and its type.</summary>
internal sealed record SqlColumn(string Sql, NpgsqlDbType Type);

/// <summary>
/// A to-many relation a list may filter by (<see cref="Filter.Related"/>): <c>EXISTS (SELECT 1 FROM From WHERE
/// Correlation AND inner)</c>, where <paramref name="Inner"/> translates the condition on the related rows. All three
/// come from code; their table aliases must differ from the outer query's.
/// </summary>
internal sealed record SqlRelation(string From, string Correlation, SqlFilter Inner);

/// <summary>
/// The positional parameters (<c>$1</c>, <c>$2</c>, ...) of one statement. Request values only ever travel here; the
/// SQL text is assembled from constants and <see cref="SqlColumn"/>s.
/// </summary>
internal sealed class SqlParameters
{
    private readonly List<(object Value, NpgsqlDbType Type)> _values = [];

    public int Count => _values.Count;

    /// <summary>Adds a value and returns its placeholder.</summary>
    public string Add(object value, NpgsqlDbType type)
    {
        _values.Add((value, type));
        return "$" + _values.Count.ToString(System.Globalization.CultureInfo.InvariantCulture);
    }

    /// <summary>Adds the values to a command (a statement may leave some of them unused).</summary>
    public void CopyTo(NpgsqlParameterCollection parameters)
    {
        foreach (var (value, type) in _values)
        {
            parameters.Add(new NpgsqlParameter { Value = value, NpgsqlDbType = type });
        }
    }
}

/// <summary>
/// Turns a parsed <see cref="Filter"/> into a SQL condition over a fixed set of columns. Field names select a
/// <see cref="SqlColumn"/> from the table given here (an unknown name is a programming error, not a client one: the
/// route's <see cref="FilterSet"/> only lets known names through); every value becomes a parameter.
/// </summary>
internal sealed class SqlFilter(
    IReadOnlyDictionary<string, SqlColumn> columns,
    IReadOnlyList<string> searchColumns,
    IReadOnlyDictionary<string, SqlRelation>? relations = null)
{
    public IReadOnlyDictionary<string, SqlColumn> Columns => columns;

    public string Translate(Filter filter, SqlParameters parameters) => filter switch
    {
        Filter.Compare compare => Compare(compare, parameters),
        Filter.And { Parts.Count: 0 } => "TRUE",
        Filter.And and => "(" + string.Join(" AND ", and.Parts.Select(part => Translate(part, parameters))) + ")",
        Filter.Or or => "(" + string.Join(" OR ", or.Parts.Select(part => Translate(part, parameters))) + ")",
        Filter.Search { Text.Length: 0 } => "TRUE",
        Filter.Search search => Search(search.Text, null, parameters),
        ProbedSearch probed => Search(probed.Text, probed.Probe, parameters),
        Filter.NoRows => "FALSE",
        Filter.Related related => Related(related, parameters),
        _ => throw new InvalidOperationException($"Unknown filter {filter.GetType().Name}."),
    };

    /// <summary>
    /// <c>ORDER BY</c> for a page: the chosen column (NULLs last ascending, first descending, as PostgreSQL does), then
    /// <paramref name="tieBreaker"/> in the same direction, so pages never overlap and one <c>(column, id)</c> index
    /// serves both directions (read backwards for descending).
    /// </summary>
    public string OrderBy(ListQuery page, string defaultField, string tieBreaker)
    {
        var column = Column(page.OrderField ?? defaultField).Sql;
        var direction = page.Descending ? "DESC" : "ASC";
        return column == tieBreaker ? $"{column} {direction}" : $"{column} {direction}, {tieBreaker} {direction}";
    }

    private string Compare(Filter.Compare compare, SqlParameters parameters)
    {
        var column = Column(compare.Field);
        if (column.Type == NpgsqlDbType.TimestampTz)
        {
            return CompareTimestamp(column, compare, parameters);
        }

        switch (compare.Operator)
        {
            case FilterOperator.In:
                return $"{column.Sql} = ANY({parameters.Add(compare.Value, NpgsqlDbType.Array | column.Type)})";
            case FilterOperator.NotIn:
                // Like SQL's NOT IN, a NULL column matches neither IN nor NOT IN.
                return $"{column.Sql} <> ALL({parameters.Add(compare.Value, NpgsqlDbType.Array | column.Type)})";
            case FilterOperator.Like or FilterOperator.ILike or FilterOperator.Regex when column.Type != NpgsqlDbType.Text:
                throw new InvalidOperationException($"{compare.Operator} needs a text column, not {compare.Field}.");
        }

        var value = parameters.Add(compare.Value, column.Type);
        var op = compare.Operator switch
        {
            FilterOperator.Eq => "=",
            FilterOperator.Ne => "<>",
            FilterOperator.Like => "LIKE",
            FilterOperator.ILike => "ILIKE",
            FilterOperator.Regex => "~",
            FilterOperator.Gt => ">",
            FilterOperator.Gte => ">=",
            FilterOperator.Lt => "<",
            FilterOperator.Lte => "<=",
            _ => throw new InvalidOperationException($"Unknown operator {compare.Operator}."),
        };
        return $"{column.Sql} {op} {value}";
    }

    private string Related(Filter.Related related, SqlParameters parameters)
    {
        var relation = relations?.GetValueOrDefault(related.Relation)
            ?? throw new InvalidOperationException($"No relation for the filter field '{related.Relation}'.");
        return $"EXISTS (SELECT 1 FROM {relation.From} WHERE {relation.Correlation} AND {relation.Inner.Translate(related.Inner, parameters)})";
    }

    /// <summary>
    /// Timestamps are stored with microseconds but shown with milliseconds (docs/medusa-compatibility.md §2.11), so a
    /// value is compared as the millisecond it names: <c>created_at=&lt;a created_at the API answered&gt;</c> finds
    /// that row, and <c>$lte</c> of it includes it. Every form stays a plain range on the column, so its indexes still
    /// apply.
    /// </summary>
    private static string CompareTimestamp(SqlColumn column, Filter.Compare compare, SqlParameters parameters)
    {
        string From(DateTimeOffset value) => parameters.Add(value, NpgsqlDbType.TimestampTz);
        string Until(DateTimeOffset value) => parameters.Add(EndOfMillisecond(value), NpgsqlDbType.TimestampTz);
        string Within(DateTimeOffset value) => $"({column.Sql} >= {From(value)} AND {column.Sql} < {Until(value)})";
        string WithinAny(object values) => "(" + string.Join(" OR ", ((DateTimeOffset[])values).Select(Within).DefaultIfEmpty("FALSE")) + ")";

        return compare.Operator switch
        {
            FilterOperator.Eq => Within((DateTimeOffset)compare.Value),
            FilterOperator.Ne => $"NOT {Within((DateTimeOffset)compare.Value)}",
            FilterOperator.In => WithinAny(compare.Value),
            FilterOperator.NotIn => $"NOT {WithinAny(compare.Value)}",
            FilterOperator.Gt => $"{column.Sql} >= {Until((DateTimeOffset)compare.Value)}",
            FilterOperator.Gte => $"{column.Sql} >= {From((DateTimeOffset)compare.Value)}",
            FilterOperator.Lt => $"{column.Sql} < {From((DateTimeOffset)compare.Value)}",
            FilterOperator.Lte => $"{column.Sql} < {Until((DateTimeOffset)compare.Value)}",
            _ => throw new InvalidOperationException($"{compare.Operator} does not apply to the timestamp {compare.Field}."),
        };
    }

    /// <summary>
    /// The end (exclusive) of the millisecond <paramref name="value"/> names; a value with finer digits names its
    /// microsecond (PostgreSQL's precision).
    /// </summary>
    internal static DateTimeOffset EndOfMillisecond(DateTimeOffset value) =>
        value.Ticks % TimeSpan.TicksPerMillisecond == 0 ? value.AddMilliseconds(1) : value.AddTicks(TimeSpan.TicksPerMicrosecond);

    private string Search(string text, string? probeWord, SqlParameters parameters)
    {
        // Medusa's q: '%' + q + '%', with % and _ in q left as wildcards (docs/medusa-compatibility.md §2.9). The
        // pattern never ends in a lone escape character, because it always ends with '%'.
        var pattern = parameters.Add("%" + text + "%", NpgsqlDbType.Text);
        if (probeWord is null)
        {
            return AnyColumn(column => $"{column} ILIKE {pattern}");
        }

        // Every row matching the pattern contains the probe (a literal word of q), so the trigram indexes look up the
        // probe's few, rare trigrams and the pattern is checked on those rows only. `column || ''` is the same value
        // but no indexed expression: the planner cannot fold the pattern's common trigrams back into the index scan.
        var probe = parameters.Add("%" + probeWord + "%", NpgsqlDbType.Text);
        return $"({AnyColumn(column => $"{column} ILIKE {probe}")} AND {AnyColumn(column => $"({column} || '') ILIKE {pattern}")})";
    }

    private string AnyColumn(Func<string, string> condition) => "(" + string.Join(" OR ", searchColumns.Select(condition)) + ")";

    private SqlColumn Column(string field) =>
        columns.TryGetValue(field, out var column)
            ? column
            : throw new InvalidOperationException($"No column for the filter field '{field}'.");
}
