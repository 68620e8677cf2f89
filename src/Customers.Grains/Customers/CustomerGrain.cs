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
    // Reads are the hot path (GET /store/customers/me), so the snapshot is built once per change, not per call. Between
    // changes only the snapshot is kept (it has every stored field): the mutable state is released once the snapshot is
    // built and rebuilt from it for the next change, so an active customer is held once, not twice.
    private CustomerSnapshot? _snapshot;

    /// <summary>The mutable state, for a change (rebuilt from the snapshot when it was released).</summary>
    private CustomerState Customer => state.State ??= _snapshot is { } snapshot
        ? ToState(snapshot)
        : throw new InvalidOperationException("The customer's state was released without a snapshot.");

    private bool IsLive => _snapshot is { } snapshot
        ? snapshot.DeletedAt is null
        : Customer.Id is not null && Customer.DeletedAt is null;

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
            SignUpIdentityId = command.SignUpIdentityId,
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
        var address = new AddressState { Id = EntityId.New(EntityId.Address, now), CreatedAt = now, UpdatedAt = now };
        Customer.Addresses.Add(address);
        ApplyAddress(address, fields, now);
        return await SaveAsync();
    }

    public async Task<CustomerSnapshot> UpdateAddressAsync(string addressId, AddressFields fields)
    {
        EnsureLive();
        return ApplyAddress(FindAddress(addressId), fields, time.GetUtcNow()) ? await SaveAsync() : Snapshot();
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

    public Task<bool> WasCreatedAsync() => Task.FromResult(_snapshot is not null || Customer.Id is not null);

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

    /// <summary>Applies address fields; returns whether anything changed (only then does <c>updated_at</c> move).</summary>
    private bool ApplyAddress(AddressState address, AddressFields fields, DateTimeOffset now)
    {
        var changed = Assign(fields.AddressName, address.AddressName, v => address.AddressName = v)
            | Assign(fields.Company, address.Company, v => address.Company = v)
            | Assign(fields.FirstName, address.FirstName, v => address.FirstName = v)
            | Assign(fields.LastName, address.LastName, v => address.LastName = v)
            | Assign(fields.Address1, address.Address1, v => address.Address1 = v)
            | Assign(fields.Address2, address.Address2, v => address.Address2 = v)
            | Assign(fields.City, address.City, v => address.City = v)
            | Assign(fields.CountryCode, address.CountryCode, v => address.CountryCode = v)
            | Assign(fields.Province, address.Province, v => address.Province = v)
            | Assign(fields.PostalCode, address.PostalCode, v => address.PostalCode = v)
            | Assign(fields.Phone, address.Phone, v => address.Phone = v);
        if (fields.MetadataJson.IsSet)
        {
            var metadata = address.Metadata;
            if (MetadataJson.Merge(ref metadata, fields.MetadataJson.Value))
            {
                address.Metadata = metadata;
                changed = true;
            }
        }

        // At most one default shipping and one default billing address: the newest claim wins.
        if (fields.IsDefaultShipping is { IsSet: true, Value: var shipping } && shipping != address.IsDefaultShipping)
        {
            ClearOtherDefaults(address, a => a.IsDefaultShipping, a => a.IsDefaultShipping = false, shipping, now);
            address.IsDefaultShipping = shipping;
            changed = true;
        }

        if (fields.IsDefaultBilling is { IsSet: true, Value: var billing } && billing != address.IsDefaultBilling)
        {
            ClearOtherDefaults(address, a => a.IsDefaultBilling, a => a.IsDefaultBilling = false, billing, now);
            address.IsDefaultBilling = billing;
            changed = true;
        }

        if (changed)
        {
            address.UpdatedAt = now;
        }

        return changed;
    }

    private void ClearOtherDefaults(
        AddressState claimant, Func<AddressState, bool> isDefault, Action<AddressState> clear, bool claims, DateTimeOffset now)
    {
        if (!claims)
        {
            return;
        }

        foreach (var other in Customer.Addresses.Where(a => a != claimant && isDefault(a)))
        {
            clear(other);
            other.UpdatedAt = now;
        }
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

    /// <summary>The snapshot of the stored state (callers have saved or changed nothing); the mutable state is released.</summary>
    private CustomerSnapshot Snapshot()
    {
        var snapshot = _snapshot ??= ToSnapshot(Customer);
        state.State = null!;
        return snapshot;
    }

    private static CustomerState ToState(CustomerSnapshot c) => new()
    {
        Id = c.Id,
        Email = c.Email,
        CompanyName = c.CompanyName,
        FirstName = c.FirstName,
        LastName = c.LastName,
        Phone = c.Phone,
        HasAccount = c.HasAccount,
        Metadata = MetadataJson.Parse(c.MetadataJson),
        CreatedBy = c.CreatedBy,
        SignUpIdentityId = c.SignUpIdentityId,
        CreatedAt = c.CreatedAt,
        UpdatedAt = c.UpdatedAt,
        DeletedAt = c.DeletedAt,
        Addresses = [.. c.Addresses.Select(a => new AddressState
        {
            Id = a.Id,
            AddressName = a.AddressName,
            IsDefaultShipping = a.IsDefaultShipping,
            IsDefaultBilling = a.IsDefaultBilling,
            Company = a.Company,
            FirstName = a.FirstName,
            LastName = a.LastName,
            Address1 = a.Address1,
            Address2 = a.Address2,
            City = a.City,
            CountryCode = a.CountryCode,
            Province = a.Province,
            PostalCode = a.PostalCode,
            Phone = a.Phone,
            Metadata = MetadataJson.Parse(a.MetadataJson),
            CreatedAt = a.CreatedAt,
            UpdatedAt = a.UpdatedAt,
        })],
    };

    // The snapshot is what an active customer holds between changes, so values an address repeats from its customer
    // (name, company, phone: the common case) are one string instance, and country codes (two letters, so at most
    // 676 of them) are interned.
    private static CustomerSnapshot ToSnapshot(CustomerState c) => new(
        c.Id!, c.Email, c.CompanyName, c.FirstName, c.LastName, c.Phone, c.HasAccount,
        MetadataJson.Serialize(c.Metadata), c.CreatedBy, c.CreatedAt, c.UpdatedAt, c.DeletedAt,
        c.Addresses.Select(a => new AddressSnapshot(
            a.Id, c.Id!, a.AddressName, a.IsDefaultShipping, a.IsDefaultBilling, SameAs(a.Company, c.CompanyName),
            SameAs(a.FirstName, c.FirstName), SameAs(a.LastName, c.LastName), a.Address1, a.Address2, a.City,
            CountryCode(a.CountryCode), a.Province, a.PostalCode, SameAs(a.Phone, c.Phone),
            MetadataJson.Serialize(a.Metadata), a.CreatedAt, a.UpdatedAt)).ToImmutableArray(),
        c.SignUpIdentityId);

    private static string? SameAs(string? value, string? customers) =>
        value is not null && string.Equals(value, customers, StringComparison.Ordinal) ? customers : value;

    private static string? CountryCode(string? code) =>
        code is { Length: 2 } && char.IsAsciiLetterLower(code[0]) && char.IsAsciiLetterLower(code[1]) ? string.Intern(code) : code;
}
