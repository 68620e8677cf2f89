using Customers.Host.ReadModel.Search;
using Customers.Medusa;
using Xunit;

namespace Customers.Host.Tests.ReadModel;

/// <summary>
/// <see cref="SearchProbe"/> picks the literal word of <c>q</c> that the statistics (<see cref="ColumnTextStatistics"/>)
/// call rarest, and <see cref="CustomerSearchPlanner"/> gives it to every customer search of a filter.
/// </summary>
public sealed class SearchProbeTests
{
    private static readonly ColumnTextStatistics NoColumn = Column();

    // Like a seeded table: every e-mail is seed-bench...@example.com, phones share +1555, names repeat.
    private static readonly ColumnTextStatistics[] Seeded =
    [
        Column(commonValues: [("Ada", 0.3), ("Anders", 0.3), ("Grace", 0.4)]),
        Column(histogram: [.. Enumerable.Range(0, 101).Select(i => $"seed-bench1000000-{i * 9_901}@example.com")]),
        Column(histogram: [.. Enumerable.Range(0, 101).Select(i => $"+1555{i * 99_001:D7}")]),
    ];

    [Fact]
    public void A_whole_email_is_probed_by_its_rare_number_not_its_common_parts()
    {
        Assert.Equal("123456", SearchProbe.Choose("seed-bench1000000-123456@example.com", Seeded));
        Assert.Equal("123456", SearchProbe.Choose("-123456@", Seeded));
    }

    [Fact]
    public void A_common_domain_loses_to_a_rarer_name_and_equally_rare_words_go_to_the_longer()
    {
        ColumnTextStatistics[] gmail =
        [
            Column(commonValues: [("Jane", 0.02), ("Joe", 0.01)]),
            Column(nullFraction: 0.1, histogram: ["a@gmail.com", "jane.x@gmail.com", "b@yahoo.com", "z@gmail.com"]),
        ];

        // jane: 0.02 + 0.9 * 1/4; doe: 0; gmail: 0.9 * 3/4; com: 0.9.
        Assert.Equal("doe", SearchProbe.Choose("jane.doe@gmail.com", gmail));
        // moe and doe(y) are unknown to the statistics: the longer word wins, else the first.
        Assert.Equal("doey", SearchProbe.Choose("moe.doey@gmail.com", gmail));
        Assert.Equal("moe", SearchProbe.Choose("moe.doe@gmail.com", gmail));
    }

    [Fact]
    public void No_word_is_a_probe_when_even_the_rarest_is_in_more_than_one_percent_of_rows()
    {
        ColumnTextStatistics[] names = [Column(commonValues: [("Ritchie", 0.03), ("Lamport", SearchProbe.MaxFraction)])];

        Assert.Null(SearchProbe.Choose("Ritchie & Co 36", names));
        Assert.Equal("Lamport", SearchProbe.Choose("Lamport & Co 36", names));
        // Anders: 30% of first names; seed, example and com: every e-mail.
        Assert.Null(SearchProbe.Choose("anders@example.com", Seeded));
    }

    [Fact]
    public void Digits_are_words_too()
    {
        Assert.Equal("0123", SearchProbe.Choose("+1 555 0123", Seeded));
        Assert.Equal(["555", "0123"], SearchProbe.Words("+1 555 0123"));
    }

    [Theory]
    [InlineData("")]
    [InlineData("ab")]
    [InlineData("ab-cd_ef%gh")]
    [InlineData("a%e%c")]
    [InlineData("Lovelace")]
    [InlineData("0123456")]
    public void Without_a_word_of_three_characters_or_when_q_is_one_word_there_is_no_probe(string q)
    {
        Assert.Null(SearchProbe.Choose(q, Seeded));
        Assert.Null(SearchProbe.Choose(q, []));
    }

    [Theory]
    [InlineData("ab%cdef_gh\\ijk", new[] { "cdef", "ijk" }, "cdef")]
    [InlineData("100%", new[] { "100" }, "100")]
    [InlineData("100\\%", new[] { "100" }, "100")]
    [InlineData("ada\\", new[] { "ada" }, "ada")]
    [InlineData("grace_hopper", new[] { "grace", "hopper" }, "hopper")]
    [InlineData("Jürgen Müller", new[] { "rgen", "ller" }, "rgen")]
    [InlineData(" Lovelace", new[] { "Lovelace" }, "Lovelace")]
    public void Wildcards_escapes_and_other_characters_split_words_so_each_is_literal(string q, string[] words, string probe)
    {
        Assert.Equal(words, SearchProbe.Words(q));
        Assert.Equal(probe, SearchProbe.Choose(q, []));
    }

    [Fact]
    public void Without_statistics_the_longest_word_is_the_probe_and_the_first_of_equally_long_ones()
    {
        Assert.Equal("bench1000000", SearchProbe.Choose("seed-bench1000000-123456@example.com", []));
        Assert.Equal("bench1000000", SearchProbe.Choose("seed-bench1000000-123456@example.com", [NoColumn]));
        Assert.Equal("abc", SearchProbe.Choose("abc-def", []));
    }

    [Fact]
    public void The_estimate_adds_matching_common_values_and_the_matching_share_of_the_histogram_ignoring_case()
    {
        var names = Column(nullFraction: 0.5, commonValues: [("Ada", 0.1), ("Adam", 0.1)], histogram: ["Bob", "ADALBERT", "Carl", "Dan"]);

        Assert.Equal(0.1 + 0.1 + (0.3 * 1 / 4), names.FractionContaining("ada"), precision: 12);
        Assert.Equal(0.1, names.FractionContaining("ADAM"), precision: 12);
        Assert.Equal(0.1 + 0.1 + (0.3 * 3 / 4), names.FractionContaining("a"), precision: 12);
        Assert.Equal(0, names.FractionContaining("zed"));
        Assert.Equal(0.2, Column(commonValues: [("x", 0.2), ("y", 0.8)]).FractionContaining("x"), precision: 12);
    }

    [Fact]
    public void The_planner_probes_searches_nested_in_and_and_or_but_not_searches_of_related_rows()
    {
        var email = new Filter.Compare("email", FilterOperator.Eq, "a@b.c");
        var related = new Filter.Related("groups", new Filter.Search("vip-members"));
        var probed = new ProbedSearch("x-y-zzz", "zzz");
        var filter = new Filter.And([
            email,
            new Filter.Or([new Filter.Search("seed-bench1000000-123456@example.com"), new Filter.Search("ab")]),
            related,
            probed,
            new Filter.Search("jane.doe@x.io"),
        ]);

        var prepared = Assert.IsType<Filter.And>(CustomerSearchPlanner.WithProbes(filter, Seeded));

        Assert.Same(email, prepared.Parts[0]);
        var or = Assert.IsType<Filter.Or>(prepared.Parts[1]);
        Assert.Equal(new ProbedSearch("seed-bench1000000-123456@example.com", "123456"), or.Parts[0]);
        Assert.Equal(new Filter.Search("ab"), or.Parts[1]);
        Assert.Same(related, prepared.Parts[2]);
        Assert.Same(probed, prepared.Parts[3]);
        Assert.Equal(new ProbedSearch("jane.doe@x.io", "jane"), prepared.Parts[4]);
    }

    private static ColumnTextStatistics Column(
        double nullFraction = 0, (string Value, double Frequency)[]? commonValues = null, string[]? histogram = null) =>
        new(nullFraction, [.. (commonValues ?? []).Select(c => c.Value)], [.. (commonValues ?? []).Select(c => c.Frequency)], histogram ?? []);
}
