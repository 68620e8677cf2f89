using System.Text.Json.Nodes;
using Xunit;

namespace Customers.Medusa.Tests;

public sealed class FieldsTests
{
    private static readonly string[] _addressColumns =
    [
        "id", "address_name", "is_default_shipping", "is_default_billing", "company", "first_name", "last_name",
        "address_1", "address_2", "city", "country_code", "province", "postal_code", "phone", "metadata", "customer_id",
        "created_at", "updated_at", "deleted_at",
    ];

    private static readonly string[] _storeAddressFields =
    [
        "id", "address_name", "company", "customer_id", "first_name", "last_name", "address_1", "address_2", "city",
        "province", "postal_code", "country_code", "phone", "metadata", "is_default_shipping", "is_default_billing",
        "created_at", "updated_at",
    ];

    private static readonly string[] _storeCustomerDefaults =
    [
        "id", "email", "company_name", "first_name", "last_name", "phone", "metadata", "has_account", "deleted_at",
        "created_at", "updated_at", "*addresses",
    ];

    // docs/medusa-compatibility.md §4.1: the store allow-list for customer payloads.
    private static readonly FieldRules _storeCustomer = new(
        _storeCustomerDefaults,
        [
            "id", "email", "company_name", "first_name", "last_name", "phone", "metadata", "has_account", "deleted_at",
            "created_at", "updated_at", "addresses", "orders", .. _storeAddressFields.Select(f => "addresses." + f),
        ]);

    private static readonly FieldRules _adminCustomer = new(
    [
        "id", "company_name", "first_name", "last_name", "email", "phone", "metadata", "has_account", "created_by",
        "created_at", "updated_at", "deleted_at",
    ]);

    private static readonly FieldRules _adminGroup = new(["id", "name", "created_by", "created_at", "updated_at", "deleted_at", "metadata"]);

    private static readonly Dictionary<string, IReadOnlyList<string>> _relations = new()
    {
        ["addresses"] = _addressColumns,
        ["groups"] = ["id", "name", "metadata", "created_by", "created_at", "updated_at", "deleted_at"],
        ["customers"] = ["id", "company_name", "first_name", "last_name", "email", "phone", "has_account", "metadata", "created_by", "created_at", "updated_at", "deleted_at"],
    };

    private static string Keys(FieldSelection selection) =>
        string.Join(",", selection.Fields.Select(f => f.IsRelation ? (f.Columns is null ? "*" + f.Name : f.Name + "(" + string.Join("|", f.Columns) + ")") : f.Name));

    private static JsonObject FullCustomer() => new()
    {
        ["id"] = "cus_1",
        ["email"] = "john@doe.com",
        ["company_name"] = null,
        ["first_name"] = "John",
        ["last_name"] = "Doe",
        ["phone"] = null,
        ["metadata"] = null,
        ["has_account"] = true,
        ["created_by"] = null,
        ["created_at"] = "2026-01-01T00:00:00.000Z",
        ["updated_at"] = "2026-01-01T00:00:00.000Z",
        ["deleted_at"] = null,
        ["addresses"] = new JsonArray(FullAddress("cuaddr_1", "NYC"), FullAddress("cuaddr_2", null)),
    };

    private static JsonObject FullAddress(string id, string? city)
    {
        var address = new JsonObject();
        foreach (var column in _addressColumns.Reverse())
        {
            address[column] = column switch
            {
                "id" => id,
                "city" => city,
                "customer_id" => "cus_1",
                "is_default_shipping" or "is_default_billing" => false,
                _ => null,
            };
        }

        return address;
    }

    [Fact]
    public void Absent_fields_is_the_default_selection_fast_path()
    {
        var selection = _storeCustomer.Select((string?)null);

        Assert.True(selection.IsDefault);
        Assert.Same(_storeCustomer.Default, selection);
        Assert.Equal("id,email,company_name,first_name,last_name,phone,metadata,has_account,deleted_at,created_at,updated_at,*addresses", Keys(selection));
    }

    [Fact]
    public void Absent_fields_in_a_parsed_query_is_the_default_selection()
    {
        var selection = _storeCustomer.Select(new JsonObject()).Value;

        Assert.True(selection.IsDefault);
    }

    [Fact]
    public void Empty_fields_selects_id_only()
    {
        var selection = _storeCustomer.Select("");

        Assert.False(selection.IsDefault);
        Assert.Equal("id", Keys(selection));
        Assert.Equal("""{"id":"cus_1"}""", Fields.Project(FullCustomer(), selection, _relations).ToJsonString());
    }

    [Fact]
    public void Relation_column_selects_only_that_column_without_adding_id_inside()
    {
        var selection = _storeCustomer.Select("addresses.city");

        Assert.Equal("addresses(city),id", Keys(selection));
        Assert.Equal(
            """{"addresses":[{"city":"NYC"},{"city":null}],"id":"cus_1"}""",
            Fields.Project(FullCustomer(), selection, _relations).ToJsonString());
    }

    [Fact]
    public void Replace_mode_strips_modifiers_so_minus_email_selects_email()
    {
        Assert.Equal("id,email", Keys(_storeCustomer.Select("id,-email")));
    }

    [Fact]
    public void Modifier_only_fields_modify_the_defaults()
    {
        Assert.Equal(
            "id,company_name,first_name,last_name,phone,metadata,has_account,deleted_at,created_at,updated_at,*addresses",
            Keys(_storeCustomer.Select("-email")));
    }

    [Fact]
    public void Removing_a_relation_removes_its_star_entry()
    {
        Assert.DoesNotContain("addresses", Keys(_storeCustomer.Select("-addresses")));
    }

    [Fact]
    public void Removing_id_still_ends_with_id()
    {
        Assert.EndsWith(",id", Keys(_adminCustomer.Select("-id")));
    }

    [Fact]
    public void Star_orders_is_allowed_on_the_store_and_projects_to_an_empty_array()
    {
        var selection = _storeCustomer.Select("*orders");

        Assert.Equal("id,email,company_name,first_name,last_name,phone,metadata,has_account,deleted_at,created_at,updated_at,*addresses,*orders", Keys(selection));
        var projected = Fields.Project(FullCustomer(), selection, _relations);
        Assert.Equal("[]", projected["orders"]!.ToJsonString());
        Assert.Equal(2, projected["addresses"]!.AsArray().Count);
    }

    [Theory]
    [InlineData("*groups")]
    [InlineData("+created_by")]
    [InlineData(" created_by")]
    [InlineData("*orders.items")]
    [InlineData("groups.*")]
    public void Store_allow_list_drops_unknown_entries_silently(string fields)
    {
        var selection = _storeCustomer.Select(fields);

        Assert.False(selection.IsDefault);
        Assert.Equal(Keys(_storeCustomer.Default), Keys(selection));
    }

    [Fact]
    public void Store_allow_list_drops_only_the_unknown_entries_in_replace_mode()
    {
        Assert.Equal("email,id", Keys(_storeCustomer.Select("email,created_by,groups.name")));
    }

    [Fact]
    public void Plus_and_leading_space_both_add()
    {
        Assert.Equal(Keys(_adminCustomer.Select("+*addresses")), Keys(_adminCustomer.Select(" *addresses")));
        Assert.EndsWith(",*addresses", Keys(_adminCustomer.Select("+*addresses")));
    }

    [Fact]
    public void Star_and_dot_star_are_the_same_relation()
    {
        Assert.Equal(Keys(_adminCustomer.Select("*groups")), Keys(_adminCustomer.Select("groups.*")));
    }

    [Fact]
    public void Admin_accepts_any_field_and_relation()
    {
        var selection = _adminCustomer.Select("*addresses,*groups");

        Assert.True(selection.Includes("groups"));
        Assert.True(selection.Includes("addresses"));
        var projected = Fields.Project(FullCustomer(), selection, _relations);
        Assert.Equal("[]", projected["groups"]!.ToJsonString());
        Assert.Equal(_addressColumns, projected["addresses"]![0]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public void Dashboard_picker_fields_replace_the_defaults_and_add_groups()
    {
        Assert.Equal("id,email,first_name,last_name,has_account,*groups", Keys(_adminCustomer.Select("id,email,first_name,last_name,has_account,*groups")));
    }

    [Fact]
    public void Group_list_with_customer_ids_selects_the_relation_with_id_only()
    {
        Assert.Equal("id,name,created_at,updated_at,customers(id)", Keys(_adminGroup.Select("id,name,created_at,updated_at,customers.id")));
        Assert.EndsWith(",customers(id)", Keys(_adminGroup.Select("+customers.id")));
    }

    [Fact]
    public void Relation_columns_accumulate_and_star_wins_over_columns()
    {
        Assert.Equal("addresses(city|id),id", Keys(_adminCustomer.Select("addresses.city,addresses.id")));
        Assert.Equal("*addresses,id", Keys(_adminCustomer.Select("addresses.city,*addresses")));
    }

    [Fact]
    public void Projection_follows_field_set_order_and_skips_unknown_columns()
    {
        var projected = Fields.Project(FullCustomer(), _adminCustomer.Select("last_name,nope,email"), _relations);

        Assert.Equal("""{"last_name":"Doe","email":"john@doe.com","id":"cus_1"}""", projected.ToJsonString());
    }

    [Fact]
    public void Default_store_projection_has_nested_addresses_with_all_columns()
    {
        var projected = Fields.Project(FullCustomer(), _storeCustomer.Default, _relations);

        Assert.Equal(
            ["id", "email", "company_name", "first_name", "last_name", "phone", "metadata", "has_account", "deleted_at", "created_at", "updated_at", "addresses"],
            projected.Select(p => p.Key));
        Assert.Equal(_addressColumns, projected["addresses"]![1]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public void Plain_relation_name_projects_the_relation_with_all_columns()
    {
        var projected = Fields.Project(FullCustomer(), _adminCustomer.Select("addresses"), _relations);

        Assert.Equal(_addressColumns.Length, projected["addresses"]![0]!.AsObject().Count);
    }

    [Fact]
    public void Repeated_fields_parameter_is_400()
    {
        var result = _storeCustomer.Select(QueryStringParser.Parse("fields=id&fields=email").Value);

        Assert.False(result.IsSuccess);
        Assert.Equal("Invalid request: Expected type: 'string' for field 'fields', got: 'id,email'", result.Error.Message);
    }

    [Fact]
    public void Selections_are_cached_per_fields_value()
    {
        Assert.Same(_storeCustomer.Select("*orders"), _storeCustomer.Select("*orders"));
    }

    [Fact]
    public void Static_select_without_allow_list_matches_the_rules_object()
    {
        Assert.Equal(Keys(_adminCustomer.Select("+*groups")), Keys(Fields.Select(_adminCustomer.Defaults, null, "+*groups")));
    }
}
