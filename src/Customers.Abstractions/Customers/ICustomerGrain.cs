namespace Customers.Abstractions.Customers;

/// <summary>
/// One customer and its addresses, keyed by customer id (<c>cus_…</c>). Every acknowledged write is durable in
/// PostgreSQL together with the relational read model. Errors are <see cref="Errors.CustomersException"/>.
/// </summary>
[Alias("customers.ICustomerGrain")]
public interface ICustomerGrain : IGrainWithStringKey
{
    /// <summary>The live customer, or null when it does not exist or was deleted.</summary>
    [Alias("get")]
    Task<CustomerSnapshot?> GetAsync();

    /// <summary>Creates the customer under this grain's key. Fails with UniqueViolation on a taken (email, has_account).</summary>
    [Alias("create")]
    Task<CustomerSnapshot> CreateAsync(CreateCustomer command);

    /// <summary>Updates the profile. NotFound when the customer does not exist or was deleted.</summary>
    [Alias("update")]
    Task<CustomerSnapshot> UpdateAsync(UpdateCustomer command);

    /// <summary>Adds an address; a new default shipping/billing address takes the flag from the others.</summary>
    [Alias("add-address")]
    Task<CustomerSnapshot> AddAddressAsync(AddressFields fields);

    /// <summary>Updates one of this customer's addresses. NotFound when the address is not this customer's.</summary>
    [Alias("update-address")]
    Task<CustomerSnapshot> UpdateAddressAsync(string addressId, AddressFields fields);

    /// <summary>Removes one of this customer's addresses (hard delete). NotFound when the address is not this customer's.</summary>
    [Alias("delete-address")]
    Task<CustomerSnapshot> DeleteAddressAsync(string addressId);

    /// <summary>Soft-deletes the customer and its addresses. Deleting a missing customer does nothing.</summary>
    [Alias("delete")]
    Task DeleteAsync();

    /// <summary>
    /// Whether this customer was ever created, deleted since or not: a sign-up's identity is linked to its pending
    /// customer once that exists.
    /// </summary>
    [Alias("was-created")]
    Task<bool> WasCreatedAsync();
}
