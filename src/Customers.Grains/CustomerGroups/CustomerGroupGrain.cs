using Customers.Abstractions.CustomerGroups;
using Customers.Abstractions.Errors;
using Customers.Grains.Metadata;
using Customers.Grains.Storage;

namespace Customers.Grains.CustomerGroups;

internal sealed class CustomerGroupGrain(
    [PersistentState(StateNames.CustomerGroup, StateNames.Storage)] IPersistentState<CustomerGroupState> state,
    TimeProvider time) : Grain, ICustomerGroupGrain
{
    private CustomerGroupSnapshot? _snapshot;

    private CustomerGroupState Group => state.State;

    private bool IsLive => Group.Id is not null && Group.DeletedAt is null;

    public Task<CustomerGroupSnapshot?> GetAsync() => Task.FromResult(IsLive ? Snapshot() : null);

    public async Task<CustomerGroupSnapshot> CreateAsync(CreateCustomerGroup command)
    {
        if (Group.Id is not null)
        {
            throw CustomersException.InvalidData($"Customer group with id: {this.GetPrimaryKeyString()} already exists.");
        }

        var now = time.GetUtcNow();
        state.State = new CustomerGroupState
        {
            Id = this.GetPrimaryKeyString(),
            Name = RequireName(command.Name),
            Metadata = MetadataJson.Parse(command.MetadataJson),
            CreatedBy = command.CreatedBy,
            CreatedAt = now,
            UpdatedAt = now,
        };
        return await SaveAsync();
    }

    public async Task<CustomerGroupSnapshot> UpdateAsync(UpdateCustomerGroup command)
    {
        EnsureLive();
        var group = Group;
        var changed = false;
        if (command.Name.IsSet && RequireName(command.Name.Value) != group.Name)
        {
            group.Name = command.Name.Value!;
            changed = true;
        }

        if (command.MetadataJson.IsSet)
        {
            var metadata = group.Metadata;
            if (MetadataJson.Merge(ref metadata, command.MetadataJson.Value))
            {
                group.Metadata = metadata;
                changed = true;
            }
        }

        if (!changed)
        {
            return Snapshot();
        }

        group.UpdatedAt = time.GetUtcNow();
        return await SaveAsync();
    }

    public async Task DeleteAsync()
    {
        if (!IsLive)
        {
            return;
        }

        var now = time.GetUtcNow();
        Group.DeletedAt = now;
        Group.UpdatedAt = now;
        await SaveAsync();
    }

    private void EnsureLive()
    {
        if (!IsLive)
        {
            throw CustomersException.NotFound($"Customer group with id: {this.GetPrimaryKeyString()} not found");
        }
    }

    // The column is NOT NULL in Medusa's schema (an empty name is allowed); the HTTP schema already refuses null.
    private static string RequireName(string? name) =>
        name ?? throw CustomersException.InvalidData("Invalid request: Expected type: 'string' for field 'name', got: 'null'");

    private async Task<CustomerGroupSnapshot> SaveAsync()
    {
        // A failed write re-reads the state (WriteOrThrowAsync), so the cached snapshot must not survive it either.
        _snapshot = null;
        await state.WriteOrThrowAsync(this);
        return Snapshot();
    }

    private CustomerGroupSnapshot Snapshot() => _snapshot ??= new CustomerGroupSnapshot(
        Group.Id!, Group.Name, MetadataJson.Serialize(Group.Metadata), Group.CreatedBy, Group.CreatedAt, Group.UpdatedAt,
        Group.DeletedAt);
}
