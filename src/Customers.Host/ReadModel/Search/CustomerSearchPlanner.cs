using Customers.Medusa;

namespace Customers.Host.ReadModel.Search;

/// <summary>
/// Gives each customer search (<see cref="Filter.Search"/>, nested in <c>$and</c>/<c>$or</c> too) its probe word
/// (<see cref="SearchProbe"/>), chosen with the customer table's statistics, before the filter becomes SQL: the search
/// becomes a <see cref="ProbedSearch"/>, a node only the storage side knows.
/// </summary>
internal sealed class CustomerSearchPlanner(CustomerSearchStatistics statistics)
{
    /// <summary><paramref name="filter"/> with probes on its searches; statistics are read only when a search needs one.</summary>
    public async ValueTask<Filter> PrepareAsync(Filter filter, CancellationToken ct) =>
        filter.AnyPart(part => part is Filter.Search) ? WithProbes(filter, await statistics.GetAsync(ct)) : filter;

    /// <summary>Probes every search where a word is worth it (the others stay plain searches).
    /// <see cref="Filter.Related"/> is left alone: it searches another table, which these statistics do not describe.</summary>
    internal static Filter WithProbes(Filter filter, IReadOnlyCollection<ColumnTextStatistics> columns) => filter switch
    {
        Filter.Search search => SearchProbe.Choose(search.Text, columns) is { } probe ? new ProbedSearch(search.Text, probe) : search,
        Filter.And and => new Filter.And([.. and.Parts.Select(part => WithProbes(part, columns))]),
        Filter.Or or => new Filter.Or([.. or.Parts.Select(part => WithProbes(part, columns))]),
        _ => filter,
    };
}

/// <summary>
/// A search whose matches all contain <paramref name="Probe"/>, a literal word of <paramref name="Text"/>: the trigram
/// index looks up only the probe and the whole pattern is checked on the rows found, with the same result as the plain
/// <see cref="Filter.Search"/>. A storage hint, so it lives here rather than in the wire layer's query tree.
/// </summary>
internal sealed record ProbedSearch(string Text, string Probe) : Filter;
