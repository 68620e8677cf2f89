using System.Text.Json.Nodes;

namespace Customers.Medusa;

/// <summary>
/// Paging and ordering of a list route (docs/medusa-compatibility.md §2.6): <c>limit</c> (default 50, no maximum),
/// <c>offset</c> (default 0), <c>order</c> (one field; a leading <c>-</c> means descending), <c>with_deleted</c>
/// (accepted, ignored).
/// </summary>
/// <param name="Limit">Rows to return.</param>
/// <param name="Offset">Rows to skip.</param>
/// <param name="OrderField">The field to sort by, or null for the default (<c>id</c> ascending).</param>
/// <param name="Descending">True for <c>order=-field</c>.</param>
public sealed record ListQuery(int Limit, int Offset, string? OrderField, bool Descending)
{
    public const int DefaultLimit = 50;

    /// <summary>The query keys every list route accepts; add the route's filters with <see cref="ObjectSchema.With"/>.</summary>
    public static ObjectSchema Schema { get; } = new(
        Field.String("fields"),
        Field.Integer("offset"),
        Field.Integer("limit"),
        Field.String("order"),
        Field.BooleanString("with_deleted"));

    /// <summary>
    /// Reads paging from a parsed query (run the route's <see cref="ObjectSchema"/> first for strictness).
    /// <paramref name="allowedOrderFields"/> is the store routes' allow-list: a field not on it is 400
    /// <c>Order field &lt;f&gt; is not valid</c>. Admin routes pass their known columns to answer 400 instead of
    /// Medusa's 500 for unknown ones, or null to accept any name.
    /// </summary>
    public static MedusaResult<ListQuery> Parse(
        JsonObject query,
        IReadOnlyCollection<string>? allowedOrderFields = null,
        int defaultLimit = DefaultLimit)
    {
        var limit = defaultLimit;
        if (query.TryGetPropertyValue("limit", out var limitNode)
            && !Validation.TryReadInteger(limitNode, "limit", out limit, out var limitIssue))
        {
            return Validation.Fail(limitIssue!);
        }

        var offset = 0;
        if (query.TryGetPropertyValue("offset", out var offsetNode)
            && !Validation.TryReadInteger(offsetNode, "offset", out offset, out var offsetIssue))
        {
            return Validation.Fail(offsetIssue!);
        }

        if (query.TryGetPropertyValue("with_deleted", out var withDeleted)
            && !Validation.TryReadBooleanString(withDeleted, out _, out var withDeletedIssue, "with_deleted"))
        {
            return Validation.Fail(withDeletedIssue!);
        }

        if (!query.TryGetPropertyValue("order", out var orderNode))
        {
            return new ListQuery(limit, offset, null, false);
        }

        var order = Validation.AsString(orderNode);
        if (order is null)
        {
            return Validation.Fail(Validation.ExpectedType("string", "order", orderNode));
        }

        var descending = order.StartsWith('-');

        // Medusa takes the text between the first and the second '-' ("-a-b" orders by "a").
        var field = descending ? order.Split('-')[1] : order;
        if (field.Length == 0 || (allowedOrderFields is not null && !allowedOrderFields.Contains(field)))
        {
            return MedusaError.InvalidData($"Order field {field} is not valid");
        }

        return new ListQuery(limit, offset, field, descending);
    }
}
