using Npgsql;

namespace Customers.Host.ReadModel.Search;

/// <summary>
/// The planner statistics of the customer columns <c>q</c> searches, for <see cref="SearchProbe"/>: read from
/// <c>pg_stats</c> (what the last <c>ANALYZE</c> sampled, so nothing is scanned) and reused for
/// <see cref="RefreshInterval"/>. Columns never analyzed are missing from the list.
/// </summary>
internal sealed class CustomerSearchStatistics(NpgsqlDataSource database, TimeProvider time)
{
    /// <summary>
    /// How long loaded statistics are used. They only steer which word the index looks up, never the result, and
    /// autovacuum re-analyzes a table only after a good part of it changed.
    /// </summary>
    public static readonly TimeSpan RefreshInterval = TimeSpan.FromMinutes(5);

    private const string Query =
        """
        SELECT null_frac, most_common_vals::text::text[], most_common_freqs, histogram_bounds::text::text[]
        FROM pg_stats
        WHERE schemaname = current_schema() AND tablename = 'customer' AND attname = ANY($1) AND NOT inherited
        """;

    private readonly Lock _gate = new();
    private Lazy<Task<IReadOnlyList<ColumnTextStatistics>>>? _loading;
    private DateTimeOffset _loadedAt;

    /// <summary>The statistics, loaded at most once per <see cref="RefreshInterval"/> (again after a failed load).</summary>
    public Task<IReadOnlyList<ColumnTextStatistics>> GetAsync(CancellationToken ct)
    {
        Lazy<Task<IReadOnlyList<ColumnTextStatistics>>> loading;
        lock (_gate)
        {
            var now = time.GetUtcNow();
            if (_loading is null || now - _loadedAt >= RefreshInterval || _loading is { IsValueCreated: true, Value: { IsCompleted: true, IsCompletedSuccessfully: false } })
            {
                // Lazy: the load starts outside the lock, once, for every caller that finds it here.
                _loading = new(LoadAsync);
                _loadedAt = now;
            }

            loading = _loading;
        }

        return loading.Value.WaitAsync(ct);
    }

    // Shared by concurrent callers, so no single caller's cancellation stops it.
    private async Task<IReadOnlyList<ColumnTextStatistics>> LoadAsync()
    {
        await using var command = database.CreateCommand(Query);
        command.Parameters.Add(new NpgsqlParameter { Value = CustomerReadModel.SearchedColumns.ToArray() });
        await using var reader = await command.ExecuteReaderAsync();
        var columns = new List<ColumnTextStatistics>(CustomerReadModel.SearchedColumns.Count);
        while (await reader.ReadAsync())
        {
            columns.Add(new ColumnTextStatistics(
                reader.GetFloat(0),
                reader.IsDBNull(1) ? [] : reader.GetFieldValue<string[]>(1),
                reader.IsDBNull(2) ? [] : reader.GetFieldValue<double[]>(2),
                reader.IsDBNull(3) ? [] : reader.GetFieldValue<string[]>(3)));
        }

        return columns;
    }
}
