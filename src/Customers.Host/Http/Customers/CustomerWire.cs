using System.Buffers;
using System.Text.Json;
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

    // The wire shape, once: the tables come first, as the column lists below are derived from them.
    /// <summary>One column of a wire object: its name and how its value is written.</summary>
    private sealed record Column<T>(string Name, Action<Utf8JsonWriter, T> Write);

    private static Column<T> Text<T>(string name, Func<T, string?> value) => new(name, (w, item) => w.WriteStringValue(value(item)));

    private static Column<T> Flag<T>(string name, Func<T, bool> value) => new(name, (w, item) => w.WriteBooleanValue(value(item)));

    private static Column<T> Time<T>(string name, Func<T, DateTimeOffset?> value) => new(name, (w, item) =>
    {
        if (value(item) is { } time)
        {
            MillisecondUtcDateTimeOffsetConverter.WriteValue(w, time);
        }
        else
        {
            w.WriteNullValue();
        }
    });

    // Stored metadata is JSON text: re-written (not copied raw) so its spacing and escaping are the writer's.
    private static Column<T> Metadata<T>(string name, Func<T, string?> value) => new(name, (w, item) =>
    {
        if (value(item) is { } json)
        {
            using var document = JsonDocument.Parse(json);
            document.RootElement.WriteTo(w);
        }
        else
        {
            w.WriteNullValue();
        }
    });

    private static readonly Column<AddressSnapshot>[] AddressTable =
    [
        Text<AddressSnapshot>("id", a => a.Id),
        Text<AddressSnapshot>("address_name", a => a.AddressName),
        Flag<AddressSnapshot>("is_default_shipping", a => a.IsDefaultShipping),
        Flag<AddressSnapshot>("is_default_billing", a => a.IsDefaultBilling),
        Text<AddressSnapshot>("company", a => a.Company),
        Text<AddressSnapshot>("first_name", a => a.FirstName),
        Text<AddressSnapshot>("last_name", a => a.LastName),
        Text<AddressSnapshot>("address_1", a => a.Address1),
        Text<AddressSnapshot>("address_2", a => a.Address2),
        Text<AddressSnapshot>("city", a => a.City),
        Text<AddressSnapshot>("country_code", a => a.CountryCode),
        Text<AddressSnapshot>("province", a => a.Province),
        Text<AddressSnapshot>("postal_code", a => a.PostalCode),
        Text<AddressSnapshot>("phone", a => a.Phone),
        Metadata<AddressSnapshot>("metadata", a => a.MetadataJson),
        Text<AddressSnapshot>("customer_id", a => a.CustomerId),
        Time<AddressSnapshot>("created_at", a => a.CreatedAt),
        Time<AddressSnapshot>("updated_at", a => a.UpdatedAt),
        Time<AddressSnapshot>("deleted_at", _ => null),
    ];

    /// <summary>Every column of a customer, in the order of the full object (relations whole, orders always empty).</summary>
    private static readonly Column<CustomerSnapshot>[] CustomerTable =
    [
        Text<CustomerSnapshot>("id", c => c.Id),
        Text<CustomerSnapshot>("email", c => c.Email),
        Text<CustomerSnapshot>("company_name", c => c.CompanyName),
        Text<CustomerSnapshot>("first_name", c => c.FirstName),
        Text<CustomerSnapshot>("last_name", c => c.LastName),
        Text<CustomerSnapshot>("phone", c => c.Phone),
        Metadata<CustomerSnapshot>("metadata", c => c.MetadataJson),
        Flag<CustomerSnapshot>("has_account", c => c.HasAccount),
        Text<CustomerSnapshot>("created_by", c => c.CreatedBy),
        Time<CustomerSnapshot>("deleted_at", c => c.DeletedAt),
        Time<CustomerSnapshot>("created_at", c => c.CreatedAt),
        Time<CustomerSnapshot>("updated_at", c => c.UpdatedAt),
        new(Addresses, (w, c) =>
        {
            w.WriteStartArray();
            foreach (var address in c.Addresses)
            {
                WriteObject(w, address, AddressTable);
            }

            w.WriteEndArray();
        }),
        new(Orders, (w, _) =>
        {
            w.WriteStartArray();
            w.WriteEndArray();
        }),
    ];

    private static readonly Dictionary<string, Column<CustomerSnapshot>> CustomerTableByName =
        CustomerTable.ToDictionary(column => column.Name, StringComparer.Ordinal);

    private static readonly Action<Utf8JsonWriter, AddressSnapshot> AddressWriter = (w, a) => WriteObject(w, a, AddressTable);

    private static readonly Action<Utf8JsonWriter, CustomerSnapshot> CustomerWriter = (w, c) => WriteObject(w, c, CustomerTable);

    /// <summary>Columns of an address, in the order Medusa writes a nested address (<c>*addresses</c>).</summary>
    public static readonly string[] AddressColumns = [.. AddressTable.Select(column => column.Name)];

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

    /// <summary>Every column of a customer as a <see cref="JsonObject"/>, for routes that project it (<c>fields</c>,
    /// admin groups): parsed from what the column tables write, so the wire shape is written in one place.</summary>
    public static JsonObject Customer(CustomerSnapshot customer) => Parse(customer, CustomerWriter);

    public static JsonObject Address(AddressSnapshot address) => Parse(address, AddressWriter);

    /// <summary>Whether <see cref="WriteCustomer(Utf8JsonWriter, CustomerSnapshot, FieldSelection)"/> can write this
    /// selection: whole columns and whole relations only (the defaults are); others take the <see cref="JsonObject"/> path.</summary>
    public static bool CanWrite(FieldSelection selection)
    {
        foreach (var field in selection.Fields)
        {
            if (field.Columns is not null || !CustomerTableByName.ContainsKey(field.Name))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary>
    /// Writes the customer with the columns of <paramref name="selection"/> in its order, as <see cref="Fields.Project"/>
    /// projects <see cref="Customer"/>, without building it (see <see cref="CanWrite"/>).
    /// </summary>
    public static void WriteCustomer(Utf8JsonWriter writer, CustomerSnapshot customer, FieldSelection selection)
    {
        writer.WriteStartObject();
        foreach (var field in selection.Fields)
        {
            var column = CustomerTableByName[field.Name];
            writer.WritePropertyName(column.Name);
            column.Write(writer, customer);
        }

        writer.WriteEndObject();
    }

    private static void WriteObject<T>(Utf8JsonWriter writer, T item, Column<T>[] columns)
    {
        writer.WriteStartObject();
        foreach (var column in columns)
        {
            writer.WritePropertyName(column.Name);
            column.Write(writer, item);
        }

        writer.WriteEndObject();
    }

    private static JsonObject Parse<T>(T item, Action<Utf8JsonWriter, T> write)
    {
        var buffer = new ArrayBufferWriter<byte>(1024);
        using (var writer = new Utf8JsonWriter(buffer, MedusaJson.WriterOptions))
        {
            write(writer, item);
        }

        return JsonNode.Parse(buffer.WrittenSpan)!.AsObject();
    }
}
