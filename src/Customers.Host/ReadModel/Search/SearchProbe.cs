using System.Text.RegularExpressions;

namespace Customers.Host.ReadModel.Search;

/// <summary>
/// Chooses the probe of a search (<see cref="ProbedSearch.Probe"/>): the word of <c>q</c> the fewest rows contain.
/// A trigram GIN index intersects the posting lists of all trigrams of a pattern, so a whole e-mail costs as much as
/// the lists of its common parts (<c>gmail</c>, <c>com</c>) are long. Every match of <c>'%q%'</c> contains each literal
/// word of q, so looking up only the rarest one and checking the whole pattern on its rows finds the same rows, faster.
/// </summary>
internal static partial class SearchProbe
{
    /// <summary>
    /// The largest estimated fraction of rows a probe may be found in. Every row the probe finds is fetched and checked,
    /// which costs far more per row than the index's own intersection: at a million customers, probing
    /// <c>Ritchie &amp; Co 36</c> with <c>Ritchie</c> (3% of rows) took 190 ms against 20 ms for the plain pattern. One
    /// percent is also about the finest step of the estimate (one histogram bound in one column).
    /// </summary>
    public const double MaxFraction = 0.01;

    /// <summary>
    /// The probe for <paramref name="text"/> given the searched columns' statistics (none: the longest word), or null
    /// when the pattern is best looked up as it is: it has no word, is one word, or even its rarest word is common.
    /// </summary>
    public static string? Choose(string text, IReadOnlyCollection<ColumnTextStatistics> columns)
    {
        var words = Words(text);
        if (words.Count == 0 || words[0].Length == text.Length)
        {
            return null;
        }

        // OrderBy is stable: among equally rare words of equal length, the first one in q.
        var rarest = words
            .Select(word => (Word: word, Fraction: columns.Sum(column => column.FractionContaining(word))))
            .OrderBy(candidate => candidate.Fraction)
            .ThenByDescending(candidate => candidate.Word.Length)
            .First();
        return rarest.Fraction <= MaxFraction ? rarest.Word : null;
    }

    /// <summary>
    /// The candidate words of <paramref name="text"/>: its runs of ASCII letters and digits. Every other character,
    /// <c>%</c>, <c>_</c> and the escape <c>\</c> included, ends a word, so each word is a literal, case-insensitive part
    /// of the pattern. Shorter words than three characters have no trigram for the index to look up.
    /// </summary>
    public static IReadOnlyList<string> Words(string text) => [.. WordPattern().Matches(text).Select(match => match.Value)];

    [GeneratedRegex("[A-Za-z0-9]{3,}")]
    private static partial Regex WordPattern();
}
