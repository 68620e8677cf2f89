using Customers.Medusa;

namespace Customers.Host.ReadModel.Sql;

/// <summary>The parts a filter requires all of, with nested <c>AND</c>s flattened and empty searches dropped.</summary>
internal static class FilterConjuncts
{
    public static IReadOnlyList<Filter> Of(Filter filter) => [.. Flatten(filter)];

    private static IEnumerable<Filter> Flatten(Filter filter) => filter switch
    {
        Filter.And and => and.Parts.SelectMany(Flatten),
        Filter.Search { Text.Length: 0 } => [],
        _ => [filter],
    };
}
