using System.Data.Common;
using System.Text.Json;
using Customers.Abstractions.Errors;
using Customers.Host.Database;
using Customers.Medusa;
using Npgsql;
using NpgsqlTypes;

namespace Customers.Host.ReadModel.Sql;

/// <summary>One page of a list and the number of rows matching its filter (ignoring limit and offset).</summary>
internal sealed record ReadPage<T>(IReadOnlyList<T> Items, long Count);

/// <summary>
/// How <see cref="SqlPage"/> reads a page of a large table: the page's keys first (<paramref name="Alias"/>.<paramref
/// name="KeyColumn"/>, e.g. <c>c.id</c>; an index skips the offset), then only those rows. The count is exact when the
/// planner expects at most <paramref name="ExactCountUpTo"/> matches, and the planner's estimate otherwise.
/// </summary>
internal sealed record SqlPageStrategy(string Alias, string KeyColumn, long ExactCountUpTo)
{
    /// <summary>The key column with the table alias, e.g. <c>c.id</c>.</summary>
    public string Key => $"{Alias}.{KeyColumn}";

    /// <summary>Where a deep page starts without stepping over all <c>offset</c> rows (none: a plain offset).</summary>
    public SqlSeek? Seek { get; init; }

    /// <summary>A statement answering the exact count cheaply (e.g. from maintained counters), instead of counting.</summary>
    public string? ExactCount { get; init; }

    /// <summary>
    /// Another source of the page's keys, listing exactly the rows the list's WHERE keeps in the same order (e.g. an
    /// index of a related table); the page and an exact count are then read from it.
    /// </summary>
    public SqlKeySource? Keys { get; init; }

    /// <summary>
    /// For filters the planner believes cheaper per row than they are (<c>ILIKE</c> over several columns): a statement
    /// answering the table's row count, so that a page past <see cref="SqlPage.SparseCheckFromOffset"/> is sorted from
    /// the matches when they are sparse, rather than found by walking the order's index past every non-match.
    /// </summary>
    public string? SparseMatchTotal { get; init; }
}

/// <summary>
/// The keys of a list's rows as <c>SELECT Key FROM From WHERE Where ORDER BY OrderBy</c>: SQL from code, values as
/// parameters.
/// </summary>
internal sealed record SqlKeySource(string From, string Where, string Key, string OrderBy);

/// <summary>
/// A start for a deep page: <paramref name="With"/> (a <c>WITH</c> clause the other two may use) finds it,
/// <paramref name="Bound"/> restricts the keys to those at or after it in list order, and <paramref name="Offset"/>
/// is the number of rows left to skip from there. All three are SQL from code; values travel as parameters.
/// </summary>
internal sealed record SqlSeek(string With, string Bound, string Offset);

/// <summary>Reads one page of a filtered list and its count.</summary>
internal static class SqlPage
{
    /// <summary>
    /// Runs <c>select WHERE where ORDER BY orderBy LIMIT/OFFSET</c> and counts the rows matching <paramref name="where"/>
    /// (exactly, or as <paramref name="strategy"/> says) in one batch, so both see the same WHERE and parameters.
    /// PostgreSQL data exceptions raised by filter values (a broken <c>$re</c> pattern, a <c>$like</c> ending in a lone
    /// backslash, a NUL character) are the caller's mistake: they become <see cref="ErrorKind.InvalidData"/> (400), not
    /// Medusa's 500.
    /// </summary>
    public static async Task<ReadPage<T>> ReadAsync<T>(
        ListDatabase lists, string select, string from, string where, string orderBy, SqlParameters parameters,
        ListQuery page, Func<DbDataReader, T> read, CancellationToken ct, SqlPageStrategy? strategy = null)
    {
        var limit = parameters.Add(page.Limit, NpgsqlDbType.Integer);
        var offset = parameters.Add(page.Offset, NpgsqlDbType.Integer);
        await using var connection = await lists.Source.OpenConnectionAsync(ct);
        try
        {
            if (strategy is null)
            {
                return await QueryAsync(connection, parameters, read,
                    $"{select} WHERE {where} ORDER BY {orderBy} LIMIT {limit} OFFSET {offset}",
                    $"SELECT count(*) FROM {from} WHERE {where}", ct);
            }

            (long Matches, long Total)? estimate = strategy.SparseMatchTotal is { } totalSql && strategy is { Seek: null, Keys: null }
                                                   && page.Offset >= SparseCheckFromOffset
                ? await EstimateAsync(connection, from, where, parameters, totalSql, ct)
                : null;
            var rows = $"""
                        {strategy.Seek?.With}
                        {select}
                        JOIN ({PageKeys(strategy, from, where, orderBy, limit, offset, page, estimate)}) page
                          ON page.page_key = {strategy.Key}
                        ORDER BY {orderBy}
                        """;
            var countSql = strategy switch
            {
                { ExactCount: { } exact } => exact,
                { Keys: { } source } => $"SELECT count(*) FROM {source.From} WHERE {source.Where}",
                _ when estimate is not null => null,
                _ => Explain(from, where),
            };
            var result = await QueryAsync(connection, parameters, read, rows, countSql, ct);
            return strategy is { ExactCount: null, Keys: null }
                ? result with
                {
                    Count = await CountLargeAsync(connection, from, where, parameters, page, result.Items.Count,
                        estimate?.Matches ?? result.Count, strategy, ct),
                }
                : result;
        }
        catch (PostgresException error) when (error.SqlState == PostgresErrorCodes.QueryCanceled)
        {
            throw new CustomersException(
                ErrorKind.StorageUnavailable, "The list took longer than its time limit. Narrow the filters or retry the request.");
        }
        catch (PostgresException error) when (error.SqlState.StartsWith("22", StringComparison.Ordinal))
        {
            throw CustomersException.InvalidData($"Invalid filter value: {error.MessageText}");
        }
    }

    /// <summary>The offset from which <see cref="SqlPageStrategy.SparseMatchTotal"/> is consulted.</summary>
    public const int SparseCheckFromOffset = 1_000;

    /// <summary>
    /// The page's keys. Normally in the order's index (or from the seek or key source); when the planner expects few
    /// matches compared with the rows an index walk to the page would step over ((offset + limit) / (matches / total)
    /// rows, each one checked against the filter), the matches are read first and sorted: the subquery's
    /// <c>OFFSET 0</c> keeps the planner from walking the order's index for them.
    /// </summary>
    private static string PageKeys(
        SqlPageStrategy strategy, string from, string where, string orderBy, string limit, string offset, ListQuery page,
        (long Matches, long Total)? estimate)
    {
        if (strategy.Keys is { } keys)
        {
            return $"SELECT {keys.Key} AS page_key FROM {keys.From} WHERE {keys.Where} ORDER BY {keys.OrderBy} LIMIT {limit} OFFSET {offset}";
        }

        if (estimate is var (matches, total) && (page.Offset + (double)page.Limit) * total > (double)matches * matches)
        {
            return $"SELECT {strategy.Key} AS page_key FROM (SELECT * FROM {from} WHERE {where} OFFSET 0) AS {strategy.Alias} " +
                   $"ORDER BY {orderBy} LIMIT {limit} OFFSET {offset}";
        }

        var seek = strategy.Seek;
        return $"SELECT {strategy.Key} AS page_key FROM {from} WHERE {where}{(seek is null ? "" : " AND " + seek.Bound)} " +
               $"ORDER BY {orderBy} LIMIT {limit} OFFSET {seek?.Offset ?? offset}";
    }

    /// <summary>
    /// Reads the rows of <paramref name="rowsSql"/> and the number <paramref name="countSql"/> answers (a count, or an
    /// EXPLAIN whose planned rows are taken; none: 0) in one round trip.
    /// </summary>
    private static async Task<ReadPage<T>> QueryAsync<T>(
        NpgsqlConnection connection, SqlParameters parameters, Func<DbDataReader, T> read, string rowsSql, string? countSql,
        CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(Command(parameters, rowsSql));
        if (countSql is not null)
        {
            batch.BatchCommands.Add(Command(parameters, countSql));
        }

        var items = new List<T>();
        await using var reader = await batch.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            items.Add(read(reader));
        }

        if (countSql is null || !await reader.NextResultAsync(ct) || !await reader.ReadAsync(ct))
        {
            return new ReadPage<T>(items, 0);
        }

        return new ReadPage<T>(items, reader.GetFieldType(0) == typeof(string) ? PlannedRows(reader.GetString(0)) : reader.GetInt64(0));
    }

    /// <summary>The planner's estimate of the rows <paramref name="where"/> matches, and the table's rows.</summary>
    private static async Task<(long Matches, long Total)> EstimateAsync(
        NpgsqlConnection connection, string from, string where, SqlParameters parameters, string totalSql, CancellationToken ct)
    {
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(Command(parameters, Explain(from, where)));
        batch.BatchCommands.Add(Command(parameters, totalSql));
        await using var reader = await batch.ExecuteReaderAsync(ct);
        await reader.ReadAsync(ct);
        var matches = PlannedRows(reader.GetString(0));
        await reader.NextResultAsync(ct);
        await reader.ReadAsync(ct);
        return (matches, reader.GetInt64(0));
    }

    /// <summary>
    /// The count of a large list from the planner's estimate: a page that ends early gives the exact count for free;
    /// otherwise, when the planner expects few matches, they are counted (up to the cap, so a wrong estimate costs at
    /// most that); past the cap the estimate stands, never below what is known to exist. Counting every match of a
    /// broad filter (a common name, a date range) would cost tens of milliseconds per request at a million rows.
    /// </summary>
    private static async Task<long> CountLargeAsync(
        NpgsqlConnection connection, string from, string where, SqlParameters parameters, ListQuery page, int returned,
        long estimate, SqlPageStrategy strategy, CancellationToken ct)
    {
        var known = page.Offset + (long)returned;
        // Fewer rows than asked for: the list ends on this page (unless the page starts past its end).
        if (returned < page.Limit && (returned > 0 || page.Offset == 0))
        {
            return known;
        }

        if (estimate > strategy.ExactCountUpTo)
        {
            return Math.Max(estimate, known);
        }

        await using var count = new NpgsqlCommand(
            $"SELECT count(*) FROM (SELECT 1 FROM {from} WHERE {where} LIMIT {strategy.ExactCountUpTo + 1}) capped", connection);
        parameters.CopyTo(count.Parameters);
        var counted = (long)(await count.ExecuteScalarAsync(ct))!;
        return counted > strategy.ExactCountUpTo ? Math.Max(Math.Max(estimate, counted), known) : counted;
    }

    /// <summary>The planner's plan for the rows <paramref name="where"/> matches; its "Plan Rows" is the estimate.</summary>
    private static string Explain(string from, string where) => $"EXPLAIN (FORMAT JSON) SELECT 1 FROM {from} WHERE {where}";

    private static NpgsqlBatchCommand Command(SqlParameters parameters, string sql)
    {
        var command = new NpgsqlBatchCommand(sql);
        parameters.CopyTo(command.Parameters);
        return command;
    }

    private static long PlannedRows(string plan)
    {
        using var json = JsonDocument.Parse(plan);
        return (long)json.RootElement[0].GetProperty("Plan").GetProperty("Plan Rows").GetDouble();
    }
}
