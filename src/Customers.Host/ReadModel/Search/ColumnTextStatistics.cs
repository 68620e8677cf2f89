namespace Customers.Host.ReadModel.Search;

/// <summary>
/// What PostgreSQL's last <c>ANALYZE</c> found in one text column (its <c>pg_stats</c> row): the fraction of NULLs, the
/// most common values with their frequencies, and histogram bounds that sample the other values.
/// </summary>
internal sealed record ColumnTextStatistics(
    double NullFraction,
    IReadOnlyList<string> CommonValues,
    IReadOnlyList<double> CommonFrequencies,
    IReadOnlyList<string> HistogramBounds)
{
    /// <summary>
    /// The estimated fraction of rows whose value contains <paramref name="word"/>, ignoring case, as the planner
    /// estimates <c>LIKE '%word%'</c>: the frequencies of the common values that contain it, plus the rows the common
    /// values and NULLs leave in the proportion of histogram bounds that contain it.
    /// </summary>
    public double FractionContaining(string word)
    {
        var common = 0.0;
        var commonContaining = 0.0;
        for (var i = 0; i < CommonValues.Count; i++)
        {
            common += CommonFrequencies[i];
            commonContaining += Contains(CommonValues[i], word) ? CommonFrequencies[i] : 0;
        }

        if (HistogramBounds.Count == 0)
        {
            return commonContaining;
        }

        var rest = Math.Max(0, 1 - NullFraction - common);
        return commonContaining + rest * HistogramBounds.Count(bound => Contains(bound, word)) / HistogramBounds.Count;
    }

    private static bool Contains(string value, string word) => value.Contains(word, StringComparison.OrdinalIgnoreCase);
}
