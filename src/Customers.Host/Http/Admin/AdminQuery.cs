using Customers.Medusa;

namespace Customers.Host.Http.Admin;

/// <summary>Query helpers shared by the admin routes.</summary>
internal static class AdminQuery
{
    /// <summary>The query of routes that take only <c>fields</c> (Medusa's <c>createSelectParams()</c>).</summary>
    public static readonly ObjectSchema FieldsOnly = new(Field.String("fields"));

    /// <summary>Validates a fields-only query and applies <paramref name="rules"/> to it.</summary>
    public static MedusaResult<FieldSelection> Fields(HttpContext http, FieldRules rules) =>
        RequestQuery.Read(http.Request, FieldsOnly).TryGetValue(out var query, out var error) ? rules.Select(query) : error;
}
