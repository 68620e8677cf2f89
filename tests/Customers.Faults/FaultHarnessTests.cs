using System.Globalization;
using System.Net;
using System.Text.Json.Nodes;
using Customers.Cluster.Tests;
using Customers.Testing;
using Xunit;
using Xunit.Abstractions;

namespace Customers.Faults;

/// <summary>
/// The fault harness (docs/reliability.md): a real PostgreSQL, three real silos and a real nginx in front (round robin,
/// client addresses forwarded, the silos trusting it), a mixed workload from many client addresses, and one fault
/// after another: kill -9 of a silo, a graceful stop and restart of a silo, PostgreSQL fast and immediate shutdowns,
/// and a PostgreSQL restart during a burst of writes. Afterwards every acknowledged write is read back through a
/// silo that never failed and in the database, accounts are checked for duplicates, and a per-client limit is
/// exercised through the balancer. The bounded form runs in CI; <c>bench/faults.sh</c> runs the long form.
/// </summary>
public sealed class FaultHarnessTests(ITestOutputHelper output)
{
    private const int FailedLoginLimit = 6;
    private static readonly TimeSpan RecoveryBound = TimeSpan.FromSeconds(10);

    [Fact]
    public async Task Acknowledged_writes_survive_every_fault_behind_a_real_load_balancer()
    {
        var scale = FaultScale.FromEnvironment();
        await using var postgres = await RestartablePostgres.CreateAsync();
        await using var cluster = await SiloCluster.CreateAsync("faults", server: postgres);
        var secretKey = await SecretKeys.CreateAsync(cluster.ConnectionString, "fault harness");
        var settings = cluster.Settings with
        {
            Arguments =
            [
                // nginx connects from 127.0.0.1: its X-Forwarded-For is believed, so each shopper has its own budgets.
                "--Customers:Proxy:KnownProxies:0", "127.0.0.1",
                "--Customers:RateLimits:FailedLoginsPerHour", FailedLoginLimit.ToString(CultureInfo.InvariantCulture),
            ],
        };

        var ports = SiloProcess.FreePorts(10);
        var siloPorts = Enumerable.Range(0, 3).Select(i => (Http: ports[3 * i], Silo: ports[(3 * i) + 1], Gateway: ports[(3 * i) + 2])).ToArray();
        var silos = new SiloProcess?[3];
        try
        {
            await Task.WhenAll(Enumerable.Range(0, 3).Select(async i => silos[i] = await SiloProcess.StartAsync($"silo{i + 1}", settings, siloPorts[i])));
            await using var nginx = await Nginx.StartAsync(ports[9], siloPorts.Select(p => p.Http));
            var groupIds = await CreateGroupsAsync(nginx.BaseAddress, cluster.PublishableKey, secretKey);

            var workload = new Workload(nginx.BaseAddress, cluster.PublishableKey, secretKey, groupIds, scale.Shoppers, scale.ThinkTime);
            using var stop = new CancellationTokenSource();
            var running = workload.RunAsync(stop.Token);
            var windows = new List<FaultWindow>();

            async Task FaultAsync(string fault, Func<Task> inject, Func<Task> undo)
            {
                var start = DateTime.UtcNow;
                await inject();
                await Task.Delay(scale.Hold);
                await undo();
                var undone = DateTime.UtcNow;
                await Task.Delay(scale.Settle);
                windows.Add(new FaultWindow(fault, start, undone, DateTime.UtcNow));
                output.WriteLine($"{DateTime.UtcNow:HH:mm:ss} {fault}: done");
            }

            // Under traffic on a busy machine, joining the cluster again can take a while.
            async Task RestartSiloAsync(int i) => silos[i] = await SiloProcess.StartAsync($"silo{i + 1}", settings, siloPorts[i], TimeSpan.FromMinutes(2));

            var steadyStart = DateTime.UtcNow;
            await Task.Delay(scale.Settle);
            windows.Add(new FaultWindow("none (steady traffic)", steadyStart, steadyStart, DateTime.UtcNow));

            await FaultAsync("kill -9 of a silo", () => Task.Run(() => silos[1]!.Kill()), () => RestartSiloAsync(1));
            await FaultAsync("graceful stop and restart of a silo", () => silos[2]!.StopAsync(), () => RestartSiloAsync(2));
            await FaultAsync("PostgreSQL fast shutdown and start", () => postgres.StopAsync(PostgresShutdown.Fast), postgres.StartAsync);
            await FaultAsync("PostgreSQL immediate shutdown and start", () => postgres.StopAsync(PostgresShutdown.Immediate), postgres.StartAsync);
            await FaultAsync(
                "PostgreSQL restart during a burst of writes",
                async () =>
                {
                    workload.Burst = true;
                    await Task.Delay(TimeSpan.FromSeconds(1));
                    await postgres.StopAsync(PostgresShutdown.Fast);
                },
                async () =>
                {
                    await postgres.StartAsync();
                    workload.Burst = false;
                });

            await stop.CancelAsync();
            await running;

            var survivor = silos[0]!;
            Assert.False(survivor.HasExited, $"silo1 was never touched but exited:\n{survivor.RecentOutput}");
            var lost = await ReadBackAsync(workload.Ledger, survivor, cluster, windows);
            var duplicates = await DuplicatesAsync(cluster);
            var limits = await CheckClientLimitAsync(nginx.BaseAddress, cluster.PublishableKey);

            var rows = windows.Select(w => FaultFigures.Of(w, workload.Samples)).ToList();
            var notes = new List<string>
            {
                $"{workload.Ledger.Accounts.Count} acknowledged sign-ups, {workload.Ledger.Accounts.Sum(a => a.AcknowledgedCities.Count)} acknowledged addresses, " +
                $"{workload.Ledger.Memberships.Count} acknowledged group changes; every one read back through a silo that never failed and in PostgreSQL: {lost.Count} missing.",
                $"Duplicate accounts (one e-mail, two customers or two identities): {duplicates}.",
                limits,
            };
            notes.AddRange(lost.Take(10));
            notes.AddRange(ErrorBreakdown(windows, workload.Samples));
            foreach (var silo in silos.Where(s => s is not null))
            {
                // The silos' own account of any 500 (the generic handler logs the exception; secrets are never logged).
                var lines = silo!.RecentOutput.Split('\n');
                notes.AddRange(lines.Select((line, i) => (line, i))
                    .Where(l => l.line.Contains("MedusaExceptionHandler", StringComparison.Ordinal) && l.i + 2 < lines.Length
                        && !lines[l.i + 2].Contains("CustomersException", StringComparison.Ordinal))
                    .Select(l => $"{silo.Name} logged: {lines[l.i + 1].Trim()}: {lines[l.i + 2].Trim()}").Distinct().Take(5));
            }
            var report = FaultReport.Markdown(scale, rows, duplicates, notes);
            output.WriteLine(report);
            if (Environment.GetEnvironmentVariable("CUSTOMERS_FAULTS_REPORT") is { Length: > 0 } reportPath)
            {
                await File.WriteAllTextAsync(reportPath, report);
            }

            Assert.True(workload.Ledger.Accounts.Count >= scale.Shoppers, $"Too few sign-ups to prove anything:\n{report}");
            Assert.Empty(lost);
            Assert.Equal(0, duplicates);
            foreach (var row in rows)
            {
                Assert.True(row.ServerErrors500 == 0, $"{row.Fault}: {row.ServerErrors500} answers were 500, not a retryable 503:\n{report}");
                Assert.True(row.RecoveredAfterUndo is null || row.RecoveredAfterUndo <= RecoveryBound,
                    $"{row.Fault}: errors went on {row.RecoveredAfterUndo} after the fault was undone:\n{report}");
            }
        }
        finally
        {
            foreach (var silo in silos)
            {
                if (silo is not null)
                {
                    await silo.DisposeAsync();
                }
            }
        }
    }

    /// <summary>Per fault, the errors by route and status: what a client saw and where.</summary>
    private static IEnumerable<string> ErrorBreakdown(List<FaultWindow> windows, IReadOnlyCollection<Sample> samples) =>
        windows.Select(w => (w.Fault, Errors: samples.Where(s => s.Answer.At >= w.Start && s.Answer.At < w.End && s.Answer.IsError)
                .GroupBy(s => $"{s.Operation} {s.Answer.Status}").OrderByDescending(g => g.Count()).Select(g => $"{g.Key} ×{g.Count()}").ToList()))
            .Where(w => w.Errors.Count > 0)
            .Select(w => $"Errors during \"{w.Fault}\": {string.Join("; ", w.Errors)}.");

    private static async Task<string[]> CreateGroupsAsync(Uri balancer, string publishableKey, string secretKey)
    {
        using var admin = new Client(balancer, IPAddress.Parse("127.0.0.9"), publishableKey, TimeSpan.FromSeconds(30));
        var ids = new List<string>();
        foreach (var name in new[] { "VIP", "Wholesale", "Newsletter" })
        {
            var created = await admin.SendAsync(HttpMethod.Post, "/admin/customer-groups", new JsonObject { ["name"] = name }, secretKey: secretKey);
            Assert.True(created.IsSuccess, $"create group {name}: {created}");
            ids.Add((string)created.Body!["customer_group"]!["id"]!);
        }

        return [.. ids];
    }

    /// <summary>
    /// Every acknowledged write, read back through <paramref name="survivor"/> (a silo that never failed) and in
    /// PostgreSQL; each one missing in either place is a lost write, counted in the fault window it was acknowledged in.
    /// </summary>
    private static async Task<List<string>> ReadBackAsync(Ledger ledger, SiloProcess survivor, SiloCluster cluster, List<FaultWindow> windows)
    {
        var lost = new List<string>();
        void Lost(DateTime at, string what)
        {
            lost.Add(what);
            if (windows.LastOrDefault(w => w.Start <= at) is { } window)
            {
                window.WritesLost++;
            }
        }

        var names = (await Db.RowsAsync(cluster.ConnectionString, "SELECT id, first_name FROM customer WHERE deleted_at IS NULL"))
            .ToDictionary(r => (string)r["id"]!, r => (string?)r["first_name"]);
        var cities = (await Db.RowsAsync(cluster.ConnectionString, "SELECT customer_id, city FROM customer_address WHERE deleted_at IS NULL"))
            .Select(r => ((string)r["customer_id"]!, (string?)r["city"])).ToHashSet();
        var memberships = (await Db.RowsAsync(cluster.ConnectionString, "SELECT customer_group_id, customer_id FROM customer_group_customer"))
            .Select(r => ((string)r["customer_group_id"]!, (string)r["customer_id"]!)).ToHashSet();

        using var client = new Client(survivor.BaseAddress, IPAddress.Loopback, cluster.PublishableKey, TimeSpan.FromSeconds(30));
        foreach (var account in ledger.Accounts)
        {
            if (!names.TryGetValue(account.CustomerId, out var storedName))
            {
                Lost(account.CreatedAt, $"sign-up of {account.CustomerId} is not in the database");
                continue;
            }

            var login = await client.SendAsync(HttpMethod.Post, "/auth/customer/emailpass", new JsonObject { ["email"] = account.Email, ["password"] = account.Password });
            var token = (string?)login.Body?["token"];
            var me = token is null ? login : await client.SendAsync(HttpMethod.Get, "/store/customers/me", bearer: token);
            if (!me.IsSuccess || (string?)me.Body?["customer"]?["id"] != account.CustomerId)
            {
                Lost(account.CreatedAt, $"sign-up of {account.CustomerId} does not read back through {survivor.Name}: {me}");
                continue;
            }

            var allowed = account.AllowedNames;
            var readName = (string?)me.Body!["customer"]!["first_name"];
            if (!allowed.Contains(storedName) || !allowed.Contains(readName))
            {
                Lost(account.AcknowledgedNameAt, $"{account.CustomerId}: first_name {storedName} (database) / {readName} (silo), acknowledged {account.AcknowledgedName}");
            }

            var addresses = await client.SendAsync(HttpMethod.Get, "/store/customers/me/addresses?limit=1000", bearer: token);
            var readCities = (addresses.Body?["addresses"] as JsonArray ?? []).Select(a => (string?)a?["city"]).ToHashSet();
            foreach (var (city, at) in account.AcknowledgedCities)
            {
                if (!cities.Contains((account.CustomerId, city)) || !readCities.Contains(city))
                {
                    Lost(at, $"{account.CustomerId}: acknowledged address in {city} missing");
                }
            }
        }

        foreach (var (group, customer, at) in ledger.Memberships)
        {
            if (!memberships.Contains((group, customer)))
            {
                Lost(at, $"acknowledged membership of {customer} in {group} missing");
            }
        }

        return lost;
    }

    /// <summary>E-mails held by two customers, or two emailpass identities: sign-ups retried across faults must not double.</summary>
    private static async Task<int> DuplicatesAsync(SiloCluster cluster) =>
        (int)(await Db.ScalarAsync<long>(cluster.ConnectionString,
            """
            SELECT (SELECT count(*) FROM (SELECT lower(email) FROM customer WHERE deleted_at IS NULL AND has_account GROUP BY 1 HAVING count(*) > 1) c)
                 + (SELECT count(*) FROM (SELECT provider, entity_id FROM provider_identity GROUP BY 1, 2 HAVING count(*) > 1) p)
            """));

    /// <summary>
    /// One client fails logins through the balancer, which spreads them over the three silos: the cluster-wide budget
    /// refuses it after <see cref="FailedLoginLimit"/> all the same, while another client's budget is untouched.
    /// </summary>
    private static async Task<string> CheckClientLimitAsync(Uri balancer, string publishableKey)
    {
        using var attacker = new Client(balancer, IPAddress.Parse("127.0.0.250"), publishableKey, TimeSpan.FromSeconds(30));
        using var bystander = new Client(balancer, IPAddress.Parse("127.0.0.251"), publishableKey, TimeSpan.FromSeconds(30));
        var statuses = new List<int>();
        for (var i = 0; i < FailedLoginLimit + 3; i++)
        {
            var answer = await attacker.SendAsync(HttpMethod.Post, "/auth/customer/emailpass",
                new JsonObject { ["email"] = $"nobody{i}@example.com", ["password"] = "wrong password" });
            statuses.Add(answer.Status);
        }

        var other = await bystander.SendAsync(HttpMethod.Post, "/auth/customer/emailpass",
            new JsonObject { ["email"] = "nobody@example.com", ["password"] = "wrong password" });
        Assert.True(statuses.Take(FailedLoginLimit).All(s => s == 401) && statuses.Skip(FailedLoginLimit).All(s => s == 429),
            $"Failed logins of one client through the balancer over three silos: {string.Join(", ", statuses)} (limit {FailedLoginLimit})");
        Assert.Equal(401, other.Status);
        return $"Per-client limit across silos behind the balancer: one client's {statuses.Count} failed logins answered {string.Join(", ", statuses)} " +
               $"(limit {FailedLoginLimit} an hour, round robin over 3 silos); another client's failed login still answered {other.Status}.";
    }
}
