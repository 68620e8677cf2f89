using System.Net;
using System.Text;
using Customers.Abstractions.Customers;
using Customers.Grains.Storage;
using Customers.Host.Database;
using Customers.Host.Hosting;
using Customers.Host.Tests.Http.Admin;
using Customers.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Storage;
using Xunit;

namespace Customers.Host.Tests.Http.Operations;

/// <summary>A host on its own database: seeded rows must not show up in the shared suite's lists.</summary>
public sealed class SeededApiFactory : CustomersApiFactory
{
    protected override string DatabasePrefix => "seeded";
}

/// <summary>
/// The <c>seed</c> command's loader writes real data: grain storage rows the customer grain reads back (and can write
/// again, its ETag included), read-model rows identical to what the 0003 trigger projects from those payloads, and
/// group memberships the admin API serves.
/// </summary>
public sealed class SeedTests(SeededApiFactory api) : IClassFixture<SeededApiFactory>
{
    private const int Count = 2_000;

    private async Task<(CustomerSeeder Seeder, CustomerSeeder.Result Result)> SeedAsync(string run, int groups = 3, int count = Count)
    {
        await using var database = NpgsqlDataSource.Create(api.ConnectionString);
        var serviceId = api.Services.GetRequiredService<IOptions<ClusterOptions>>().Value.ServiceId;
        var seeder = new CustomerSeeder(database, serviceId, TimeProvider.System);
        var result = await seeder.SeedAsync(new CustomerSeeder.Options(count, 1, groups, run, BatchSize: 300), _ => { }, CancellationToken.None);
        return (seeder, result);
    }

    private static string Run() => "t" + Guid.NewGuid().ToString("N")[..12];

    [Fact]
    public async Task Seeded_customers_are_served_by_the_grain_and_the_admin_api()
    {
        var run = Run();
        var (_, result) = await SeedAsync(run);
        Assert.Equal((Count, Count, 3, Count), (result.Customers, result.Addresses, result.Groups, result.Memberships));
        var key = await api.CreateSecretKeyAsync();

        var ids = await Db.RowsAsync(api.ConnectionString,
            "SELECT id, email FROM customer WHERE email IN ($1, $2, $3) ORDER BY email",
            CustomerSeeder.EmailOf(run, 0), CustomerSeeder.EmailOf(run, 1), CustomerSeeder.EmailOf(run, Count - 1));
        Assert.Equal(3, ids.Count);

        var grains = api.Services.GetRequiredService<IGrainFactory>();
        foreach (var row in ids)
        {
            var id = (string)row["id"]!;
            var snapshot = await grains.GetGrain<ICustomerGrain>(id).GetAsync();
            Assert.NotNull(snapshot);
            Assert.Equal(id, snapshot.Id);
            Assert.Equal(row["email"], snapshot.Email);
            var address = Assert.Single(snapshot.Addresses);
            Assert.True(address.IsDefaultShipping && address.IsDefaultBilling);

            var wire = (await api.AdminGetAsync($"/admin/customers/{id}?fields=*addresses,*groups", key)).Expect(HttpStatusCode.OK)
                .Object["customer"]!.AsObject();
            Assert.Equal(row["email"], wire["email"]!.GetValue<string>());
            Assert.Equal(address.Id, Assert.Single(wire["addresses"]!.AsArray())!["id"]!.GetValue<string>());
            Assert.StartsWith($"Seed {run} group ", Assert.Single(wire["groups"]!.AsArray())!["name"]!.GetValue<string>());
        }

        // The stored ETag is the one the grain writes against: an update through the API succeeds and projects.
        var first = (string)ids[0]["id"]!;
        (await api.AdminPostAsync($"/admin/customers/{first}", key, new System.Text.Json.Nodes.JsonObject { ["first_name"] = "Updated" }))
            .Expect(HttpStatusCode.OK);
        Assert.Equal("Updated", await Db.ScalarAsync<string>(api.ConnectionString, "SELECT first_name FROM customer WHERE id = $1", first));
        Assert.Equal(2, await Db.StoredVersionAsync(api.ConnectionString, StateNames.Customer, first));

        // Search and the group filter see the seeded rows.
        var search = (await api.AdminGetAsync($"/admin/customers?q=seed-{run}-1999", key)).Expect(HttpStatusCode.OK).Object;
        Assert.Equal(1, search["count"]!.GetValue<long>());
        var group = await Db.ScalarAsync<string>(api.ConnectionString, "SELECT id FROM customer_group WHERE name = $1", $"Seed {run} group 0");
        var members = (await api.AdminGetAsync($"/admin/customers?groups={group}&limit=1", key)).Expect(HttpStatusCode.OK).Object;
        Assert.Equal((Count + 2) / 3, members["count"]!.GetValue<long>());
        (await api.AdminGetAsync($"/admin/customer-groups/{group}", key)).Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Read_model_rows_are_what_the_trigger_projects_from_the_storage_rows()
    {
        var run = Run();
        await SeedAsync(run);
        var seeded = $"seed-{run}-%"; // letters, digits and '-' only: safe inline
        await using var connection = new NpgsqlConnection(api.ConnectionString);
        await connection.OpenAsync();
        await using var transaction = await connection.BeginTransactionAsync();

        async Task<long> ScalarAsync(string sql)
        {
            // Bulk statements over every seeded row: no 30 s default on a busy machine.
            await using var command = new NpgsqlCommand(sql.Replace("$1", $"'{seeded}'", StringComparison.Ordinal), connection, transaction)
            {
                CommandTimeout = 600,
            };
            return Convert.ToInt64(await command.ExecuteScalarAsync());
        }

        await ScalarAsync("CREATE TEMP TABLE seeded_ids AS SELECT id FROM customer WHERE email LIKE $1");
        Assert.Equal(Count, await ScalarAsync("SELECT count(*) FROM seeded_ids WHERE $1 IS NOT NULL"));
        await ScalarAsync("CREATE TEMP TABLE before_customer AS SELECT c.* FROM customer c JOIN seeded_ids USING (id) WHERE $1 IS NOT NULL");
        await ScalarAsync("CREATE TEMP TABLE before_address AS SELECT a.* FROM customer_address a JOIN seeded_ids s ON s.id = a.customer_id WHERE $1 IS NOT NULL");
        Assert.Equal(Count, await ScalarAsync("SELECT count(*) FROM before_address WHERE $1 IS NOT NULL"));

        // Drop the seeder's rows and let the trigger project every seeded storage row again.
        await ScalarAsync("DELETE FROM customer WHERE id IN (SELECT id FROM seeded_ids) AND $1 IS NOT NULL");
        Assert.Equal(Count, await ScalarAsync(
            """
            WITH touched AS (
                UPDATE orleansstorage SET version = version
                WHERE graintypestring = 'customer' AND grainidextensionstring IN (SELECT id FROM seeded_ids) AND $1 IS NOT NULL
                RETURNING 1)
            SELECT count(*) FROM touched
            """));

        Assert.Equal(0, await ScalarAsync(
            """
            SELECT count(*) FROM (
                (SELECT * FROM before_customer EXCEPT SELECT c.* FROM customer c JOIN seeded_ids USING (id))
                UNION ALL
                (SELECT c.* FROM customer c JOIN seeded_ids USING (id) EXCEPT SELECT * FROM before_customer)) d
            WHERE $1 IS NOT NULL
            """));
        Assert.Equal(0, await ScalarAsync(
            """
            SELECT count(*) FROM (
                (SELECT * FROM before_address EXCEPT SELECT a.* FROM customer_address a JOIN seeded_ids s ON s.id = a.customer_id)
                UNION ALL
                (SELECT a.* FROM customer_address a JOIN seeded_ids s ON s.id = a.customer_id EXCEPT SELECT * FROM before_address)) d
            WHERE $1 IS NOT NULL
            """));
        await transaction.RollbackAsync();
    }

    [Fact]
    public async Task Storage_keys_and_hashes_are_those_orleans_writes()
    {
        var key = await api.CreateSecretKeyAsync();
        var created = await api.CreateGuestAsync(key, new System.Text.Json.Nodes.JsonObject { ["email"] = CustomersApiFactory.NewEmail("hash") });
        var id = created["id"]!.GetValue<string>();
        var (seeder, _) = await SeedAsync(Run(), groups: 0);

        var row = Assert.Single(await Db.RowsAsync(api.ConnectionString,
            "SELECT grainidn0, grainidn1, grainidhash, graintypehash FROM orleansstorage WHERE graintypestring = 'customer' AND grainidextensionstring = $1",
            id));
        Assert.Equal(0L, row["grainidn0"]);
        Assert.Equal(0L, row["grainidn1"]);
        Assert.Equal(seeder.GrainIdHash(id), row["grainidhash"]);
        Assert.Equal(new OrleansDefaultHasher().Hash(Encoding.UTF8.GetBytes("customer")), row["graintypehash"]);
    }

    [Fact]
    public async Task Counts_are_exact_up_to_ten_thousand_then_estimated_and_deep_pages_are_exact()
    {
        var run = Run();
        await SeedAsync(run, groups: 0, count: 10_050);
        var key = await api.CreateSecretKeyAsync();

        var narrow = (await api.AdminGetAsync($"/admin/customers?q=seed-{run}-1004&limit=5", key)).Expect(HttpStatusCode.OK).Object;
        Assert.Equal(11, narrow["count"]!.GetValue<long>()); // 1004 and 10040-10049: exact
        Assert.Equal(5, narrow["customers"]!.AsArray().Count);

        var all = (await api.AdminGetAsync($"/admin/customers?q=seed-{run}-&limit=20&offset=10040&order=created_at", key))
            .Expect(HttpStatusCode.OK).Object;
        Assert.True(all["count"]!.GetValue<long>() > 10_000, all["count"]!.ToJsonString()); // past the cap: an estimate
        var page = all["customers"]!.AsArray().Select(c => c!["email"]!.GetValue<string>()).ToList();
        Assert.Equal(Enumerable.Range(10_040, 10).Select(i => CustomerSeeder.EmailOf(run, i)), page);
    }

    [Fact]
    public async Task A_run_name_loads_once()
    {
        var run = Run();
        await SeedAsync(run, groups: 0);
        var error = await Assert.ThrowsAsync<InvalidOperationException>(() => SeedAsync(run, groups: 0));
        Assert.Contains("already been loaded", error.Message);
    }
}
