using Customers.Host.ReadModel.Sql;
using Customers.Medusa;
using NpgsqlTypes;

namespace Customers.Host.ReadModel;

/// <summary>
/// The customer list filtered by exactly one group (<c>groups=&lt;id&gt;</c>, what the admin's group page asks) in id
/// order, read from the index of the group's live members (<c>ix_customer_group_customer_live_members</c>, migration
/// 0012): a deep page skips index entries only, and the count is an index-only count, instead of checking every member
/// before the offset against the customer table.
/// </summary>
internal static class GroupMemberPages
{
    /// <summary><paramref name="strategy"/> reading keys from the group's members when the filter and order allow it.</summary>
    public static SqlPageStrategy Apply(SqlPageStrategy strategy, Filter filter, ListQuery page, SqlParameters parameters)
    {
        if ((page.OrderField ?? "id") != "id" || FilterConjuncts.Of(filter) is not [var only] || SingleGroup(only) is not { } groupId)
        {
            return strategy;
        }

        // customer_live mirrors the member's deleted_at (0012 triggers): these keys are exactly the live customers
        // with a membership in the group, as long as the group itself is live (deleted groups match nobody).
        var group = parameters.Add(groupId, NpgsqlDbType.Text);
        return strategy with
        {
            Keys = new SqlKeySource(
                "customer_group_customer gm",
                $"gm.customer_group_id = {group} AND gm.customer_live " +
                $"AND EXISTS (SELECT 1 FROM customer_group lg WHERE lg.id = {group} AND lg.deleted_at IS NULL)",
                "gm.customer_id",
                page.Descending ? "gm.customer_id DESC" : "gm.customer_id ASC"),
        };
    }

    private static string? SingleGroup(Filter filter) => filter switch
    {
        Filter.Related { Relation: CustomerReadModel.GroupsRelation, Inner: Filter.Compare { Field: "id", Operator: FilterOperator.Eq, Value: string id } } => id,
        Filter.Related { Relation: CustomerReadModel.GroupsRelation, Inner: Filter.Compare { Field: "id", Operator: FilterOperator.In, Value: string[] and [var id] } } => id,
        _ => null,
    };
}
