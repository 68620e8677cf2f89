using System.Text.Json.Nodes;
using Customers.Abstractions;
using Customers.Abstractions.CustomerGroups;
using Customers.Medusa;

namespace Customers.Host.Http.Admin.CustomerGroups;

/// <summary>Body schemas of the group routes and their mapping to grain commands.</summary>
internal static class CustomerGroupRequests
{
    /// <summary><c>POST /admin/customer-groups</c>: <c>name</c> required (a string; <c>""</c> is fine, <c>null</c> is
    /// not), <c>metadata</c> optional.</summary>
    public static readonly ObjectSchema Create = new(Field.RequiredString("name"), Field.Record("metadata"));

    /// <summary><c>POST /admin/customer-groups/{id}</c>: both optional; <c>name</c> may not be <c>null</c>.</summary>
    public static readonly ObjectSchema Update = new(Field.String("name"), Field.Record("metadata"));

    /// <summary><c>POST /admin/customer-groups/{id}/customers</c> and
    /// <c>POST /admin/customers/{id}/customer-groups</c>: ids to add and ids to remove.</summary>
    public static readonly ObjectSchema Membership = new(Field.StringArray("add"), Field.StringArray("remove"));

    public static CreateCustomerGroup ToCreate(JsonObject body, string createdBy) =>
        new(body["name"]!.GetValue<string>(), Metadata(body).Value, createdBy);

    public static UpdateCustomerGroup ToUpdate(JsonObject body) => new(
        body.TryGetPropertyValue("name", out var name) ? Optional<string>.Of(name!.GetValue<string>()) : Optional<string>.Unset,
        Metadata(body));

    /// <summary>The <c>add</c> or <c>remove</c> list of a membership body (absent: none).</summary>
    public static IReadOnlyList<string> Ids(JsonObject body, string name) =>
        body[name] is JsonArray ids ? [.. ids.Select(id => id!.GetValue<string>())] : [];

    private static Optional<string> Metadata(JsonObject body) =>
        body.TryGetPropertyValue("metadata", out var node) ? Optional<string>.Of(node?.ToJsonString()) : Optional<string>.Unset;
}
