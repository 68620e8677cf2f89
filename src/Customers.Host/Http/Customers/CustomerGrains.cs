using Customers.Abstractions.Customers;

namespace Customers.Host.Http.Customers;

/// <summary>
/// Customer grain references for the hot path. <c>GetGrain&lt;ICustomerGrain&gt;(id)</c> resolves the interface's grain
/// interface type from its attributes, by reflection, on every call (about 5 % of a <c>GET /store/customers/me</c>);
/// here the grain type and interface type are resolved once and the reference is made from the id directly.
/// </summary>
internal static class CustomerGrains
{
    private static Types? _types;

    public static ICustomerGrain Get(IGrainFactory grains, string customerId)
    {
        if (_types is { } types)
        {
            return (ICustomerGrain)grains.GetGrain(GrainId.Create(types.Grain, IdSpan.Create(customerId)), types.Interface);
        }

        var first = grains.GetGrain<ICustomerGrain>(customerId);
        var reference = (GrainReference)first;
        _types = new Types(reference.GrainId.Type, reference.InterfaceType);
        return first;
    }

    private sealed record Types(GrainType Grain, GrainInterfaceType Interface);
}
