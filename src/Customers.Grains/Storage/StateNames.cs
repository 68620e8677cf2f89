namespace Customers.Grains.Storage;

/// <summary>
/// Names of the grain storage provider and of each grain type's state. The state name is what the storage row's
/// <c>graintypestring</c> holds and what the read-model trigger dispatches on: every grain type needs its own.
/// </summary>
public static class StateNames
{
    /// <summary>The ADO.NET grain storage provider all grains use.</summary>
    public const string Storage = "customers";

    public const string Customer = "customer";
    public const string AuthIdentity = "authidentity";
    public const string CustomerGroup = "customergroup";
}
