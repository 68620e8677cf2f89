using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Customers.Host.Auth;
using Customers.Host.Http.Customers;
using Customers.Host.Http.OpenApi;
using Customers.Medusa;

namespace Customers.Host.Http.Store.Customers;

/// <summary>
/// <c>GET /store/customers/me/addresses</c>: the caller's addresses with Medusa's list query: <c>q</c>, equality
/// filters on city, country code and postal code, <c>order</c> from the allow-list, paging. A customer has few
/// addresses, so this filters the grain's snapshot.
/// </summary>
internal static class StoreAddressList
{
    private static readonly string[] FilterFields = ["city", "country_code", "postal_code"];

    // Medusa's searchable address columns (docs/medusa-compatibility.md §2.9).
    private static readonly string[] SearchColumns =
        ["address_name", "company", "first_name", "last_name", "address_1", "address_2", "city", "province", "postal_code"];

    private static readonly string[] OrderFields = CustomerWire.StoreAddressDefaults();
    private static readonly FieldRules Fields = new(CustomerWire.StoreAddressDefaults(), CustomerWire.StoreAddressDefaults());

    private static readonly ObjectSchema Schema = ListQuery.Schema.With(
        Field.String("q"),
        Field.StringOrStringArray("city"),
        Field.StringOrStringArray("country_code"),
        Field.StringOrStringArray("postal_code"));

    public static async Task<IResult> ListAsync(HttpContext http, IGrainFactory grains)
    {
        if (!RequestQuery.Read(http.Request, Schema).TryGetValue(out var query, out var error)
            || !ListQuery.Parse(query, OrderFields).TryGetValue(out var page, out error)
            || !Fields.Select(query).TryGetValue(out var fields, out error))
        {
            return error.ToResult();
        }

        var customer = await CustomerGrains.Get(grains, http.GetActor().ActorId).GetAsync();
        var search = query["q"] is JsonValue q ? LikeSubstring(q.GetValue<string>()) : null;
        var matches = (customer?.Addresses ?? [])
            .Select(CustomerWire.Address)
            .Where(address => MatchesFilters(address, query) && (search is null || SearchColumns.Any(c => search.IsMatch(Text(address, c)))))
            .ToList();
        matches.Sort(Comparer(page));

        var items = new JsonArray();
        foreach (var address in matches.Skip(page.Offset).Take(page.Limit))
        {
            items.Add(StoreCustomersRoutes.Project(address, fields));
        }

        return JsonBodyResult.Of(Envelopes.ListJson("addresses", items, matches.Count, page.Offset, page.Limit));
    }

    private static bool MatchesFilters(JsonObject address, JsonObject query)
    {
        foreach (var field in FilterFields)
        {
            var wanted = query[field] switch
            {
                JsonValue one => [one.GetValue<string>()],
                JsonArray many => many.Select(v => v!.GetValue<string>()).ToArray(),
                _ => null,
            };
            if (wanted is not null && !wanted.Contains(Text(address, field), StringComparer.Ordinal))
            {
                return false;
            }
        }

        return true;
    }

    /// <summary><c>ILIKE '%q%'</c>: case-insensitive substring where, as in Medusa, <c>%</c> and <c>_</c> are wildcards.</summary>
    private static Regex LikeSubstring(string q)
    {
        var pattern = Regex.Escape(q).Replace("%", ".*", StringComparison.Ordinal).Replace("_", ".", StringComparison.Ordinal);
        return new Regex(pattern, RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline, TimeSpan.FromMilliseconds(50));
    }

    private static string Text(JsonObject address, string column) =>
        address[column] is JsonValue value && value.GetValueKind() == JsonValueKind.String ? value.GetValue<string>() : "";

    /// <summary>By <c>id</c> (creation order) by default; PostgreSQL's NULL placement: last ascending, first descending.</summary>
    private static Comparison<JsonObject> Comparer(ListQuery page)
    {
        var field = page.OrderField ?? "id";
        var direction = page.Descending ? -1 : 1;
        return (a, b) =>
        {
            var x = a[field];
            var y = b[field];
            if (x is null || y is null)
            {
                return x is null == y is null ? 0 : (x is null ? 1 : -1) * direction;
            }

            var order = x.GetValueKind() == JsonValueKind.String
                ? string.CompareOrdinal(x.GetValue<string>(), y.GetValue<string>())
                : x.ToJsonString().CompareTo(y.ToJsonString());
            return order * direction;
        };
    }

    /// <summary>The OpenAPI description of this route.</summary>
    internal static class Docs
    {
        public static readonly RouteDoc List = new(
            "StoreListAddresses", "List and search the customer's addresses", WireSchemas.Page("addresses", WireSchemas.Address))
        {
            Query = Schema,
        };
    }
}
