using System.Text.Json.Nodes;
using Customers.Abstractions.Customers;
using Customers.Medusa;

namespace Customers.Host.Http.Customers;

/// <summary>
/// Customers and addresses as Medusa's JSON objects with every column (docs/medusa-compatibility.md §4.1-§4.2). Routes
/// project them with <c>fields</c>; the default field sets and store allow-lists live here once, for store and admin
/// routes alike.
/// </summary>
internal static class CustomerWire
{
    public const string Addresses = "addresses";
    public const string Orders = "orders";
    public const string Groups = "groups";

    /// <summary>Columns of an address, in the order Medusa writes a nested address (<c>*addresses</c>).</summary>
    public static readonly string[] AddressColumns =
    [
        "id", "address_name", "is_default_shipping", "is_default_billing", "company", "first_name", "last_name",
        "address_1", "address_2", "city", "country_code", "province", "postal_code", "phone", "metadata",
        "customer_id", "created_at", "updated_at", "deleted_at",
    ];

    /// <summary>Default of every store route that answers with a customer.</summary>
    public static readonly string[] StoreCustomerDefaults =
    [
        "id", "email", "company_name", "first_name", "last_name", "phone", "metadata", "has_account", "deleted_at",
        "created_at", "updated_at", "*addresses",
    ];

    /// <summary>What store callers may ask for; anything else in <c>fields</c> is dropped silently.</summary>
    public static readonly string[] StoreCustomerAllowList =
    [
        "id", "email", "company_name", "first_name", "last_name", "phone", "metadata", "has_account", "deleted_at",
        "created_at", "updated_at", Addresses, Orders,
        .. StoreAddressDefaults().Select(column => Addresses + "." + column),
    ];

    /// <summary>Default (and allow-list) of the store address routes: no <c>deleted_at</c>.</summary>
    public static string[] StoreAddressDefaults() =>
    [
        "id", "address_name", "company", "customer_id", "first_name", "last_name", "address_1", "address_2", "city",
        "province", "postal_code", "country_code", "phone", "metadata", "is_default_shipping", "is_default_billing",
        "created_at", "updated_at",
    ];

    /// <summary>Default of every admin route that answers with a customer: no relations
    /// (docs/medusa-compatibility.md §4.1).</summary>
    public static readonly string[] AdminCustomerDefaults =
    [
        "id", "company_name", "first_name", "last_name", "email", "phone", "metadata", "has_account", "created_by",
        "created_at", "updated_at", "deleted_at",
    ];

    /// <summary>Default of the admin address routes: no <c>is_default_*</c> flags (docs/medusa-compatibility.md §4.2),
    /// no <c>deleted_at</c>.</summary>
    public static readonly string[] AdminAddressDefaults =
    [
        "id", "address_name", "company", "customer_id", "first_name", "last_name", "address_1", "address_2", "city",
        "province", "postal_code", "country_code", "phone", "metadata", "created_at", "updated_at",
    ];

    /// <summary>Columns of a nested customer group (<c>*groups</c>).</summary>
    public static readonly string[] GroupColumns = ["id", "name", "metadata", "created_by", "created_at", "updated_at", "deleted_at"];

    /// <summary>
    /// All columns of each relation a customer can expand. Orders live elsewhere, so <c>*orders</c> answers <c>[]</c>;
    /// groups are not part of the snapshot: the admin routes add them when <c>fields</c> asks (else <c>[]</c>).
    /// </summary>
    public static readonly IReadOnlyDictionary<string, IReadOnlyList<string>> RelationColumns =
        new Dictionary<string, IReadOnlyList<string>>
        {
            [Addresses] = AddressColumns,
            [Orders] = [],
            [Groups] = GroupColumns,
        };

    public static JsonObject Customer(CustomerSnapshot customer)
    {
        var addresses = new JsonArray();
        foreach (var address in customer.Addresses)
        {
            addresses.Add(Address(address));
        }

        return new JsonObject
        {
            ["id"] = customer.Id,
            ["email"] = customer.Email,
            ["company_name"] = customer.CompanyName,
            ["first_name"] = customer.FirstName,
            ["last_name"] = customer.LastName,
            ["phone"] = customer.Phone,
            ["metadata"] = Metadata(customer.MetadataJson),
            ["has_account"] = customer.HasAccount,
            ["created_by"] = customer.CreatedBy,
            ["deleted_at"] = Timestamp(customer.DeletedAt),
            ["created_at"] = Timestamp(customer.CreatedAt),
            ["updated_at"] = Timestamp(customer.UpdatedAt),
            [Addresses] = addresses,
            [Orders] = new JsonArray(),
        };
    }

    public static JsonObject Address(AddressSnapshot address) => new()
    {
        ["id"] = address.Id,
        ["address_name"] = address.AddressName,
        ["is_default_shipping"] = address.IsDefaultShipping,
        ["is_default_billing"] = address.IsDefaultBilling,
        ["company"] = address.Company,
        ["first_name"] = address.FirstName,
        ["last_name"] = address.LastName,
        ["address_1"] = address.Address1,
        ["address_2"] = address.Address2,
        ["city"] = address.City,
        ["country_code"] = address.CountryCode,
        ["province"] = address.Province,
        ["postal_code"] = address.PostalCode,
        ["phone"] = address.Phone,
        ["metadata"] = Metadata(address.MetadataJson),
        ["customer_id"] = address.CustomerId,
        ["created_at"] = Timestamp(address.CreatedAt),
        ["updated_at"] = Timestamp(address.UpdatedAt),
        ["deleted_at"] = null,
    };

    // Formatted here: a DateTimeOffset inside a JsonNode would ignore the serializer's converters.
    private static string? Timestamp(DateTimeOffset? value) =>
        value is { } time ? MillisecondUtcDateTimeOffsetConverter.Format(time) : null;

    private static JsonNode? Metadata(string? json) => json is null ? null : JsonNode.Parse(json);
}
