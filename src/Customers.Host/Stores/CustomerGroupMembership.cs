using Customers.Abstractions.Errors;
using Customers.Abstractions.Ids;
using Npgsql;
using NpgsqlTypes;

namespace Customers.Host.Stores;

/// <summary>
/// Adds and removes customer group memberships (<c>customer_group_customer</c>) for
/// <c>POST /admin/customer-groups/{id}/customers</c> and <c>POST /admin/customers/{id}/customer-groups</c>. Each
/// request is one call of a database function (<c>deploy/sql/0008_customer_groups.sql</c>), so a batch of thousands of
/// ids costs one round trip and one transaction: the ids are validated, the new pairs inserted with one
/// <c>INSERT … SELECT unnest</c> (a pair that exists already is skipped) and the removed ones deleted with one
/// <c>DELETE … = ANY</c>, all or nothing.
/// <para>
/// Memberships are relational data, not grain state, and the invariants hold in the database rather than in a grain:
/// the function locks every group that gains members while it is live, so a group deleted at the same time (its
/// grain's write updates that row) never gains members, whichever silo either request reached. Going through the
/// group grain would add a hop and serialise requests per group without adding a guarantee, and could not make one
/// customer's change across several groups atomic.
/// </para>
/// </summary>
internal sealed class CustomerGroupMembership(NpgsqlDataSource database, TimeProvider time)
{
    // A deadlock between two batches (possible only when they overlap in opposite directions, a group's batch and a
    // customer's) aborts one of them whole; it is simply run again.
    private const int MaxAttempts = 3;

    /// <summary>
    /// <c>POST /admin/customer-groups/{id}/customers</c>: customers in and out of one group. NotFound
    /// <c>You tried to set relationship customer_group_id: …</c> for a missing or deleted group,
    /// <c>… customer_id: …</c> for the first added customer that is missing or deleted.
    /// </summary>
    public Task ChangeCustomersOfGroupAsync(string groupId, IReadOnlyList<string> add, IReadOnlyList<string> remove, CancellationToken ct) =>
        ChangeAsync("SELECT customer_group_change_customers($1, $2, $3, $4, $5)", groupId, add, remove, ct);

    /// <summary>
    /// <c>POST /admin/customers/{id}/customer-groups</c>: one customer in and out of groups. NotFound
    /// <c>You tried to set relationship customer_id: …</c> for a missing or deleted customer,
    /// <c>… customer_group_id: …</c> for the first added group that is missing or deleted.
    /// </summary>
    public Task ChangeGroupsOfCustomerAsync(string customerId, IReadOnlyList<string> add, IReadOnlyList<string> remove, CancellationToken ct) =>
        ChangeAsync("SELECT customer_change_groups($1, $2, $3, $4, $5)", customerId, add, remove, ct);

    private async Task ChangeAsync(string sql, string ownerId, IReadOnlyList<string> add, IReadOnlyList<string> remove, CancellationToken ct)
    {
        if (add.Count == 0 && remove.Count == 0)
        {
            // Medusa answers {} with 200 and checks nothing; so do we (the route still reads the owner back).
            return;
        }

        var added = add.Distinct(StringComparer.Ordinal).ToArray();
        var removed = remove.Distinct(StringComparer.Ordinal).ToArray();
        for (var attempt = 1; ; attempt++)
        {
            var now = time.GetUtcNow();
            var membershipIds = new string[added.Length];
            for (var i = 0; i < membershipIds.Length; i++)
            {
                membershipIds[i] = EntityId.New(EntityId.CustomerGroupCustomer, now);
            }

            try
            {
                await using var command = database.CreateCommand(sql);
                command.Parameters.Add(new NpgsqlParameter { Value = ownerId, NpgsqlDbType = NpgsqlDbType.Text });
                command.Parameters.Add(new NpgsqlParameter { Value = added, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
                command.Parameters.Add(new NpgsqlParameter { Value = membershipIds, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
                command.Parameters.Add(new NpgsqlParameter { Value = removed, NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
                command.Parameters.Add(new NpgsqlParameter { Value = now, NpgsqlDbType = NpgsqlDbType.TimestampTz });
                await command.ExecuteNonQueryAsync(ct);
                return;
            }
            catch (PostgresException error) when (error.SqlState == PostgresErrorCodes.ForeignKeyViolation
                                                  && error.MessageText.StartsWith("You tried to set relationship ", StringComparison.Ordinal))
            {
                throw CustomersException.NotFound(error.MessageText);
            }
            catch (PostgresException error) when (error.SqlState is PostgresErrorCodes.DeadlockDetected or PostgresErrorCodes.SerializationFailure
                                                  or PostgresErrorCodes.ForeignKeyViolation)
            {
                // A foreign key violation with PostgreSQL's own wording means a customer row vanished between the check
                // and the insert (a sign-up that was rolled back): like a deadlock, the next attempt sees the outcome.
                if (attempt == MaxAttempts)
                {
                    throw new CustomersException(ErrorKind.Conflict, error.MessageText);
                }
            }
            catch (PostgresException error) when (error.SqlState.StartsWith("22", StringComparison.Ordinal))
            {
                // Data exceptions from the values themselves, e.g. a NUL character in an id.
                throw CustomersException.InvalidData($"Invalid id: {error.MessageText}");
            }
        }
    }
}
