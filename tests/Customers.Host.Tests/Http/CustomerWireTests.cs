using System.Buffers;
using System.Collections.Immutable;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using Customers.Abstractions.Customers;
using Customers.Host.Http.Customers;
using Customers.Medusa;
using Xunit;

namespace Customers.Host.Tests.Http;

/// <summary>The customer written straight from its snapshot (the default store answer) is byte for byte the projection
/// of the customer's <see cref="JsonObject"/> that other selections take.</summary>
public sealed class CustomerWireTests
{
    private static readonly FieldRules StoreFields = new(CustomerWire.StoreCustomerDefaults, CustomerWire.StoreCustomerAllowList);

    private static readonly DateTimeOffset Created = new(2026, 11, 26, 10, 44, 5, 865, TimeSpan.Zero);

    [Theory]
    [InlineData(null)]
    [InlineData("id,email")]
    [InlineData("-addresses")]
    [InlineData("+orders")]
    [InlineData("*orders,metadata,email")]
    [InlineData("addresses,id")]
    public void A_written_selection_is_its_projection(string? fields)
    {
        var selection = StoreFields.Select(fields);
        Assert.True(CustomerWire.CanWrite(selection));

        foreach (var customer in new[] { Full(), Bare() })
        {
            var written = Write(w => CustomerWire.WriteCustomer(w, customer, selection));
            var projected = Write(w => Fields.Project(CustomerWire.Customer(customer), selection, CustomerWire.RelationColumns).WriteTo(w));
            Assert.Equal(projected, written);
        }
    }

    [Fact]
    public void The_default_answer_has_every_default_column_in_order()
    {
        var written = Write(w => CustomerWire.WriteCustomer(w, Full(), StoreFields.Default));

        Assert.StartsWith("""{"id":"cus_1","email":"ana@example.com","company_name":"Ça \"va\" <b>","first_name":"Ana",""", written);
        Assert.Contains("\"metadata\":{\"b\":[1,2.50,\"é\"],\"a\":{\"x\":null}},\"has_account\":true,\"deleted_at\":null,", written);
        Assert.EndsWith("\"deleted_at\":null}]}", written);
        Assert.DoesNotContain("created_by", written);
    }

    [Theory]
    [InlineData("addresses.city")]
    [InlineData("metadata.a")]
    public void Selections_of_columns_within_a_relation_take_the_projection(string fields)
    {
        Assert.False(CustomerWire.CanWrite(StoreFields.Select(fields)));
    }

    private static CustomerSnapshot Full() => new(
        "cus_1", "ana@example.com", "Ça \"va\" <b>", "Ana", "O'Hara 😀", null, true,
        """{ "b": [1, 2.50, "\u00e9"], "a": {"x": null} }""", "user_1", Created, Created.AddDays(1), null,
        [
            new AddressSnapshot("caddr_1", "cus_1", "Home", true, false, null, "Ana", null, "Rue 1", null, "Paris", "fr", null,
                "75001", null, """{"door":"B"}""", Created, Created),
            new AddressSnapshot("caddr_2", "cus_1", null, false, true, "ACME", null, "O'Hara", null, "Line\n2", null, null,
                "IDF", null, "+33", null, Created.AddTicks(9_999), Created.AddSeconds(1)),
        ]);

    private static CustomerSnapshot Bare() =>
        new("cus_2", null, null, null, null, null, false, null, null, Created, Created, Created.AddDays(2), ImmutableArray<AddressSnapshot>.Empty);

    private static string Write(Action<Utf8JsonWriter> write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        using (var writer = new Utf8JsonWriter(buffer, MedusaJson.WriterOptions))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(buffer.WrittenSpan);
    }
}
