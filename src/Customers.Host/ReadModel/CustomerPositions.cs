using Customers.Abstractions.Ids;
using Customers.Host.ReadModel.Sql;
using Customers.Medusa;
using NpgsqlTypes;

namespace Customers.Host.ReadModel;

/// <summary>
/// Shortcuts through <c>customer_position_bucket</c> (migrations 0011, 0015), which counts live customers per time
/// bucket in the same transaction as every change. For the lists those counters cover (no filter, or only
/// <c>has_account</c> and <c>created_at</c> ranges) the count is exact and costs a few rows, and a deep page in
/// <c>id</c> order (without a date range) or <c>created_at</c> order starts at the 65-second bucket holding its first
/// row (<c>customer_position_anchor</c>), so it skips only that bucket's rows instead of every row before it.
/// </summary>
internal static class CustomerPositions
{
    /// <summary>Below this offset skipping rows in the index is cheaper than finding the anchor.</summary>
    public const int SeekFromOffset = 10_000;

    /// <summary>The rows the counters can count: live customers, perhaps of one <c>has_account</c>, created in [From, Until).</summary>
    private sealed record CountedRows(bool? HasAccount, DateTimeOffset? From, DateTimeOffset? Until);

    /// <summary>
    /// <paramref name="strategy"/> with the shortcuts that apply to this filter and page (itself when none does). Adds
    /// the shortcuts' parameters to <paramref name="parameters"/>.
    /// </summary>
    public static SqlPageStrategy Apply(SqlPageStrategy strategy, Filter filter, ListQuery page, SqlParameters parameters)
    {
        if (Counted(filter) is not { } rows)
        {
            return strategy;
        }

        var account = parameters.Add(rows.HasAccount is { } value ? value : DBNull.Value, NpgsqlDbType.Boolean);
        string RankBefore(DateTimeOffset time) => $"customer_position_rank({account}, {parameters.Add(time, NpgsqlDbType.TimestampTz)})";
        var before = rows.From is { } from ? RankBefore(from) : "0";
        var through = rows.Until is { } until ? RankBefore(until) : $"customer_position_count({account})";

        // Rows ahead of the range in list order: created before it ascending, at or after its end descending.
        var ahead = page.Descending
            ? rows.Until is null ? "0" : $"customer_position_count({account}) - {through}"
            : before;
        var seekable = page.Offset >= SeekFromOffset && (page.OrderField is "created_at" || rows is { From: null, Until: null });
        return strategy with
        {
            ExactCount = $"SELECT {through} - {before}",
            Seek = seekable ? Seek(page, account, ahead, parameters) : null,
        };
    }

    /// <summary>
    /// The rows <paramref name="filter"/> keeps when the counters can count them: no condition, <c>has_account</c>
    /// equal to one value, and <c>created_at</c> bounds (<c>$gt</c>, <c>$gte</c>, <c>$lt</c>, <c>$lte</c>, compared as
    /// the millisecond they name, as <see cref="SqlFilter"/> does); null for anything else.
    /// </summary>
    private static CountedRows? Counted(Filter filter)
    {
        var rows = new CountedRows(null, null, null);
        foreach (var part in FilterConjuncts.Of(filter))
        {
            rows = part switch
            {
                Filter.Compare { Field: "has_account", Operator: FilterOperator.Eq, Value: bool value } when rows.HasAccount is null =>
                    rows with { HasAccount = value },
                Filter.Compare { Field: "created_at", Operator: FilterOperator.Gte, Value: DateTimeOffset time } => rows.From(time),
                Filter.Compare { Field: "created_at", Operator: FilterOperator.Gt, Value: DateTimeOffset time } =>
                    rows.From(SqlFilter.EndOfMillisecond(time)),
                Filter.Compare { Field: "created_at", Operator: FilterOperator.Lt, Value: DateTimeOffset time } => rows.Until(time),
                Filter.Compare { Field: "created_at", Operator: FilterOperator.Lte, Value: DateTimeOffset time } =>
                    rows.Until(SqlFilter.EndOfMillisecond(time)),
                _ => null,
            };
            if (rows is null)
            {
                return null;
            }
        }

        return rows;
    }

    private static CountedRows From(this CountedRows rows, DateTimeOffset time) =>
        rows with { From = rows.From is { } from && from > time ? from : time };

    private static CountedRows Until(this CountedRows rows, DateTimeOffset time) =>
        rows with { Until = rows.Until is { } until && until < time ? until : time };

    /// <summary>
    /// The start of a deep page: the anchor of row <c>ahead + offset</c> of the whole list (the rows of the date range
    /// are consecutive in <c>created_at</c> order), then the rows of the range to skip from the anchor bucket's edge:
    /// all rows between edge and target when the range began before the bucket, else <c>offset</c> itself.
    /// </summary>
    private static SqlSeek? Seek(ListQuery page, string account, string ahead, SqlParameters parameters)
    {
        // The anchor bucket's edge in list order, and the keys from that edge on.
        var (edge, comparison) = page.Descending ? ("until_ms", "<") : ("from_ms", ">=");
        (short SortKey, string Bound)? order = (page.OrderField ?? "id") switch
        {
            // Sort key 0: id, bucketed by the creation millisecond its ULID starts with.
            "id" => (0, $"c.id {comparison} {parameters.Add(EntityId.Customer + "_", NpgsqlDbType.Text)} || customer_id_time_prefix((SELECT {edge} FROM anchor))"),
            "created_at" => (1, $"c.created_at {comparison} timestamptz 'epoch' + (SELECT {edge} FROM anchor) * interval '1 millisecond'"),
            _ => null,
        };
        if (order is not var (sortKey, bound))
        {
            return null;
        }

        var offset = parameters.Add((long)page.Offset, NpgsqlDbType.Bigint);
        return new SqlSeek(
            $"""
             WITH ahead AS MATERIALIZED (SELECT {ahead} AS rows),
             anchor AS MATERIALIZED (
                 SELECT * FROM customer_position_anchor({parameters.Add(sortKey, NpgsqlDbType.Smallint)}, {account},
                                                        (SELECT rows FROM ahead) + {offset}, {parameters.Add(page.Descending, NpgsqlDbType.Boolean)}))
             """,
            bound,
            $"(SELECT {offset} + h.rows - greatest(a.before, h.rows) FROM anchor a, ahead h)");
    }
}
