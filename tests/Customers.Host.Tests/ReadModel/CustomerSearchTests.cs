using System.Text.Json.Nodes;
using Customers.Host.Database;
using Customers.Host.ReadModel;
using Customers.Host.ReadModel.Search;
using Customers.Host.ReadModel.Sql;
using Customers.Medusa;
using Customers.Testing;
using Microsoft.Extensions.Time.Testing;
using Npgsql;
using Xunit;

namespace Customers.Host.Tests.ReadModel;

/// <summary>
/// Customer search with a probe word (<see cref="SearchProbe"/>) on real PostgreSQL: exactly the customers of Medusa's
/// plain <c>ILIKE '%q%'</c>, the trigram indexes looking up only the probe, and the probe chosen from <c>pg_stats</c>.
/// </summary>
public sealed class CustomerSearchTests(MigratedDatabaseFixture database) : IClassFixture<MigratedDatabaseFixture>, IDisposable
{
    private static readonly SearchRow[] Rows =
    [
        new("ada", "Acme & Co", "Ada", "Lovelace", "ada.lovelace@gmail.com", "+4512345678"),
        new("grace", null, "Grace", "Hopper", "grace_hopper@navy.mil", null),
        new("alan", "100% Cotton", "Alan", "Turing", "alan@turing.org", "+441234567"),
        new("quark", null, "Quark", "Seven", "other@example.com", null),
        new("jo", null, "Jo", "Doe", "quark-7@example.com", "+15550123456"),
        new("juergen", "Ümlaut GmbH", "Jürgen", "Müller", "JUERGEN.MUELLER@Example.COM", null),
        new("gone", null, "Ada", "Lovelace", "ada.lovelace@gmail.com", null, Deleted: true),
    ];

    private readonly List<NpgsqlDataSource> _dataSources = [];

    private string ConnectionString => database.ConnectionString;

    [Theory]
    [InlineData("ada.lovelace@gmail.com", "ada")]
    [InlineData("LOVELACE@GMAIL", "ada")]
    [InlineData("ada_lovelace", "ada")]
    [InlineData("gmail%com", "ada")]
    [InlineData("grace_hop", "grace")]
    [InlineData("100%", "alan")]
    [InlineData("100\\%", "alan")]
    [InlineData("alan%turing", "alan")]
    [InlineData("Turing.ORG", "alan")]
    [InlineData("example.com", "quark", "jo", "juergen")]
    [InlineData("a%e%c", "ada", "quark", "jo", "juergen")]
    // Quark's first name holds the probe "quark" but no column holds q: found by the index, dropped by the check.
    [InlineData("quark-7", "jo")]
    [InlineData("Quark Seven")]
    [InlineData("jürgen", "juergen")]
    [InlineData("+1555", "jo")]
    [InlineData("5550123", "jo")]
    [InlineData("ada\\")]
    [InlineData("zzz-nothing")]
    [InlineData("%", "ada", "grace", "alan", "quark", "jo", "juergen")]
    [InlineData("_", "ada", "grace", "alan", "quark", "jo", "juergen")]
    public async Task Every_probe_finds_exactly_the_customers_of_plain_ilike(string q, params string[] expected)
    {
        await SeedAsync();
        var plain = await PlainIlikeAsync(q);
        Assert.Equal(expected.Select(Id).Order(StringComparer.Ordinal), plain);

        var readModel = new CustomerReadModel(DataSource(), new ListDatabase(DataSource()), Planner(TimeProvider.System));
        // Null: the planner's choice.
        foreach (var probe in SearchProbe.Words(q).Append(null))
        {
            var filter = new Filter.And([new Filter.Compare("id", FilterOperator.In, AllIds()), probe is null ? new Filter.Search(q) : new ProbedSearch(q, probe)]);
            var found = await readModel.ListCustomersAsync(filter, new ListQuery(100, 0, null, false), withAddresses: false, CancellationToken.None);
            Assert.Equal(plain, found.Items.Select(c => c.Id).Order(StringComparer.Ordinal));
        }
    }

    [Fact]
    public async Task On_a_larger_table_the_indexes_look_up_only_the_rarest_word_and_the_pattern_is_checked_on_their_rows()
    {
        // Its own database: ten thousand e-mails seed-N@example.com would skew the statistics the other tests read.
        var seeded = await PostgresServer.CreateMigratedDatabaseAsync("search");
        await Db.ExecuteAsync(
            seeded,
            """
            INSERT INTO customer (id, first_name, last_name, email, phone)
            SELECT 'cus_' || g, (ARRAY['Ada', 'Grace', 'Alan'])[g % 3 + 1], 'Seed', 'seed-' || g || '@example.com', '+1555' || lpad(g::text, 7, '0')
            FROM generate_series(1, 10000) g
            """);
        // VACUUM moves the new rows from the GIN pending lists into the indexes, as on a settled table.
        await Db.ExecuteAsync(seeded, "VACUUM ANALYZE customer");

        var search = await Planner(TimeProvider.System, seeded).PrepareAsync(new Filter.Search("seed-1234@example"), CancellationToken.None);
        var parameters = new SqlParameters();
        var where = new SqlFilter(CustomerReadModel.CustomerColumns, ["c.company_name", "c.first_name", "c.last_name", "c.email", "c.phone"])
            .Translate(search, parameters);
        var plan = await ExplainAsync(seeded, $"SELECT c.id FROM customer c WHERE c.deleted_at IS NULL AND {where}", parameters);

        Assert.Equal("1234", Assert.IsType<ProbedSearch>(search).Probe);
        var indexConditions = PlanValues(plan, "Index Cond");
        Assert.Equal(5, indexConditions.Count);
        Assert.All(indexConditions, condition => Assert.Matches(@"^\(\w+ ~~\* '%1234%'::text\)$", condition));
        Assert.Contains(PlanValues(plan, "Filter"), filter => filter.Contains("(email || ''::text) ~~* '%seed-1234@example%'::text", StringComparison.Ordinal));
    }

    [Fact]
    public async Task The_probe_is_the_word_pg_stats_calls_rarest_and_statistics_are_reread_only_after_the_refresh_interval()
    {
        // Distinct letters, so neither word holds the other; the common one is longer, so only statistics prefer the rare.
        var common = RandomWord('a', 'm', 8);
        var rare = RandomWord('n', 'z', 5);
        await AddEmailsAsync(common, 1, 300);
        await AddEmailsAsync(rare, 1, 1);
        await Db.ExecuteAsync(ConnectionString, "ANALYZE customer");
        var clock = new FakeTimeProvider();
        var planner = Planner(clock);
        var search = new Filter.Search($"{common}-{rare}@stats.test");

        Assert.Equal(rare, await ProbeAsync(planner, search));

        await AddEmailsAsync(rare, 2, 600);
        await Db.ExecuteAsync(ConnectionString, "ANALYZE customer");
        clock.Advance(CustomerSearchStatistics.RefreshInterval - TimeSpan.FromSeconds(1));
        Assert.Equal(rare, await ProbeAsync(planner, search));

        // Now the rare word is the commoner one, and both are too common to probe with.
        clock.Advance(TimeSpan.FromSeconds(1));
        Assert.Null(await ProbeAsync(planner, search));
    }

    [Fact]
    public async Task Without_statistics_the_longest_word_is_the_probe()
    {
        var empty = await PostgresServer.CreateMigratedDatabaseAsync("search");
        Assert.Equal(0L, await Db.ScalarAsync<long>(empty, "SELECT count(*) FROM pg_stats WHERE tablename = 'customer'"));

        Assert.Equal("gmail", await ProbeAsync(Planner(TimeProvider.System, empty), new Filter.Search("jane.doe@gmail.com")));
    }

    [Fact]
    public async Task A_filter_without_a_search_reads_no_statistics()
    {
        // Nothing listens there: reading statistics would fail.
        var planner = Planner(TimeProvider.System, "Host=127.0.0.1;Port=1;Timeout=5");
        var filter = new Filter.Or([new Filter.Compare("email", FilterOperator.Eq, "a@b.c"), new ProbedSearch("x-y-zzz", "zzz")]);

        Assert.Same(filter, await planner.PrepareAsync(filter, CancellationToken.None));
        await Assert.ThrowsAnyAsync<NpgsqlException>(async () => await planner.PrepareAsync(new Filter.Search("abc-def"), CancellationToken.None));
    }

    public void Dispose()
    {
        foreach (var dataSource in _dataSources)
        {
            dataSource.Dispose();
        }
    }

    private static string Id(string name) => $"cus_search_{name}";

    private static string[] AllIds() => [.. Rows.Select(row => Id(row.Name))];

    private static string RandomWord(char first, char last, int length) =>
        new([.. Enumerable.Range(0, length).Select(_ => (char)Random.Shared.Next(first, last + 1))]);

    private static async Task<string?> ProbeAsync(CustomerSearchPlanner planner, Filter search) =>
        (await planner.PrepareAsync(search, CancellationToken.None)) switch
        {
            ProbedSearch probed => probed.Probe,
            Filter.Search => null,
            var other => throw new Xunit.Sdk.XunitException($"Not a search: {other}"),
        };

    private static async Task<JsonNode> ExplainAsync(string connectionString, string query, SqlParameters parameters)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        await connection.OpenAsync();
        await using var explain = new NpgsqlCommand("EXPLAIN (FORMAT JSON) " + query, connection);
        parameters.CopyTo(explain.Parameters);
        return JsonNode.Parse((string)(await explain.ExecuteScalarAsync())!)!;
    }

    /// <summary>The string values of every plan node's <paramref name="key"/> (e.g. <c>Index Cond</c>).</summary>
    private static List<string> PlanValues(JsonNode? node, string key) => node switch
    {
        JsonArray array => [.. array.SelectMany(item => PlanValues(item, key))],
        JsonObject json => [.. json.SelectMany(pair => pair.Key == key ? [pair.Value!.GetValue<string>()] : PlanValues(pair.Value, key))],
        _ => [],
    };

    /// <summary>The ids plain <c>ILIKE '%q%'</c> over Medusa's columns finds among <see cref="Rows"/>.</summary>
    private async Task<List<string>> PlainIlikeAsync(string q)
    {
        var rows = await Db.RowsAsync(
            ConnectionString,
            """
            SELECT id FROM customer
            WHERE id = ANY($1) AND deleted_at IS NULL
              AND (company_name ILIKE $2 OR first_name ILIKE $2 OR last_name ILIKE $2 OR email ILIKE $2 OR phone ILIKE $2)
            ORDER BY id COLLATE "C"
            """,
            AllIds(), $"%{q}%");
        return [.. rows.Select(row => (string)row["id"]!)];
    }

    private async Task SeedAsync()
    {
        foreach (var row in Rows)
        {
            await Db.ExecuteAsync(
                ConnectionString,
                """
                INSERT INTO customer (id, company_name, first_name, last_name, email, phone, deleted_at)
                VALUES ($1, $2, $3, $4, $5, $6, CASE WHEN $7 THEN now() END)
                ON CONFLICT (id) DO NOTHING
                """,
                Id(row.Name), row.CompanyName, row.FirstName, row.LastName, row.Email, row.Phone, row.Deleted);
        }
    }

    private Task AddEmailsAsync(string word, int from, int to) =>
        Db.ExecuteAsync(
            ConnectionString,
            "INSERT INTO customer (id, email) SELECT 'cus_' || $1 || '_' || g, $1 || '-' || g || '@stats.test' FROM generate_series($2, $3) g",
            word, from, to);

    private CustomerSearchPlanner Planner(TimeProvider time, string? connectionString = null) =>
        new(new CustomerSearchStatistics(DataSource(connectionString), time));

    private NpgsqlDataSource DataSource(string? connectionString = null)
    {
        var dataSource = NpgsqlDataSource.Create(connectionString ?? ConnectionString);
        _dataSources.Add(dataSource);
        return dataSource;
    }

    private sealed record SearchRow(
        string Name, string? CompanyName, string? FirstName, string? LastName, string? Email, string? Phone, bool Deleted = false);
}
