namespace Customers.Abstractions.CustomerGroups;

/// <summary>
/// One customer group, keyed by its id (<c>cusgroup_…</c>). Every acknowledged write is durable in PostgreSQL together
/// with the relational read model (<c>customer_group</c>), whose unique index on the name of live groups rolls back a
/// write that would duplicate a name (UniqueViolation, worded <c>Customer group with name: …, already exists.</c>).
/// Memberships are not grain state; the host changes them in <c>customer_group_customer</c> with one statement per
/// batch, and a deleted group accepts none. Errors are <see cref="Errors.CustomersException"/>.
/// </summary>
[Alias("customers.ICustomerGroupGrain")]
public interface ICustomerGroupGrain : IGrainWithStringKey
{
    /// <summary>The live group, or null when it does not exist or was deleted.</summary>
    [Alias("get")]
    Task<CustomerGroupSnapshot?> GetAsync();

    /// <summary>Creates the group under this grain's key. UniqueViolation when a live group has the same name.</summary>
    [Alias("create")]
    Task<CustomerGroupSnapshot> CreateAsync(CreateCustomerGroup command);

    /// <summary>
    /// Renames the group and/or merges its metadata; <c>updated_at</c> moves only on a real change. NotFound when the
    /// group does not exist or was deleted; UniqueViolation when the new name is taken.
    /// </summary>
    [Alias("update")]
    Task<CustomerGroupSnapshot> UpdateAsync(UpdateCustomerGroup command);

    /// <summary>
    /// Soft-deletes the group: it leaves every read, its members' groups and lists, and its name can be used again.
    /// Deleting a missing or already deleted group does nothing.
    /// </summary>
    [Alias("delete")]
    Task DeleteAsync();
}
