using System.Text.Json.Nodes;
using Xunit;

namespace Customers.Medusa.Tests;

public sealed class FieldsTests
{
    private static readonly string[] AddressColumns =
    [
        "id", "address_name", "is_default_shipping", "is_default_billing", "company", "first_name", "last_name",
        "address_1", "address_2", "city", "country_code", "province", "postal_code", "phone", "metadata", "customer_id",
        "created_at", "updated_at", "deleted_at",
    ];

    private static readonly string[] StoreAddressFields =
    [
        "id", "address_name", "company", "customer_id", "first_name", "last_name", "address_1", "address_2", "city",
        "province", "postal_code", "country_code", "phone", "metadata", "is_default_shipping", "is_default_billing",
        "created_at", "updated_at",
    ];

    private static readonly string[] StoreCustomerDefaults =
    [
        "id", "email", "company_name", "first_name", "last_name", "phone", "metadata", "has_account", "deleted_at",
        "created_at", "updated_at", "*addresses",
    ];

    // docs/medusa-compatibility.md §4.1: the store allow-list for customer payloads.
    private static readonly FieldRules StoreCustomer = new(
        StoreCustomerDefaults,
        [
            "id", "email", "company_name", "first_name", "last_name", "phone", "metadata", "has_account", "deleted_at",
            "created_at", "updated_at", "addresses", "orders", .. StoreAddressFields.Select(f => "addresses." + f),
        ]);

    private static readonly FieldRules AdminCustomer = new(
    [
        "id", "company_name", "first_name", "last_name", "email", "phone", "metadata", "has_account", "created_by",
        "created_at", "updated_at", "deleted_at",
    ]);

    private static readonly FieldRules AdminGroup = new(["id", "name", "created_by", "created_at", "updated_at", "deleted_at", "metadata"]);

    private static readonly Dictionary<string, IReadOnlyList<string>> Relations = new()
    {
        ["addresses"] = AddressColumns,
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
        foreach (var column in AddressColumns.Reverse())
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
        var selection = StoreCustomer.Select((string?)null);

        Assert.True(selection.IsDefault);
        Assert.Same(StoreCustomer.Default, selection);
        Assert.Equal("id,email,company_name,first_name,last_name,phone,metadata,has_account,deleted_at,created_at,updated_at,*addresses", Keys(selection));
    }

    [Fact]
    public void Absent_fields_in_a_parsed_query_is_the_default_selection()
    {
        var selection = StoreCustomer.Select(new JsonObject()).Value;

        Assert.True(selection.IsDefault);
    }

    [Fact]
    public void Empty_fields_selects_id_only()
    {
        var selection = StoreCustomer.Select("");

        Assert.False(selection.IsDefault);
        Assert.Equal("id", Keys(selection));
        Assert.Equal("""{"id":"cus_1"}""", Fields.Project(FullCustomer(), selection, Relations).ToJsonString());
    }

    [Fact]
    public void Relation_column_selects_only_that_column_without_adding_id_inside()
    {
        var selection = StoreCustomer.Select("addresses.city");

        Assert.Equal("addresses(city),id", Keys(selection));
        Assert.Equal(
            """{"addresses":[{"city":"NYC"},{"city":null}],"id":"cus_1"}""",
            Fields.Project(FullCustomer(), selection, Relations).ToJsonString());
    }

    [Fact]
    public void Replace_mode_strips_modifiers_so_minus_email_selects_email()
    {
        Assert.Equal("id,email", Keys(StoreCustomer.Select("id,-email")));
    }

    [Fact]
    public void Modifier_only_fields_modify_the_defaults()
    {
        Assert.Equal(
            "id,company_name,first_name,last_name,phone,metadata,has_account,deleted_at,created_at,updated_at,*addresses",
            Keys(StoreCustomer.Select("-email")));
    }

    [Fact]
    public void Removing_a_relation_removes_its_star_entry()
    {
        Assert.DoesNotContain("addresses", Keys(StoreCustomer.Select("-addresses")));
    }

    [Fact]
    public void Removing_id_still_ends_with_id()
    {
        Assert.EndsWith(",id", Keys(AdminCustomer.Select("-id")));
    }

    [Fact]
    public void Star_orders_is_allowed_on_the_store_and_projects_to_an_empty_array()
    {
        var selection = StoreCustomer.Select("*orders");

        Assert.Equal("id,email,company_name,first_name,last_name,phone,metadata,has_account,deleted_at,created_at,updated_at,*addresses,*orders", Keys(selection));
        var projected = Fields.Project(FullCustomer(), selection, Relations);
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
        var selection = StoreCustomer.Select(fields);

        Assert.False(selection.IsDefault);
        Assert.Equal(Keys(StoreCustomer.Default), Keys(selection));
    }

    [Fact]
    public void Store_allow_list_drops_only_the_unknown_entries_in_replace_mode()
    {
        Assert.Equal("email,id", Keys(StoreCustomer.Select("email,created_by,groups.name")));
    }

    [Fact]
    public void Plus_and_leading_space_both_add()
    {
        Assert.Equal(Keys(AdminCustomer.Select("+*addresses")), Keys(AdminCustomer.Select(" *addresses")));
        Assert.EndsWith(",*addresses", Keys(AdminCustomer.Select("+*addresses")));
    }

    [Fact]
    public void Star_and_dot_star_are_the_same_relation()
    {
        Assert.Equal(Keys(AdminCustomer.Select("*groups")), Keys(AdminCustomer.Select("groups.*")));
    }

    [Fact]
    public void Admin_accepts_any_field_and_relation()
    {
        var selection = AdminCustomer.Select("*addresses,*groups");

        Assert.True(selection.Includes("groups"));
        Assert.True(selection.Includes("addresses"));
        var projected = Fields.Project(FullCustomer(), selection, Relations);
        Assert.Equal("[]", projected["groups"]!.ToJsonString());
        Assert.Equal(AddressColumns, projected["addresses"]![0]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public void Dashboard_picker_fields_replace_the_defaults_and_add_groups()
    {
        Assert.Equal("id,email,first_name,last_name,has_account,*groups", Keys(AdminCustomer.Select("id,email,first_name,last_name,has_account,*groups")));
    }

    [Fact]
    public void Group_list_with_customer_ids_selects_the_relation_with_id_only()
    {
        Assert.Equal("id,name,created_at,updated_at,customers(id)", Keys(AdminGroup.Select("id,name,created_at,updated_at,customers.id")));
        Assert.EndsWith(",customers(id)", Keys(AdminGroup.Select("+customers.id")));
    }

    [Fact]
    public void Relation_columns_accumulate_and_star_wins_over_columns()
    {
        Assert.Equal("addresses(city|id),id", Keys(AdminCustomer.Select("addresses.city,addresses.id")));
        Assert.Equal("*addresses,id", Keys(AdminCustomer.Select("addresses.city,*addresses")));
    }

    [Fact]
    public void Projection_follows_field_set_order_and_skips_unknown_columns()
    {
        var projected = Fields.Project(FullCustomer(), AdminCustomer.Select("last_name,nope,email"), Relations);

        Assert.Equal("""{"last_name":"Doe","email":"john@doe.com","id":"cus_1"}""", projected.ToJsonString());
    }

    [Fact]
    public void Default_store_projection_has_nested_addresses_with_all_columns()
    {
        var projected = Fields.Project(FullCustomer(), StoreCustomer.Default, Relations);

        Assert.Equal(
            ["id", "email", "company_name", "first_name", "last_name", "phone", "metadata", "has_account", "deleted_at", "created_at", "updated_at", "addresses"],
            projected.Select(p => p.Key));
        Assert.Equal(AddressColumns, projected["addresses"]![1]!.AsObject().Select(p => p.Key));
    }

    [Fact]
    public void Plain_relation_name_projects_the_relation_with_all_columns()
    {
        var projected = Fields.Project(FullCustomer(), AdminCustomer.Select("addresses"), Relations);

        Assert.Equal(AddressColumns.Length, projected["addresses"]![0]!.AsObject().Count);
    }

    [Fact]
    public void Repeated_fields_parameter_is_400()
    {
        var result = StoreCustomer.Select(QueryStringParser.Parse("fields=id&fields=email").Value);

        Assert.False(result.IsSuccess);
        Assert.Equal("Invalid request: Expected type: 'string' for field 'fields', got: 'id,email'", result.Error.Message);
    }

    [Fact]
    public void Selections_are_cached_per_fields_value()
    {
        Assert.Same(StoreCustomer.Select("*orders"), StoreCustomer.Select("*orders"));
    }

    [Fact]
    public void Static_select_without_allow_list_matches_the_rules_object()
    {
        Assert.Equal(Keys(AdminCustomer.Select("+*groups")), Keys(Fields.Select(AdminCustomer.Defaults, null, "+*groups")));
    }
}
