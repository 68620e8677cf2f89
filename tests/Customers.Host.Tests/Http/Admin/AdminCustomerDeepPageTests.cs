using System.Net;
using System.Text.Json.Nodes;
using Customers.Host.Database;
using Customers.Host.Hosting;
using Customers.Host.ReadModel;
using Customers.Host.ReadModel.Sql;
using Customers.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Xunit;

namespace Customers.Host.Tests.Http.Admin;

/// <summary>
/// A host on its own database holding only the customers these tests create: the unfiltered list is theirs alone.
/// Seeds more customers than <see cref="CustomerPositions.SeekFromOffset"/>, then changes some through the API, so deep
/// pages go through the position counters (migration 0011) after the triggers have moved them.
/// </summary>
public sealed class DeepPageApiFactory : CustomersApiFactory, IAsyncLifetime
{
    // Every third seeded customer has an account: both has_account lists reach past the seek threshold.
    public const int Seeded = 3 * (CustomerPositions.SeekFromOffset + 1_000);

    protected override string DatabasePrefix => "positions";

    /// <summary>Customers deleted through the API after seeding.</summary>
    public IReadOnlyList<string> Deleted { get; private set; } = [];

    /// <summary>Customers created through the API after seeding.</summary>
    public IReadOnlyList<string> Created { get; private set; } = [];

    public TestSecretKey Key { get; private set; } = null!;

    async Task IAsyncLifetime.InitializeAsync()
    {
        await InitializeAsync();
        await using (var database = NpgsqlDataSource.Create(ConnectionString))
        {
            var serviceId = Services.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId;
            await new CustomerSeeder(database, serviceId, Clock)
                .SeedAsync(new CustomerSeeder.Options(Seeded, 0, 2, "deep", BatchSize: 1_000), _ => { }, CancellationToken.None);
        }

        Key = await this.CreateSecretKeyAsync();

        // Soft-delete customers spread over the list (early, around the seek threshold, late), then add new ones,
        // with and without an account, through the real write path (grain -> storage -> read-model triggers).
        var victims = await Db.RowsAsync(ConnectionString,
            "SELECT id FROM customer WHERE deleted_at IS NULL ORDER BY id OFFSET 3 LIMIT 400");
        var spread = new List<string>();
        foreach (var offset in new[] { 0, 17, 5_000, 9_990, 10_003, 11_111, 20_000, 30_500, Seeded - 10 })
        {
            spread.Add((await Db.ScalarAsync<string>(ConnectionString,
                "SELECT id FROM customer WHERE deleted_at IS NULL ORDER BY id OFFSET $1 LIMIT 1", offset))!);
        }

        var deleted = spread.Concat(victims.Take(20).Select(row => (string)row["id"]!)).Distinct().ToList();
        foreach (var id in deleted)
        {
            (await this.AdminDeleteAsync($"/admin/customers/{id}", Key)).Expect(HttpStatusCode.OK);
        }

        var created = new List<string>();
        for (var n = 0; n < 6; n++)
        {
            created.Add((await this.CreateGuestAsync(Key, new JsonObject { ["email"] = $"deep-new-{n}@example.com" })).Id());
        }

        for (var n = 0; n < 3; n++)
        {
            Clock.Advance(TimeSpan.FromMilliseconds(2)); // one millisecond each: creation order is id order
            created.Add((await CreateCustomerAsync(email: $"deep-account-{n}@example.com")).CustomerId);
        }

        (Deleted, Created) = (deleted, created);
    }
}

/// <summary>
/// Deep pages (<c>offset</c> at or past <see cref="CustomerPositions.SeekFromOffset"/>) of the unfiltered and
/// <c>has_account</c> lists start at the anchor the position counters give, and must be exactly the page a plain
/// <c>ORDER BY … OFFSET</c> returns, with an exact count, after deletes and inserts moved the counters.
/// </summary>
public sealed class AdminCustomerDeepPageTests(DeepPageApiFactory api) : IClassFixture<DeepPageApiFactory>
{
    [Fact]
    public async Task The_counters_match_a_recount_after_seeding_deleting_and_creating()
    {
        Assert.NotEmpty(api.Deleted);
        Assert.NotEmpty(api.Created);

        // Every (order, level, has_account, bucket) counter against a count of the live rows it covers.
        var mismatches = await Db.RowsAsync(api.ConnectionString,
            """
            WITH expected AS (
                SELECT k.sort_key, k.level, c.has_account, k.bucket, count(*) AS live
                FROM customer c CROSS JOIN LATERAL customer_position_keys(c.id, c.created_at) AS k
                WHERE c.deleted_at IS NULL
                GROUP BY 1, 2, 3, 4)
            SELECT coalesce(e.sort_key, b.sort_key) AS sort_key, coalesce(e.level, b.level) AS level,
                   e.live AS expected, b.live AS counted
            FROM expected e
                 FULL JOIN customer_position_bucket b USING (sort_key, level, has_account, bucket)
            WHERE coalesce(e.live, 0) <> coalesce(b.live, 0)
            """);

        Assert.Empty(mismatches);
        Assert.Equal(DeepPageApiFactory.Seeded - api.Deleted.Count + api.Created.Count,
            await Db.ScalarAsync<long>(api.ConnectionString, "SELECT customer_position_count(NULL)"));
    }

    [Theory]
    [InlineData("400 microseconds", 0)] // just before the first 65,536 ms bucket ends: still in it
    [InlineData("0 microseconds", 1)]
    public async Task A_created_at_counts_in_the_bucket_of_its_millisecond(string beforeBoundary, long bucket)
    {
        // Timestamps keep microseconds; the page bound compares created_at itself, so a row must never be counted in a
        // later bucket than its created_at (rounding up to the next millisecond would).
        Assert.Equal(bucket, await Db.ScalarAsync<long>(api.ConnectionString,
            $"""
             SELECT bucket FROM customer_position_keys('cus_01ARZ3NDEKTSV4RRFFQ69G5FAV',
                                                       timestamptz 'epoch' + interval '65536 milliseconds' - interval '{beforeBoundary}')
             WHERE sort_key = 1 AND level = 4
             """));
    }

    public static TheoryData<string, string> Lists() => new()
    {
        { "", "id" },
        { "", "-id" },
        { "", "created_at" },
        { "", "-created_at" },
        { "has_account=true", "id" },
        { "has_account=false", "-created_at" },
        { "has_account=true", "-id" },
        { "has_account=false", "created_at" },
    };

    [Theory]
    [MemberData(nameof(Lists))]
    public async Task Deep_pages_equal_a_plain_offset_and_counts_are_exact(string filter, string order)
    {
        var where = filter switch
        {
            "" => "deleted_at IS NULL",
            "has_account=true" => "deleted_at IS NULL AND has_account",
            _ => "deleted_at IS NULL AND NOT has_account",
        };
        var orderBy = OrderBy(order);
        var total = await Db.ScalarAsync<long>(api.ConnectionString, $"SELECT count(*) FROM customer WHERE {where}");

        foreach (var offset in new long[] { CustomerPositions.SeekFromOffset - 1, CustomerPositions.SeekFromOffset, 10_007, 10_400, total - 30, total - 5, total, total + 100 })
        {
            if (offset < 0)
            {
                continue;
            }

            await AssertPageAsync($"{filter}&order={order}", offset, $"SELECT id FROM customer WHERE {where} ORDER BY {orderBy} OFFSET $1 LIMIT 25", [], total);
        }
    }

    [Fact]
    public async Task Deleted_customers_are_gone_and_new_ones_are_on_the_last_pages()
    {
        var total = await Db.ScalarAsync<long>(api.ConnectionString, "SELECT count(*) FROM customer WHERE deleted_at IS NULL");
        var tail = (await api.AdminGetAsync($"/admin/customers?order=created_at&offset={total - api.Created.Count}&limit=50&fields=id", api.Key))
            .Expect(HttpStatusCode.OK).Object;

        Assert.Equal(api.Created, Ids(tail));
        for (var offset = CustomerPositions.SeekFromOffset; offset < total; offset += 1_000)
        {
            var page = (await api.AdminGetAsync($"/admin/customers?offset={offset}&limit=1000&fields=id", api.Key)).Expect(HttpStatusCode.OK).Object;
            var ids = Ids(page).ToHashSet();
            Assert.DoesNotContain(ids, api.Deleted.Contains);
        }
    }

    public static TheoryData<string, string, string> DateRanges() => new()
    {
        // Bounds are the created_at of the seeded customers at these positions (1 s apart), shifted by the given ms.
        { "created_at[$gte]=@5000", "created_at", "created_at >= @5000" },
        { "created_at[$gte]=@5000", "-created_at", "created_at >= @5000" },
        { "created_at[$gt]=@5000&created_at[$lt]=@31000+500", "created_at", "created_at >= @5000+1 AND created_at < @31000+500" },
        { "created_at[$gt]=@5000&created_at[$lt]=@31000+500", "-created_at", "created_at >= @5000+1 AND created_at < @31000+500" },
        { "has_account=false&created_at[$lte]=@32000", "-created_at", "NOT has_account AND created_at < @32000+1" },
        { "has_account=true&created_at[$gte]=@100-300&created_at[$lte]=@32990", "created_at", "has_account AND created_at >= @100-300 AND created_at < @32990+1" },
        { "$and[0][created_at][$gte]=@5000&$and[1][created_at][$gte]=@6000", "id", "created_at >= @6000" }, // id order: exact count, plain offset
    };

    [Theory]
    [MemberData(nameof(DateRanges))]
    public async Task Date_ranges_count_exactly_and_deep_pages_equal_a_plain_offset(string filter, string order, string condition)
    {
        // "@N" is the created_at of the N-th seeded customer (in id order), "@N+M"/"@N-M" that plus or minus M ms.
        var times = new Dictionary<string, DateTimeOffset>();
        async Task<DateTimeOffset> TimeAsync(string token)
        {
            if (!times.TryGetValue(token, out var time))
            {
                var parts = token[1..].Split('+', '-');
                var shift = parts.Length > 1 ? long.Parse(parts[1], System.Globalization.CultureInfo.InvariantCulture) * (token.Contains('-') ? -1 : 1) : 0;
                var seeded = await Db.ScalarAsync<DateTime>(api.ConnectionString,
                    "SELECT created_at FROM customer WHERE email LIKE 'seed-deep-%' ORDER BY id OFFSET $1 LIMIT 1", int.Parse(parts[0], System.Globalization.CultureInfo.InvariantCulture));
                times[token] = time = new DateTimeOffset(seeded, TimeSpan.Zero).AddMilliseconds(shift);
            }

            return time;
        }

        var tokens = System.Text.RegularExpressions.Regex.Matches(filter + " " + condition, @"@\d+(?:[+-]\d+)?").Select(match => match.Value).Distinct().ToList();
        foreach (var token in tokens.OrderByDescending(token => token.Length))
        {
            var time = await TimeAsync(token);
            filter = filter.Replace(token, time.UtcDateTime.ToString("yyyy-MM-dd'T'HH:mm:ss.fff'Z'", System.Globalization.CultureInfo.InvariantCulture), StringComparison.Ordinal);
            condition = condition.Replace(token, $"'{time.UtcDateTime:yyyy-MM-dd HH:mm:ss.fff}+00'", StringComparison.Ordinal);
        }

        var where = $"deleted_at IS NULL AND {condition}";
        var orderBy = OrderBy(order);
        var total = await Db.ScalarAsync<long>(api.ConnectionString, $"SELECT count(*) FROM customer WHERE {where}");
        Assert.True(total > CustomerPositions.SeekFromOffset, $"{filter} keeps {total}");

        foreach (var offset in new long[] { 0, 3, CustomerPositions.SeekFromOffset, 10_007, total - 30, total - 1, total + 5 })
        {
            await AssertPageAsync($"{filter}&order={order}", offset, $"SELECT id FROM customer WHERE {where} ORDER BY {orderBy} OFFSET $1 LIMIT 25", [], total);
        }
    }

    [Theory]
    [InlineData("are", "id")] // Karen, Margaret: about 1 in 18 customers, so the page is sorted from the matches
    [InlineData("are", "-created_at")]
    [InlineData("seed-deep", "id")] // every seeded customer: the page is found by walking the id index
    public async Task Deep_pages_of_searches_equal_a_plain_offset(string q, string order)
    {
        const string matches =
            "FROM customer WHERE deleted_at IS NULL AND (company_name ILIKE $1 OR first_name ILIKE $1 OR last_name ILIKE $1 OR email ILIKE $1 OR phone ILIKE $1)";
        var orderBy = OrderBy(order);
        var total = await Db.ScalarAsync<long>(api.ConnectionString, $"SELECT count(*) {matches}", $"%{q}%");
        Assert.True(total > SqlPage.SparseCheckFromOffset + 100, $"q={q} matches {total}");

        foreach (var offset in new long[] { SqlPage.SparseCheckFromOffset, SqlPage.SparseCheckFromOffset + 77, total - 10 })
        {
            await AssertPageAsync($"q={q}&order={order}", offset, $"SELECT id {matches} ORDER BY {orderBy} OFFSET $2 LIMIT 25", [$"%{q}%"], total: null);
        }
    }

    [Fact]
    public async Task Counts_of_broad_searches_are_the_planners_estimate_and_narrow_ones_are_exact()
    {
        var broad = await Db.ScalarAsync<long>(api.ConnectionString,
            "SELECT count(*) FROM customer WHERE deleted_at IS NULL AND email LIKE 'seed-deep-%'");
        await Db.ExecuteAsync(api.ConnectionString, "ANALYZE customer");

        var estimated = (await api.AdminGetAsync("/admin/customers?q=seed-deep&limit=5&fields=id", api.Key)).Expect(HttpStatusCode.OK).Object;
        var narrow = (await api.AdminGetAsync("/admin/customers?q=seed-deep-1234@&limit=5&fields=id", api.Key)).Expect(HttpStatusCode.OK).Object;
        var lastPage = (await api.AdminGetAsync($"/admin/customers?q=seed-deep&offset={broad - 3}&limit=5&fields=id", api.Key))
            .Expect(HttpStatusCode.OK).Object;

        Assert.True(broad > CustomerPositions.SeekFromOffset);
        Assert.InRange(estimated["count"]!.GetValue<long>(), broad * 8 / 10, broad * 12 / 10);
        Assert.Equal(1, narrow["count"]!.GetValue<long>());
        Assert.Equal(3, lastPage["customers"]!.AsArray().Count);
        Assert.Equal(broad, lastPage["count"]!.GetValue<long>()); // a page that ends early knows the exact count
    }

    [Theory]
    [InlineData("id")]
    [InlineData("-id")]
    public async Task Pages_of_one_groups_customers_skip_deleted_members_and_count_exactly(string order)
    {
        var group = (await Db.ScalarAsync<string>(api.ConnectionString, "SELECT id FROM customer_group WHERE name = 'Seed deep group 0'"))!;
        const string members =
            "FROM customer c WHERE c.deleted_at IS NULL AND EXISTS (SELECT 1 FROM customer_group_customer m WHERE m.customer_id = c.id AND m.customer_group_id = $1)";
        var total = await Db.ScalarAsync<long>(api.ConnectionString, $"SELECT count(*) {members}", group);
        var deletedMembers = await Db.ScalarAsync<long>(api.ConnectionString,
            "SELECT count(*) FROM customer_group_customer m JOIN customer c ON c.id = m.customer_id WHERE m.customer_group_id = $1 AND c.deleted_at IS NOT NULL", group);
        Assert.True(deletedMembers > 0, "the fixture deletes some members of the group");

        foreach (var offset in new long[] { 0, 7, 5_000, total - 25, total - 3, total + 10 })
        {
            await AssertPageAsync($"groups={group}&order={order}", offset, $"SELECT c.id {members} ORDER BY c.id {Direction(order)} OFFSET $2 LIMIT 25", [group], total);
        }
    }

    /// <summary>
    /// Asserts that the API's page of <paramref name="query"/> at <paramref name="offset"/> (25 rows) holds exactly the
    /// ids <paramref name="expectedSql"/> returns (its last parameter is the offset), in that order, and that its
    /// count is <paramref name="total"/> when one is given.
    /// </summary>
    private async Task AssertPageAsync(string query, long offset, string expectedSql, object[] sqlParameters, long? total)
    {
        var expected = (await Db.RowsAsync(api.ConnectionString, expectedSql, [.. sqlParameters, offset])).Select(row => (string)row["id"]!).ToList();
        var page = (await api.AdminGetAsync($"/admin/customers?{query}&offset={offset}&limit=25&fields=id", api.Key)).Expect(HttpStatusCode.OK).Object;

        var ids = Ids(page);
        Assert.True(expected.SequenceEqual(ids), $"offset {offset}: expected [{string.Join(", ", expected)}], got [{string.Join(", ", ids)}]");
        if (total is { } count)
        {
            Assert.Equal(count, page["count"]!.GetValue<long>());
        }
    }

    private static List<string> Ids(JsonObject page) => page["customers"]!.AsArray().Select(customer => customer!["id"]!.GetValue<string>()).ToList();

    /// <summary>The SQL order of an <c>order</c> value: ties by id in the same direction.</summary>
    private static string OrderBy(string order)
    {
        var column = order.TrimStart('-');
        return column == "id" ? $"id {Direction(order)}" : $"{column} {Direction(order)}, id {Direction(order)}";
    }

    private static string Direction(string order) => order.StartsWith('-') ? "DESC" : "ASC";
}
