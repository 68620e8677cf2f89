using System.Collections.Immutable;
using Customers.Abstractions;
using Customers.Abstractions.Customers;
using Customers.Abstractions.Errors;
using Customers.Abstractions.Ids;
using Customers.Grains.Metadata;
using Customers.Grains.Storage;

namespace Customers.Grains.Customers;

internal sealed class CustomerGrain(
    [PersistentState(StateNames.Customer, StateNames.Storage)] IPersistentState<CustomerState> state,
    TimeProvider time) : Grain, ICustomerGrain
{
    // Reads are the hot path (GET /store/customers/me), so the snapshot is built once per change, not per call.
    private CustomerSnapshot? _snapshot;

    private CustomerState Customer => state.State;

    private bool IsLive => Customer.Id is not null && Customer.DeletedAt is null;

    public Task<CustomerSnapshot?> GetAsync() => Task.FromResult(IsLive ? Snapshot() : null);

    public async Task<CustomerSnapshot> CreateAsync(CreateCustomer command)
    {
        if (Customer.Id is not null)
        {
            throw CustomersException.InvalidData($"Customer with id: {this.GetPrimaryKeyString()} already exists.");
        }

        var now = time.GetUtcNow();
        state.State = new CustomerState
        {
            Id = this.GetPrimaryKeyString(),
            Email = command.Email,
            CompanyName = command.CompanyName,
            FirstName = command.FirstName,
            LastName = command.LastName,
            Phone = command.Phone,
            HasAccount = command.HasAccount,
            Metadata = MetadataJson.Parse(command.MetadataJson),
            CreatedBy = command.CreatedBy,
            CreatedAt = now,
            UpdatedAt = now,
        };
        return await SaveAsync();
    }

    public async Task<CustomerSnapshot> UpdateAsync(UpdateCustomer command)
    {
        EnsureLive();
        var customer = Customer;
        var changed = Assign(command.Email, customer.Email, v => customer.Email = v)
            | Assign(command.CompanyName, customer.CompanyName, v => customer.CompanyName = v)
            | Assign(command.FirstName, customer.FirstName, v => customer.FirstName = v)
            | Assign(command.LastName, customer.LastName, v => customer.LastName = v)
            | Assign(command.Phone, customer.Phone, v => customer.Phone = v);
        if (command.MetadataJson.IsSet)
        {
            var metadata = customer.Metadata;
            if (MetadataJson.Merge(ref metadata, command.MetadataJson.Value))
            {
                customer.Metadata = metadata;
                changed = true;
            }
        }

        if (!changed)
        {
            return Snapshot();
        }

        customer.UpdatedAt = time.GetUtcNow();
        return await SaveAsync();
    }

    public async Task<CustomerSnapshot> AddAddressAsync(AddressFields fields)
    {
        EnsureLive();
        var now = time.GetUtcNow();
        var address = new AddressState { Id = EntityId.New(EntityId.Address, now), CreatedAt = now };
        Customer.Addresses.Add(address);
        ApplyAddress(address, fields, now);
        return await SaveAsync();
    }

    public async Task<CustomerSnapshot> UpdateAddressAsync(string addressId, AddressFields fields)
    {
        EnsureLive();
        ApplyAddress(FindAddress(addressId), fields, time.GetUtcNow());
        return await SaveAsync();
    }

    public async Task<CustomerSnapshot> DeleteAddressAsync(string addressId)
    {
        EnsureLive();
        Customer.Addresses.Remove(FindAddress(addressId));
        return await SaveAsync();
    }

    public async Task DeleteAsync()
    {
        if (!IsLive)
        {
            return;
        }

        var now = time.GetUtcNow();
        Customer.DeletedAt = now;
        Customer.UpdatedAt = now;
        await SaveAsync();
    }

    public async Task DiscardNewAsync()
    {
        if (Customer.Id is null)
        {
            return;
        }

        if (Customer.UpdatedAt != Customer.CreatedAt || Customer.Addresses.Count > 0)
        {
            throw CustomersException.InvalidData("Only a customer that was never changed can be discarded.");
        }

        await state.ClearOrThrowAsync(this);
        state.State = new CustomerState();
        _snapshot = null;
    }

    private void EnsureLive()
    {
        if (!IsLive)
        {
            throw CustomersException.NotFound($"Customer with id: {this.GetPrimaryKeyString()} was not found");
        }
    }

    private AddressState FindAddress(string addressId) =>
        Customer.Addresses.Find(a => a.Id == addressId)
        ?? throw CustomersException.NotFound($"Address with id: {addressId} was not found");

    private void ApplyAddress(AddressState address, AddressFields fields, DateTimeOffset now)
    {
        address.AddressName = fields.AddressName.Or(address.AddressName);
        address.Company = fields.Company.Or(address.Company);
        address.FirstName = fields.FirstName.Or(address.FirstName);
        address.LastName = fields.LastName.Or(address.LastName);
        address.Address1 = fields.Address1.Or(address.Address1);
        address.Address2 = fields.Address2.Or(address.Address2);
        address.City = fields.City.Or(address.City);
        address.CountryCode = fields.CountryCode.Or(address.CountryCode);
        address.Province = fields.Province.Or(address.Province);
        address.PostalCode = fields.PostalCode.Or(address.PostalCode);
        address.Phone = fields.Phone.Or(address.Phone);
        if (fields.MetadataJson.IsSet)
        {
            var metadata = address.Metadata;
            MetadataJson.Merge(ref metadata, fields.MetadataJson.Value);
            address.Metadata = metadata;
        }

        // At most one default shipping and one default billing address: the newest claim wins.
        if (fields.IsDefaultShipping is { IsSet: true } shipping)
        {
            if (shipping.Value)
            {
                Customer.Addresses.ForEach(a => a.IsDefaultShipping = false);
            }

            address.IsDefaultShipping = shipping.Value;
        }

        if (fields.IsDefaultBilling is { IsSet: true } billing)
        {
            if (billing.Value)
            {
                Customer.Addresses.ForEach(a => a.IsDefaultBilling = false);
            }

            address.IsDefaultBilling = billing.Value;
        }

        address.UpdatedAt = now;
    }

    private static bool Assign(Optional<string> field, string? current, Action<string?> set)
    {
        if (!field.IsSet || field.Value == current)
        {
            return false;
        }

        set(field.Value);
        return true;
    }

    private async Task<CustomerSnapshot> SaveAsync()
    {
        _snapshot = null;
        await state.WriteOrThrowAsync(this);
        return Snapshot();
    }

    private CustomerSnapshot Snapshot() => _snapshot ??= ToSnapshot(Customer);

    private static CustomerSnapshot ToSnapshot(CustomerState c) => new(
        c.Id!, c.Email, c.CompanyName, c.FirstName, c.LastName, c.Phone, c.HasAccount,
        MetadataJson.Serialize(c.Metadata), c.CreatedBy, c.CreatedAt, c.UpdatedAt, c.DeletedAt,
        c.Addresses.Select(a => new AddressSnapshot(
            a.Id, c.Id!, a.AddressName, a.IsDefaultShipping, a.IsDefaultBilling, a.Company, a.FirstName, a.LastName,
            a.Address1, a.Address2, a.City, a.CountryCode, a.Province, a.PostalCode, a.Phone,
            MetadataJson.Serialize(a.Metadata), a.CreatedAt, a.UpdatedAt)).ToImmutableArray());
}
