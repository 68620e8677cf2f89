using Customers.Abstractions;
using Customers.Abstractions.Customers;
using Customers.Abstractions.Ids;

namespace Customers.Grains.Tests;

/// <summary>Fresh ids, e-mails and commands: every test makes its own rows.</summary>
internal static class TestData
{
    public const string Password = "violet-kettle-morning-93";

    public static string NewEmail() => $"{Guid.NewGuid():N}@example.com";

    public static string NewCustomerId() => EntityId.New(EntityId.Customer, DateTimeOffset.UtcNow);

    public static string NewIdentityId() => EntityId.New(EntityId.AuthIdentity, DateTimeOffset.UtcNow);

    public static CreateCustomer Customer(string? email = null, bool hasAccount = false, string? metadataJson = null) =>
        new(email ?? NewEmail(), "Acme", "Ada", "Lovelace", "+4512345678", metadataJson, hasAccount, null);

    public static UpdateCustomer Update(
        Optional<string> email = default,
        Optional<string> firstName = default,
        Optional<string> metadataJson = default) =>
        new(email, default, firstName, default, default, metadataJson);

    public static AddressFields Address(
        string city = "Copenhagen",
        bool? defaultShipping = null,
        bool? defaultBilling = null,
        Optional<string> metadataJson = default) =>
        new(
            Optional<string>.Of("Home"),
            defaultShipping is { } shipping ? Optional<bool>.Of(shipping) : default,
            defaultBilling is { } billing ? Optional<bool>.Of(billing) : default,
            default,
            Optional<string>.Of("Ada"),
            Optional<string>.Of("Lovelace"),
            Optional<string>.Of("Main street 1"),
            default,
            Optional<string>.Of(city),
            Optional<string>.Of("dk"),
            default,
            Optional<string>.Of("2100"),
            default,
            metadataJson);

    public static AddressFields NoAddressChange() => new(
        default, default, default, default, default, default, default, default, default, default, default, default, default, default);
}
