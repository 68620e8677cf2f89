using Customers.Host.Http.Medusa;

namespace Customers.Host.Storage;

/// <summary>
/// Gives each customer search (<see cref="Filter.Search"/>, nested in <c>$and</c>/<c>$or</c> too) its probe word
/// (<see cref="SearchProbe"/>), chosen with the customer table's statistics, before the filter becomes SQL.
/// </summary>
internal sealed class CustomerSearchPlanner(CustomerSearchStatistics statistics)
{
    /// <summary><paramref name="filter"/> with probes on its searches; statistics are read only when a search needs one.</summary>
    public async ValueTask<Filter> PrepareAsync(Filter filter, CancellationToken ct) =>
        filter.AnyPart(part => part is Filter.Search { Probe: null }) ? WithProbes(filter, await statistics.GetAsync(ct)) : filter;

    /// <summary>Sets the probe of every search that has none (it stays null where no word is worth it).
    /// <see cref="Filter.Related"/> is left alone: it searches another table, which these statistics do not describe.</summary>
    internal static Filter WithProbes(Filter filter, IReadOnlyCollection<ColumnTextStatistics> columns) => filter switch
    {
        Filter.Search { Probe: null } search => search with { Probe = SearchProbe.Choose(search.Text, columns) },
        Filter.And and => new Filter.And([.. and.Parts.Select(part => WithProbes(part, columns))]),
        Filter.Or or => new Filter.Or([.. or.Parts.Select(part => WithProbes(part, columns))]),
        _ => filter,
    };
}
