using Customers.Abstractions.Ids;
using Customers.Host.Http.Medusa;
using NpgsqlTypes;

namespace Customers.Host.Storage;

/// <summary>
/// Shortcuts through <c>customer_position_bucket</c> (migration 0011), which counts live customers per time bucket in
/// the same transaction as every change. For the lists those counters cover (no filter, or only <c>has_account</c>)
/// the count is exact and costs a few rows, and a deep page in <c>id</c> or <c>created_at</c> order starts at the
/// 65-second bucket holding its first row (<c>customer_position_anchor</c>), so it skips only that bucket's rows
/// instead of every row before it.
/// </summary>
internal static class CustomerPositions
{
    /// <summary>Below this offset skipping rows in the index is cheaper than finding the anchor.</summary>
    public const int SeekFromOffset = 10_000;

    /// <summary>
    /// <paramref name="strategy"/> with the shortcuts that apply to this filter and page (itself when none does). Adds
    /// the shortcuts' parameters to <paramref name="parameters"/>.
    /// </summary>
    public static SqlPageStrategy Apply(SqlPageStrategy strategy, Filter filter, ListQuery page, SqlParameters parameters)
    {
        if (!TryCounted(filter, out var hasAccount))
        {
            return strategy;
        }

        var account = parameters.Add(hasAccount is { } value ? value : DBNull.Value, NpgsqlDbType.Boolean);
        return strategy with
        {
            ExactCount = $"SELECT customer_position_count({account})",
            Seek = page.Offset >= SeekFromOffset ? Seek(page, account, parameters) : null,
        };
    }

    /// <summary>
    /// Whether the buckets count exactly the rows <paramref name="filter"/> keeps: none, or <c>has_account</c> equal to
    /// one value (<paramref name="hasAccount"/>; null: any).
    /// </summary>
    private static bool TryCounted(Filter filter, out bool? hasAccount)
    {
        hasAccount = null;
        foreach (var part in FilterConjuncts.Of(filter))
        {
            if (part is Filter.Compare { Field: "has_account", Operator: FilterOperator.Eq, Value: bool value } && hasAccount is null)
            {
                hasAccount = value;
            }
            else
            {
                return false;
            }
        }

        return true;
    }

    private static SqlSeek? Seek(ListQuery page, string account, SqlParameters parameters)
    {
        // The anchor bucket's edge in list order, and the keys from that edge on.
        var (edge, comparison) = page.Descending ? ("until_ms", "<") : ("from_ms", ">=");
        var (sortKey, bound) = (page.OrderField ?? "id") switch
        {
            // Sort key 0: id, bucketed by the creation millisecond its ULID starts with.
            "id" => (0, $"c.id {comparison} {parameters.Add(EntityId.Customer + "_", NpgsqlDbType.Text)} || customer_id_time_prefix((SELECT {edge} FROM anchor))"),
            "created_at" => (1, $"c.created_at {comparison} timestamptz 'epoch' + (SELECT {edge} FROM anchor) * interval '1 millisecond'"),
            _ => (-1, ""),
        };
        if (sortKey < 0)
        {
            return null;
        }

        var offset = parameters.Add((long)page.Offset, NpgsqlDbType.Bigint);
        return new SqlSeek(
            $"""
             WITH anchor AS MATERIALIZED (
                 SELECT * FROM customer_position_anchor({parameters.Add((short)sortKey, NpgsqlDbType.Smallint)}, {account}, {offset},
                                                        {parameters.Add(page.Descending, NpgsqlDbType.Boolean)}))
             """,
            bound,
            $"(SELECT {offset} - before FROM anchor)");
    }
}
