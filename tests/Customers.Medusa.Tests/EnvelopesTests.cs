using System.Text.Json;
using System.Text.Json.Nodes;
using Xunit;

namespace Customers.Medusa.Tests;

public sealed class EnvelopesTests
{
    private sealed record Address(string Id, string? City);

    [Fact]
    public void List_envelope_uses_the_route_key_then_count_offset_limit()
    {
        var envelope = Envelopes.List("addresses", [new Address("cuaddr_1", "NYC"), new Address("cuaddr_2", null)], 7, new ListQuery(2, 4, null, false));

        Assert.Equal(
            """{"addresses":[{"id":"cuaddr_1","city":"NYC"},{"id":"cuaddr_2","city":null}],"count":7,"offset":4,"limit":2}""",
            JsonSerializer.Serialize(envelope, MedusaJson.Options));
    }

    [Fact]
    public void Empty_page_keeps_the_real_count()
    {
        var envelope = Envelopes.List<Address>("customers", [], 3, new ListQuery(0, 0, null, false));

        Assert.Equal("""{"customers":[],"count":3,"offset":0,"limit":0}""", JsonSerializer.Serialize(envelope, MedusaJson.Options));
    }

    [Fact]
    public void List_envelope_can_hold_projected_json_objects()
    {
        var envelope = Envelopes.List<JsonObject>("customer_groups", [new JsonObject { ["id"] = "cusgroup_1" }], 1, new ListQuery(50, 0, null, false));

        Assert.Equal("""{"customer_groups":[{"id":"cusgroup_1"}],"count":1,"offset":0,"limit":50}""", JsonSerializer.Serialize(envelope, MedusaJson.Options));
    }

    [Fact]
    public void List_json_builds_the_same_shape()
    {
        var json = Envelopes.ListJson("customers", [new JsonObject { ["id"] = "cus_1" }], 1, 0, 50);

        Assert.Equal("""{"customers":[{"id":"cus_1"}],"count":1,"offset":0,"limit":50}""", json.ToJsonString());
    }

    [Fact]
    public void Delete_envelope_without_parent_has_exactly_id_object_deleted()
    {
        Assert.Equal(
            """{"id":"cusgroup_1","object":"customer_group","deleted":true}""",
            JsonSerializer.Serialize(Envelopes.Deleted("cusgroup_1", "customer_group"), MedusaJson.Options));
    }

    [Fact]
    public void Delete_envelope_with_parent_puts_parent_last()
    {
        var parent = new JsonObject { ["id"] = "cus_1", ["addresses"] = new JsonArray() };

        Assert.Equal(
            """{"id":"cus_1","object":"address","deleted":true,"parent":{"id":"cus_1","addresses":[]}}""",
            JsonSerializer.Serialize(Envelopes.Deleted("cus_1", "address", parent), MedusaJson.Options));
    }

    [Fact]
    public void Delete_envelope_serializes_a_typed_parent_by_its_runtime_type()
    {
        Assert.Equal(
            """{"id":"cuaddr_1","object":"customer_address","deleted":true,"parent":{"id":"cus_1","city":null}}""",
            JsonSerializer.Serialize(Envelopes.Deleted("cuaddr_1", "customer_address", new Address("cus_1", null)), MedusaJson.Options));
    }
}
