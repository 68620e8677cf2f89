using System.Globalization;
using System.Text.Json.Nodes;

namespace Customers.Medusa;

/// <summary>What a list route's filter key accepts (docs/medusa-compatibility.md §2.8; each route's keys: §5-§8).</summary>
public enum FilterKind
{
    /// <summary><c>string | string[]</c>: exact, case-sensitive equality, or IN for an array.</summary>
    Text,

    /// <summary><see cref="Text"/>, or an operator map (Medusa's "op" fields).</summary>
    TextOperators,

    /// <summary>Like <see cref="TextOperators"/> on a timestamp column: every value must be a date; no pattern operators.</summary>
    TimestampOperators,

    /// <summary>Medusa's <c>booleanString()</c>: <c>"true"</c>/<c>"false"</c> in any letter case, or a boolean.</summary>
    Boolean,

    /// <summary>One string out of <see cref="FilterField.Values"/> (a zod enum).</summary>
    Enum,

    /// <summary>
    /// Accepted in any shape and matched by no row: for a relation whose rows cannot exist (yet).
    /// </summary>
    NoRows,

    /// <summary>
    /// A to-many relation (<c>groups</c> on customers, <c>customers</c> on groups): the row has at least one related
    /// row that matches. A string or an array of strings matches related ids; an object holds filters on the related
    /// entity's fields (<see cref="FilterField.Relation"/>), not strict: unknown keys are ignored.
    /// </summary>
    Relation,
}

/// <summary>One filter key of a list route.</summary>
/// <param name="Name">The query key, which is also the column name the storage layer maps.</param>
/// <param name="Kind">What it accepts.</param>
/// <param name="Values">For <see cref="FilterKind.Enum"/>: the allowed values.</param>
/// <param name="Relation">For <see cref="FilterKind.Relation"/>: the related entity's filter keys.</param>
public sealed record FilterField(string Name, FilterKind Kind, IReadOnlyList<string>? Values = null, FilterSet? Relation = null);

/// <summary>The comparison operators of Medusa's operator map. <c>$contains</c> is refused (it is <c>@&gt;</c>, which a
/// text column does not have: Medusa answers it with a 500).</summary>
public enum FilterOperator
{
    Eq,
    Ne,
    In,
    NotIn,
    Like,
    ILike,
    Regex,
    Gt,
    Gte,
    Lt,
    Lte,
}

/// <summary>A parsed list filter: what the rows must satisfy. The storage layer turns it into SQL with parameters.</summary>
public abstract record Filter
{
    /// <summary>A filter every row satisfies.</summary>
    public static readonly Filter All = new And([]);

    /// <summary>Whether this filter or a part of it under <c>AND</c>/<c>OR</c> satisfies <paramref name="predicate"/>
    /// (a <see cref="Related"/> filter's inner condition is about another table, so it is not searched).</summary>
    public bool AnyPart(Func<Filter, bool> predicate) => predicate(this) || this switch
    {
        And and => and.Parts.Any(part => part.AnyPart(predicate)),
        Or or => or.Parts.Any(part => part.AnyPart(predicate)),
        _ => false,
    };

    /// <summary>
    /// <c>field op value</c>. <see cref="Value"/> is a <see cref="string"/>, <see cref="bool"/> or <see cref="DateTimeOffset"/>;
    /// for <see cref="FilterOperator.In"/> and <see cref="FilterOperator.NotIn"/> an array of strings or timestamps.
    /// </summary>
    public sealed record Compare(string Field, FilterOperator Operator, object Value) : Filter;

    /// <summary>Every part holds (none: every row).</summary>
    public sealed record And(IReadOnlyList<Filter> Parts) : Filter;

    /// <summary>At least one part holds (never empty: an empty <c>$or</c> is ignored, as Medusa does).</summary>
    public sealed record Or(IReadOnlyList<Filter> Parts) : Filter;

    /// <summary><c>q</c>: <c>ILIKE '%text%'</c> over the searchable columns, with <c>%</c> and <c>_</c> left unescaped as in
    /// Medusa. An empty text matches every row.</summary>
    public sealed record Search(string Text) : Filter;

    /// <summary>Matched by no row.</summary>
    public sealed record NoRows : Filter;

    /// <summary>At least one row of <see cref="Relation"/> related to the row satisfies <see cref="Inner"/>.</summary>
    public sealed record Related(string Relation, Filter Inner) : Filter;
}

/// <summary>
/// A list route's filter keys (docs/medusa-compatibility.md §2.8-§2.9): equality filters (<c>email=a</c>,
/// <c>email[]=a&amp;email[]=b</c>), operator maps (<c>created_at[$gte]=2024-01-01</c>, <c>id[$nin][]=cus_x</c>),
/// <c>q</c>, and <c>$and</c>/<c>$or</c> arrays of filter objects. Validation (<see cref="Rules"/>, for the route's
/// <see cref="ObjectSchema"/>) and parsing (<see cref="Parse"/>) share one reading of each value, so whatever validates
/// parses.
/// <para>
/// As in Medusa, the keys inside an operator map and inside a <c>$and</c>/<c>$or</c> element are not strict: unknown
/// ones are ignored (nested <c>$and</c>/<c>$or</c> included). Stricter than Medusa (which answers 500): timestamps
/// must be dates, <c>$contains</c> and pattern operators on timestamps are a 400. <c>q</c> inside <c>$and</c>/<c>$or</c>
/// searches within that element (Medusa: 500).
/// </para>
/// </summary>
public sealed class FilterSet
{
    private const string SearchKey = "q";
    private const string AndKey = "$and";
    private const string OrKey = "$or";

    // How a relation filter given as ids (a string or an array) reads them: equality on the related rows' id.
    private static readonly FilterField RelatedIds = new("id", FilterKind.Text);

    private readonly Dictionary<string, FilterField> _fields;
    private readonly bool _search;
    private readonly bool _andOr;

    /// <param name="search">Whether the route takes <c>q</c>.</param>
    /// <param name="andOr">Whether the route takes <c>$and</c> and <c>$or</c>.</param>
    /// <param name="fields">The filter keys.</param>
    public FilterSet(bool search, bool andOr, params IEnumerable<FilterField> fields)
    {
        _search = search;
        _andOr = andOr;
        _fields = fields.ToDictionary(f => f.Name, StringComparer.Ordinal);
        var rules = new List<FieldRule>();
        if (search)
        {
            rules.Add(Field.String(SearchKey));
        }

        rules.AddRange(_fields.Values.Select(field =>
            Field.Custom(field.Name, (node, name) => Read(field, node, name, out _), JsonSchemas.Of(field))));
        if (andOr)
        {
            rules.Add(Field.Custom(AndKey, (node, name) => ReadGroup(node, name, out _), JsonSchemas.FilterGroup()));
            rules.Add(Field.Custom(OrKey, (node, name) => ReadGroup(node, name, out _), JsonSchemas.FilterGroup()));
        }

        Rules = rules;
    }

    /// <summary>The query keys this set reads, as schema rules (add them to <see cref="ListQuery.Schema"/>).</summary>
    public IReadOnlyList<FieldRule> Rules { get; }

    /// <summary>The filter of a query that passed <see cref="Rules"/>; keys this set does not know are ignored.</summary>
    public MedusaResult<Filter> Parse(JsonObject query)
    {
        var parts = new List<Filter>();
        if (ReadObject(query, topLevel: true, path: null, parts) is { } issue)
        {
            return Validation.Fail(issue);
        }

        return parts.Count == 1 ? parts[0] : new Filter.And(parts);
    }

    private string? ReadObject(JsonObject filters, bool topLevel, string? path, List<Filter> parts)
    {
        foreach (var (key, node) in filters)
        {
            var keyPath = path is null ? key : $"{path}, {key}";
            string? issue = null;
            Filter? filter = null;
            if (key == SearchKey && _search)
            {
                if (Validation.AsString(node) is not { } text)
                {
                    return Validation.ExpectedType("string", keyPath, node);
                }

                filter = new Filter.Search(text);
            }
            else if (_fields.TryGetValue(key, out var field))
            {
                issue = Read(field, node, keyPath, out filter);
            }
            else if (topLevel && _andOr && key is AndKey or OrKey)
            {
                issue = ReadGroup(node, keyPath, out filter, or: key == OrKey);
            }

            if (issue is not null)
            {
                return issue;
            }

            if (filter is not null)
            {
                parts.Add(filter);
            }
        }

        return null;
    }

    private string? ReadGroup(JsonNode? node, string path, out Filter? filter) =>
        ReadGroup(node, path, out filter, or: path == OrKey);

    private string? ReadGroup(JsonNode? node, string path, out Filter? filter, bool or)
    {
        filter = null;
        if (node is not JsonArray elements)
        {
            return Validation.ExpectedType("array", path, node);
        }

        var members = new List<Filter>(elements.Count);
        for (var i = 0; i < elements.Count; i++)
        {
            if (elements[i] is not JsonObject element)
            {
                return Validation.ExpectedType("object", Validation.Path(path, i), elements[i]);
            }

            var parts = new List<Filter>();
            if (ReadObject(element, topLevel: false, Validation.Path(path, i), parts) is { } issue)
            {
                return issue;
            }

            members.Add(parts.Count == 1 ? parts[0] : new Filter.And(parts));
        }

        if (members.Count > 0)
        {
            filter = members.Count == 1 ? members[0] : or ? new Filter.Or(members) : new Filter.And(members);
        }

        return null;
    }

    /// <summary>Reads one key's value; the issue text (Medusa's wording where it has one), or null with the filter
    /// (itself null when the value sets no condition, e.g. an operator map with only unknown operators).</summary>
    private static string? Read(FilterField field, JsonNode? node, string path, out Filter? filter)
    {
        filter = null;
        switch (field.Kind)
        {
            case FilterKind.NoRows:
                filter = new Filter.NoRows();
                return null;
            case FilterKind.Relation:
                return ReadRelation(field, node, path, out filter);
            case FilterKind.Boolean:
                if (!Validation.TryReadBooleanString(node, out var flag, out var boolIssue, path))
                {
                    return boolIssue;
                }

                filter = new Filter.Compare(field.Name, FilterOperator.Eq, flag);
                return null;
            case FilterKind.Enum:
                var text = Validation.AsString(node);
                if (text is null || !field.Values!.Contains(text, StringComparer.Ordinal))
                {
                    return text is null
                        ? Validation.ExpectedType("string", path, node)
                        : $"Invalid enum value. Expected {string.Join(" | ", field.Values!.Select(v => $"'{v}'"))}, received '{text}'";
                }

                filter = new Filter.Compare(field.Name, FilterOperator.Eq, text);
                return null;
            case FilterKind.Text:
                return ReadValues(field, node, path, FilterOperator.Eq, FilterOperator.In, "string, array", out filter);
            default:
                return node is JsonObject operators
                    ? ReadOperators(field, operators, path, out filter)
                    : ReadValues(field, node, path, FilterOperator.Eq, FilterOperator.In, "string, array, object", out filter);
        }
    }

    /// <summary>
    /// A relation filter: related ids (<c>groups=id</c>, <c>groups[]=id</c>, <c>groups[0]=id</c>) or an object of the
    /// related entity's filters (<c>groups[name]=VIP</c>, <c>customers[id]=cus_1</c>). An object that sets no condition
    /// (only unknown keys) is no filter.
    /// </summary>
    private static string? ReadRelation(FilterField field, JsonNode? node, string path, out Filter? filter)
    {
        filter = null;
        Filter? inner;
        if (node is JsonObject related)
        {
            var parts = new List<Filter>();
            if (field.Relation!.ReadObject(related, topLevel: false, path, parts) is { } issue)
            {
                return issue;
            }

            inner = parts.Count switch
            {
                0 => null,
                1 => parts[0],
                _ => new Filter.And(parts),
            };
        }
        else if (ReadValues(RelatedIds, node, path, FilterOperator.Eq, FilterOperator.In, "string, array, object", out inner) is { } issue)
        {
            return issue;
        }

        if (inner is not null)
        {
            filter = new Filter.Related(field.Name, inner);
        }

        return null;
    }

    /// <summary>A string (<paramref name="single"/>) or an array of strings (<paramref name="many"/>).</summary>
    private static string? ReadValues(
        FilterField field, JsonNode? node, string path, FilterOperator single, FilterOperator many, string expected, out Filter? filter)
    {
        filter = null;
        if (Validation.AsString(node) is { } text)
        {
            if (ReadScalar(field, text, path, node, out var value) is { } issue)
            {
                return issue;
            }

            filter = new Filter.Compare(field.Name, single, value);
            return null;
        }

        if (node is not JsonArray array)
        {
            return Validation.ExpectedType(expected, path, node);
        }

        return ReadArray(field, array, path, many, out filter);
    }

    private static string? ReadArray(FilterField field, JsonArray array, string path, FilterOperator op, out Filter? filter)
    {
        filter = null;
        var timestamps = field.Kind == FilterKind.TimestampOperators;
        var strings = timestamps ? null : new string[array.Count];
        var dates = timestamps ? new DateTimeOffset[array.Count] : null;
        for (var i = 0; i < array.Count; i++)
        {
            var elementPath = Validation.Path(path, i);
            if (Validation.AsString(array[i]) is not { } text)
            {
                return Validation.ExpectedType("string", elementPath, array[i]);
            }

            if (ReadScalar(field, text, elementPath, array[i], out var value) is { } issue)
            {
                return issue;
            }

            if (timestamps)
            {
                dates![i] = (DateTimeOffset)value;
            }
            else
            {
                strings![i] = text;
            }
        }

        filter = new Filter.Compare(field.Name, op, timestamps ? dates! : strings!);
        return null;
    }

    private static string? ReadOperators(FilterField field, JsonObject operators, string path, out Filter? filter)
    {
        filter = null;
        var parts = new List<Filter>();
        foreach (var (key, node) in operators)
        {
            var opPath = $"{path}, {key}";
            string? issue;
            Filter? part;
            switch (key)
            {
                case "$eq":
                    issue = ReadValues(field, node, opPath, FilterOperator.Eq, FilterOperator.In, "string, array", out part);
                    break;
                case "$ne":
                    issue = ReadValues(field, node, opPath, FilterOperator.Ne, FilterOperator.NotIn, "string, array", out part);
                    break;
                case "$in" or "$nin":
                    part = null;
                    issue = node is JsonArray list
                        ? ReadArray(field, list, opPath, key == "$in" ? FilterOperator.In : FilterOperator.NotIn, out part)
                        : Validation.ExpectedType("array", opPath, node);
                    break;
                case "$like" or "$ilike" or "$re" when field.Kind == FilterKind.TimestampOperators:
                case "$contains":
                    return $"Operator '{key}' is not supported for field '{path}'";
                case "$like" or "$ilike" or "$re" or "$gt" or "$gte" or "$lt" or "$lte":
                    part = null;
                    issue = Validation.AsString(node) is not { } text
                        ? Validation.ExpectedType("string", opPath, node)
                        : key == "$re" && text.Length > Validation.MaxPatternLength
                            // A long pattern is where a regular expression gets expensive; the statement timeout backs this up.
                            ? Validation.TooLong(opPath, Validation.MaxPatternLength)
                            : ReadValues(field, node, opPath, Operator(key), Operator(key), "string", out part);
                    break;
                default:
                    // Unknown operators are dropped silently, as Medusa's non-strict operator schema does.
                    continue;
            }

            if (issue is not null)
            {
                return issue;
            }

            parts.Add(part!);
        }

        if (parts.Count > 0)
        {
            filter = parts.Count == 1 ? parts[0] : new Filter.And(parts);
        }

        return null;
    }

    private static FilterOperator Operator(string key) => key switch
    {
        "$like" => FilterOperator.Like,
        "$ilike" => FilterOperator.ILike,
        "$re" => FilterOperator.Regex,
        "$gt" => FilterOperator.Gt,
        "$gte" => FilterOperator.Gte,
        "$lt" => FilterOperator.Lt,
        "$lte" => FilterOperator.Lte,
        _ => throw new ArgumentOutOfRangeException(nameof(key), key, "Not a single-value operator."),
    };

    /// <summary>One value: at most <see cref="Validation.MaxStringLength"/> characters; a date for timestamp fields.</summary>
    private static string? ReadScalar(FilterField field, string text, string path, JsonNode? node, out object value)
    {
        value = text;
        if (text.Length > Validation.MaxStringLength)
        {
            return Validation.TooLong(path, Validation.MaxStringLength);
        }

        if (field.Kind != FilterKind.TimestampOperators)
        {
            return null;
        }

        if (!DateTimeOffset.TryParse(
                text, CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal | DateTimeStyles.AdjustToUniversal, out var time))
        {
            return Validation.ExpectedType("date", path, node);
        }

        value = time;
        return null;
    }
}

/// <summary>Helpers for routes that read filters next to paging.</summary>
public static class FilterSetExtensions
{
    /// <summary>The list schema with this set's keys (strict: anything else is <c>Unrecognized fields</c>).</summary>
    public static ObjectSchema ListSchema(this FilterSet filters) => ListQuery.Schema.With(filters.Rules);
}
