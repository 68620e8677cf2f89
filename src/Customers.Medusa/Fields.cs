using System.Collections.Concurrent;
using System.Text.Json.Nodes;

namespace Customers.Medusa;

/// <summary>One top-level key of a response, as chosen by <c>fields</c>.</summary>
/// <param name="Name">The key (<c>email</c>, <c>addresses</c>).</param>
/// <param name="IsRelation">True for <c>*rel</c>, <c>rel.*</c> and <c>rel.col</c>.</param>
/// <param name="Columns">For a relation: the columns asked for with <c>rel.col</c>, or null for all of them.</param>
public sealed record SelectedField(string Name, bool IsRelation, IReadOnlyList<string>? Columns);

/// <summary>The outcome of the <c>fields</c> algorithm: which keys a response holds, in order.</summary>
public sealed class FieldSelection
{
    private readonly Dictionary<string, SelectedField> _byName;

    internal FieldSelection(IReadOnlyList<SelectedField> fields, bool isDefault)
    {
        Fields = fields;
        IsDefault = isDefault;
        _byName = new Dictionary<string, SelectedField>(fields.Count, StringComparer.Ordinal);
        foreach (var field in fields)
        {
            _byName[field.Name] = field;
        }
    }

    /// <summary>
    /// True when the request had no <c>fields</c>: the route's default shape applies, so the caller may serialize its
    /// default DTO directly and skip <see cref="Fields.Project"/>.
    /// </summary>
    public bool IsDefault { get; }

    /// <summary>The keys in response order.</summary>
    public IReadOnlyList<SelectedField> Fields { get; }

    /// <summary>True when the response has this top-level key (column or relation): load the relation only then.</summary>
    public bool Includes(string name) => _byName.ContainsKey(name);

    /// <summary>The entry for a top-level key, or null.</summary>
    public SelectedField? Find(string name) => _byName.GetValueOrDefault(name);
}

/// <summary>
/// A route's <c>fields</c> configuration (docs/medusa-compatibility.md §2.7): its default field list and, for store
/// routes, the allow-list. Create one per route at startup; <see cref="Select(string?)"/> caches the selections of
/// recent <c>fields</c> values.
/// </summary>
public sealed class FieldRules
{
    private const int MaxCachedSelections = 256;
    private const int MaxCachedFieldsLength = 512;

    private readonly HashSet<string>? _allowed;
    private readonly ConcurrentDictionary<string, FieldSelection> _cache = new(StringComparer.Ordinal);
    private int _cachedCount;

    /// <param name="defaults">Medusa's default field list, e.g. <c>id, email, ..., *addresses</c>.</param>
    /// <param name="allowed">
    /// Store routes' allow-list (entries not on it are dropped silently); null for admin routes, which accept anything.
    /// </param>
    public FieldRules(IEnumerable<string> defaults, IEnumerable<string>? allowed = null)
    {
        Defaults = defaults.ToArray();
        _allowed = allowed is null ? null : new HashSet<string>(allowed, StringComparer.Ordinal);
        Default = Fields.BuildSelection(Defaults, isDefault: true);
    }

    public IReadOnlyList<string> Defaults { get; }

    /// <summary>The allow-list, or null; also the store routes' allow-list for <c>order</c> (<see cref="ListQuery.Parse"/>).</summary>
    public IReadOnlyCollection<string>? Allowed => _allowed;

    /// <summary>The selection when <c>fields</c> is absent (<see cref="FieldSelection.IsDefault"/> is true).</summary>
    public FieldSelection Default { get; }

    /// <summary>The selection for a raw <c>fields</c> value; null means absent.</summary>
    public FieldSelection Select(string? fields)
    {
        if (fields is null)
        {
            return Default;
        }

        if (_cache.TryGetValue(fields, out var cached))
        {
            return cached;
        }

        var selection = Fields.Select(Defaults, _allowed, fields);

        // Bounded, so a client sending ever-new values cannot grow it; ConcurrentDictionary.Count would take every lock.
        if (fields.Length <= MaxCachedFieldsLength
            && Volatile.Read(ref _cachedCount) < MaxCachedSelections
            && _cache.TryAdd(fields, selection))
        {
            Interlocked.Increment(ref _cachedCount);
        }

        return selection;
    }

    /// <summary>
    /// The selection for a parsed query's <c>fields</c>. A non-string value (e.g. <c>fields=a&amp;fields=b</c>) is the
    /// 400 Medusa gives: <c>Expected type: 'string' for field 'fields', got: 'a,b'</c>.
    /// </summary>
    public MedusaResult<FieldSelection> Select(JsonObject query)
    {
        if (!query.TryGetPropertyValue("fields", out var node))
        {
            return Default;
        }

        var fields = Validation.AsString(node);
        return fields is null
            ? Validation.Fail(Validation.ExpectedType("string", "fields", node))
            : Select(fields);
    }
}

/// <summary>The <c>fields</c> algorithm and the projection it drives.</summary>
public static class Fields
{
    /// <summary>
    /// Computes the field set for <paramref name="fields"/> (null: the defaults).
    /// <list type="number">
    /// <item>Split on <c>,</c>, dropping empty entries.</item>
    /// <item>If no entry remains, or any entry has no modifier (<c>+</c>, <c>-</c>, space, <c>*</c> prefix or <c>.*</c>
    /// suffix), the defaults are replaced by the entries with one leading <c>+</c>, <c>-</c> or space removed
    /// (so <c>fields=id,-email</c> selects email).</item>
    /// <item>Otherwise, in order: <c>+x</c>/<c> x</c> adds x; <c>-x</c> removes x, <c>*x</c> and entries starting with
    /// <c>x.</c>; <c>*rel</c>/<c>rel.*</c> adds the relation with all its columns.</item>
    /// <item><c>id</c> is always added.</item>
    /// <item>With an allow-list, entries not on it are dropped silently (a relation <c>*rel</c> must be listed exactly;
    /// <c>a.b</c> is allowed when <c>a.b</c> or <c>a</c> is).</item>
    /// </list>
    /// </summary>
    public static FieldSelection Select(IReadOnlyList<string> defaults, IReadOnlyCollection<string>? allowed, string? fields)
    {
        if (fields is null)
        {
            return BuildSelection(defaults, isDefault: true);
        }

        var entries = fields.Split(',', StringSplitOptions.RemoveEmptyEntries);
        var replace = entries.Length == 0 || entries.Any(entry => !HasModifier(entry));

        var set = new List<string>(defaults.Count + entries.Length + 1);
        if (replace)
        {
            foreach (var entry in entries)
            {
                AddOnce(set, entry[0] is '+' or '-' or ' ' ? entry[1..] : entry);
            }
        }
        else
        {
            set.AddRange(defaults.Distinct(StringComparer.Ordinal));
            foreach (var entry in entries)
            {
                if (entry[0] is '+' or ' ')
                {
                    var trimmed = entry.Trim();
                    AddOnce(set, trimmed.StartsWith('+') ? trimmed[1..] : trimmed);
                }
                else if (entry[0] == '-')
                {
                    var removed = entry[1..];
                    set.RemoveAll(existing =>
                        existing == removed || existing == "*" + removed || existing.StartsWith(removed + ".", StringComparison.Ordinal));
                }
                else
                {
                    AddOnce(set, entry);
                }
            }
        }

        AddOnce(set, "id");

        if (allowed is not null)
        {
            set.RemoveAll(entry => !IsAllowed(entry, allowed));
        }

        return BuildSelection(set, isDefault: false);
    }

    /// <summary>
    /// Builds the response object for <paramref name="selection"/> from <paramref name="full"/> (the entity with every
    /// column and every loaded relation). Keys follow the selection's order; a selected column missing from
    /// <paramref name="full"/> is left out; a selected relation missing from it becomes <c>[]</c> (e.g. <c>orders</c>).
    /// <para>
    /// <paramref name="full"/> is consumed: its nodes are moved into the result rather than deep-copied, so build a
    /// fresh one per response. <paramref name="relationAllColumns"/> gives the key order of <c>*rel</c> (e.g. all
    /// address columns); a relation not in it keeps its elements as they are.
    /// </para>
    /// </summary>
    public static JsonObject Project(
        JsonObject full,
        FieldSelection selection,
        IReadOnlyDictionary<string, IReadOnlyList<string>> relationAllColumns)
    {
        // Collect first, then detach everything with one Clear(): nodes can only move once they have no parent, and
        // Clear() is cheaper than removing the keys one by one.
        var fields = selection.Fields;
        var values = new JsonNode?[fields.Count];
        var present = new bool[fields.Count];
        for (var i = 0; i < fields.Count; i++)
        {
            present[i] = full.TryGetPropertyValue(fields[i].Name, out values[i]);
        }

        full.Clear();

        var result = new JsonObject();
        for (var i = 0; i < fields.Count; i++)
        {
            var field = fields[i];
            var isRelation = field.IsRelation || relationAllColumns.ContainsKey(field.Name);
            if (!isRelation)
            {
                if (present[i])
                {
                    result[field.Name] = values[i];
                }

                continue;
            }

            var columns = field.Columns ?? relationAllColumns.GetValueOrDefault(field.Name);
            result[field.Name] = present[i] ? ProjectRelation(values[i], columns) : new JsonArray();
        }

        return result;
    }

    internal static FieldSelection BuildSelection(IReadOnlyList<string> set, bool isDefault)
    {
        // Plain columns and rel.col first, in set order; then *rel / rel.* (Medusa appends star relations last).
        var ordered = new List<(string Name, bool IsRelation, List<string>? Columns)>();
        var index = new Dictionary<string, int>(StringComparer.Ordinal);
        var stars = new List<string>();
        foreach (var entry in set)
        {
            if (IsStar(entry))
            {
                stars.Add(entry.StartsWith('*') ? entry[1..] : entry[..^2]);
                continue;
            }

            var dot = entry.IndexOf('.');
            if (dot < 0)
            {
                if (!index.ContainsKey(entry))
                {
                    index[entry] = ordered.Count;
                    ordered.Add((entry, false, null));
                }

                continue;
            }

            var relation = entry[..dot];
            var column = entry[(dot + 1)..];
            if (index.TryGetValue(relation, out var at))
            {
                var existing = ordered[at];
                if (existing.IsRelation && existing.Columns is not null && !existing.Columns.Contains(column))
                {
                    existing.Columns.Add(column);
                }
                else if (!existing.IsRelation)
                {
                    // "rel" and "rel.col" together: Medusa loads the relation with the listed columns.
                    ordered[at] = (relation, true, [column]);
                }
            }
            else
            {
                index[relation] = ordered.Count;
                ordered.Add((relation, true, [column]));
            }
        }

        foreach (var star in stars)
        {
            // "*orders.items": we project one level, so it selects the orders relation.
            var dot = star.IndexOf('.');
            var relation = dot < 0 ? star : star[..dot];
            if (index.TryGetValue(relation, out var at))
            {
                ordered[at] = (relation, true, null);
            }
            else
            {
                index[relation] = ordered.Count;
                ordered.Add((relation, true, null));
            }
        }

        var fields = ordered.Select(f => new SelectedField(f.Name, f.IsRelation, f.Columns?.ToArray())).ToArray();
        return new FieldSelection(fields, isDefault);
    }

    private static bool HasModifier(string entry) =>
        entry[0] is '+' or '-' or ' ' or '*' || entry.EndsWith(".*", StringComparison.Ordinal);

    private static bool IsStar(string entry) => entry.StartsWith('*') || entry.EndsWith(".*", StringComparison.Ordinal);

    private static void AddOnce(List<string> set, string entry)
    {
        if (!set.Contains(entry))
        {
            set.Add(entry);
        }
    }

    private static bool IsAllowed(string entry, IReadOnlyCollection<string> allowed)
    {
        if (IsStar(entry))
        {
            var relation = entry.StartsWith('*') ? entry[1..] : entry[..^2];
            return allowed.Contains(relation);
        }

        if (allowed.Contains(entry))
        {
            return true;
        }

        var dot = entry.IndexOf('.');
        return dot > 0 && allowed.Contains(entry[..dot]);
    }

    private static JsonNode? ProjectRelation(JsonNode? value, IReadOnlyList<string>? columns)
    {
        switch (value)
        {
            case JsonArray array when columns is not null:
                var projected = new JsonArray();
                foreach (var element in array)
                {
                    projected.Add(element is JsonObject item ? PickColumns(item, columns) : element?.DeepClone());
                }

                return projected;
            case JsonObject single when columns is not null:
                return PickColumns(single, columns);
            default:
                // Null stays null; without a column list the related objects are kept whole.
                return value;
        }
    }

    private static JsonObject PickColumns(JsonObject item, IReadOnlyList<string> columns)
    {
        var values = new JsonNode?[columns.Count];
        var present = new bool[columns.Count];
        for (var i = 0; i < columns.Count; i++)
        {
            present[i] = item.TryGetPropertyValue(columns[i], out values[i]);
        }

        item.Clear();
        var picked = new JsonObject();
        for (var i = 0; i < columns.Count; i++)
        {
            if (present[i])
            {
                picked[columns[i]] = values[i];
            }
        }

        return picked;
    }
}
