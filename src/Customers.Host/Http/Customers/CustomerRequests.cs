using System.Text.Json.Nodes;
using Customers.Abstractions;
using Customers.Abstractions.Customers;
using Customers.Medusa;

namespace Customers.Host.Http.Customers;

/// <summary>Body schemas and their mapping to grain commands, shared by the store and admin customer routes.</summary>
internal static class CustomerRequests
{
    /// <summary>Profile fields a customer may change about themselves (<c>POST /store/customers/me</c>; no e-mail).</summary>
    public static readonly ObjectSchema StoreUpdateCustomer = new(
        Field.NullableString("company_name"),
        Field.NullableString("first_name"),
        Field.NullableString("last_name"),
        Field.NullableString("phone"),
        Field.Record("metadata"));

    public static readonly ObjectSchema StoreCreateCustomer = StoreUpdateCustomer.With(Field.Email("email"));

    /// <summary>
    /// Admin create and update (<c>POST /admin/customers</c>, <c>POST /admin/customers/{id}</c>): every field optional,
    /// the e-mail included (<c>null</c> clears it); <c>additional_data</c> is accepted and ignored (it feeds Medusa's
    /// workflow hooks, which we do not have). <c>has_account</c> is not accepted.
    /// </summary>
    public static readonly ObjectSchema AdminCustomer = StoreCreateCustomer.With(Field.Record("additional_data"));

    /// <summary>An address body (<c>POST /store/customers/me/addresses</c>, create and update alike; every field
    /// optional).</summary>
    public static readonly ObjectSchema Address = new(
        Field.NullableString("first_name"),
        Field.NullableString("last_name"),
        Field.NullableString("phone"),
        Field.NullableString("company"),
        Field.NullableString("address_1"),
        Field.NullableString("address_2"),
        Field.NullableString("city"),
        Field.CountryCode("country_code"),
        Field.NullableString("province"),
        Field.NullableString("postal_code"),
        Field.NullableString("address_name"),
        Field.Record("metadata"),
        Field.Boolean("is_default_shipping"),
        Field.Boolean("is_default_billing"));

    /// <summary>An admin address body (<c>POST /admin/customers/{id}/addresses[/{address_id}]</c>): the store fields
    /// plus <c>additional_data</c>, accepted and ignored.</summary>
    public static readonly ObjectSchema AdminAddress = Address.With(Field.Record("additional_data"));

    public static CreateCustomer ToCreateCustomer(JsonObject body, bool hasAccount, string? createdBy) => new(
        Text(body, "email"),
        Text(body, "company_name"),
        Text(body, "first_name"),
        Text(body, "last_name"),
        Text(body, "phone"),
        Metadata(body).Value,
        hasAccount,
        createdBy);

    public static UpdateCustomer ToUpdateCustomer(JsonObject body) => new(
        OptionalText(body, "email"),
        OptionalText(body, "company_name"),
        OptionalText(body, "first_name"),
        OptionalText(body, "last_name"),
        OptionalText(body, "phone"),
        Metadata(body));

    public static AddressFields ToAddressFields(JsonObject body) => new(
        OptionalText(body, "address_name"),
        OptionalFlag(body, "is_default_shipping"),
        OptionalFlag(body, "is_default_billing"),
        OptionalText(body, "company"),
        OptionalText(body, "first_name"),
        OptionalText(body, "last_name"),
        OptionalText(body, "address_1"),
        OptionalText(body, "address_2"),
        OptionalText(body, "city"),
        OptionalText(body, "country_code"),
        OptionalText(body, "province"),
        OptionalText(body, "postal_code"),
        OptionalText(body, "phone"),
        Metadata(body));

    private static string? Text(JsonObject body, string name) => OptionalText(body, name).Value;

    private static Optional<string> OptionalText(JsonObject body, string name) =>
        body.TryGetPropertyValue(name, out var node) ? Optional<string>.Of(node?.GetValue<string>()) : Optional<string>.Unset;

    private static Optional<bool> OptionalFlag(JsonObject body, string name) =>
        body.TryGetPropertyValue(name, out var node) && node is not null ? Optional<bool>.Of(node.GetValue<bool>()) : Optional<bool>.Unset;

    // Metadata travels as JSON text: grain contracts stay free of JSON DOM types.
    private static Optional<string> Metadata(JsonObject body) =>
        body.TryGetPropertyValue("metadata", out var node) ? Optional<string>.Of(node?.ToJsonString()) : Optional<string>.Unset;
}
