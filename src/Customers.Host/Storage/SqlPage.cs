using System.Data.Common;
using System.Text.Json;
using Customers.Abstractions.Errors;
using Customers.Host.Http.Medusa;
using Npgsql;
using NpgsqlTypes;

namespace Customers.Host.Storage;

/// <summary>One page of a list and the number of rows matching its filter (ignoring limit and offset).</summary>
internal sealed record ReadPage<T>(IReadOnlyList<T> Items, long Count);

/// <summary>
/// How <see cref="SqlPage"/> reads a page of a large table: the page's keys first (<paramref name="Key"/>, e.g.
/// <c>c.id</c>; an index-only scan skips the offset), then only those rows. The count is exact when the planner
/// expects at most <paramref name="ExactCountUpTo"/> matches, and the planner's estimate otherwise.
/// </summary>
internal sealed record SqlPageStrategy(string Key, long ExactCountUpTo)
{
    /// <summary>Where a deep page starts without stepping over all <c>offset</c> rows (none: a plain offset).</summary>
    public SqlSeek? Seek { get; init; }

    /// <summary>A statement answering the exact count cheaply (e.g. from maintained counters), instead of counting.</summary>
    public string? ExactCount { get; init; }

    /// <summary>
    /// Another source of the page's keys, listing exactly the rows the list's WHERE keeps in the same order (e.g. an
    /// index of a related table); the page and an exact count are then read from it.
    /// </summary>
    public SqlKeySource? Keys { get; init; }
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
        NpgsqlDataSource database, string select, string from, string where, string orderBy, SqlParameters parameters,
        ListQuery page, Func<DbDataReader, T> read, CancellationToken ct, SqlPageStrategy? strategy = null)
    {
        var limit = parameters.Add(page.Limit, NpgsqlDbType.Integer);
        var offset = parameters.Add(page.Offset, NpgsqlDbType.Integer);
        var seek = strategy?.Seek;
        var keys = strategy?.Keys;
        var pageKeys = keys is not null
            ? $"SELECT {keys.Key} AS page_key FROM {keys.From} WHERE {keys.Where} ORDER BY {keys.OrderBy} LIMIT {limit} OFFSET {offset}"
            : $"SELECT {strategy?.Key} AS page_key FROM {from} WHERE {where}{(seek is null ? "" : " AND " + seek.Bound)} " +
              $"ORDER BY {orderBy} LIMIT {limit} OFFSET {seek?.Offset ?? offset}";

        await using var connection = await database.OpenConnectionAsync(ct);
        await using var batch = new NpgsqlBatch(connection);
        batch.BatchCommands.Add(Command(parameters, strategy is null
            ? $"{select} WHERE {where} ORDER BY {orderBy} LIMIT {limit} OFFSET {offset}"
            : $"""
              {seek?.With}
              {select}
              JOIN ({pageKeys}) page
                ON page.page_key = {strategy.Key}
              ORDER BY {orderBy}
              """));
        batch.BatchCommands.Add(Command(parameters, strategy switch
        {
            null => $"SELECT count(*) FROM {from} WHERE {where}",
            { ExactCount: { } exact } => exact,
            { Keys: { } source } => $"SELECT count(*) FROM {source.From} WHERE {source.Where}",
            _ => $"EXPLAIN (FORMAT JSON) SELECT 1 FROM {from} WHERE {where}",
        }));

        try
        {
            var items = new List<T>(Math.Min(page.Limit, 1000));
            long count;
            await using (var reader = await batch.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    items.Add(read(reader));
                }

                await reader.NextResultAsync(ct);
                await reader.ReadAsync(ct);
                count = strategy is null or { ExactCount: not null } or { Keys: not null } ? reader.GetInt64(0) : PlannedRows(reader.GetString(0));
            }

            if (strategy is { ExactCount: null, Keys: null })
            {
                count = await CountLargeAsync(connection, from, where, parameters, page, items.Count, count, strategy, ct);
            }

            return new ReadPage<T>(items, count);
        }
        catch (PostgresException error) when (error.SqlState.StartsWith("22", StringComparison.Ordinal))
        {
            throw CustomersException.InvalidData($"Invalid filter value: {error.MessageText}");
        }
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
