using System.Diagnostics;
using System.Text.Json;
using Customers.Abstractions.Ids;
using Customers.Grains.CustomerGroups;
using Customers.Grains.Customers;
using Customers.Grains.Storage;
using Npgsql;
using NpgsqlTypes;

namespace Customers.Host.Database;

/// <summary>
/// Bulk-loads synthetic customers (with addresses and customer-group memberships) as real data: for every customer a
/// grain storage row whose payload is the <see cref="CustomerState"/> JSON the customer grain reads back, keyed exactly
/// as Orleans' ADO.NET provider keys it, plus the read-model rows the 0003 trigger would have projected from it.
/// <para>
/// Speed: each batch is one transaction of binary COPYs. The read-model triggers are bypassed for that transaction only
/// (<c>SET LOCAL session_replication_role = replica</c>, which needs a superuser connection), and the seeder writes the
/// read-model rows itself in the same transaction, from the same values, so storage and read model cannot disagree.
/// Foreign keys are not checked under <c>replica</c> either; the seeder only references rows it writes itself.
/// </para>
/// <para>
/// Every run has a run name that is part of every e-mail (<c>seed-RUN-N@example.com</c>) and group name; a run name
/// that already has customers is refused, so running twice never duplicates or collides.
/// </para>
/// </summary>
internal sealed class CustomerSeeder(NpgsqlDataSource database, string serviceId, TimeProvider clock)
{
    public sealed record Options(int Customers, int AddressesPerCustomer = 1, int Groups = 10, string? Run = null,
        int BatchSize = 10_000, int Parallelism = 2);

    public sealed record Result(string Run, int Customers, int Addresses, int Groups, int Memberships, TimeSpan Elapsed);

    private static readonly string[] FirstNames =
    [
        "Ada", "Grace", "Alan", "Edsger", "Barbara", "Donald", "Frances", "John", "Margaret", "Dennis", "Ken", "Radia",
        "Tim", "Linus", "Guido", "Bjarne", "Anders", "Sophie", "Hedy", "Katherine", "Dorothy", "Mary", "Leslie", "Niklaus",
        "Tony", "Robin", "Shafi", "Silvio", "Whitfield", "Martin", "Ivan", "Jean", "Claude", "Karen", "Adele", "Lynn",
    ];

    private static readonly string[] LastNames =
    [
        "Lovelace", "Hopper", "Turing", "Dijkstra", "Liskov", "Knuth", "Allen", "McCarthy", "Hamilton", "Ritchie",
        "Thompson", "Perlman", "Berners-Lee", "Torvalds", "Rossum", "Stroustrup", "Hejlsberg", "Wilson", "Lamarr",
        "Johnson", "Vaughan", "Jackson", "Lamport", "Wirth", "Hoare", "Milner", "Goldwasser", "Micali", "Diffie",
        "Hellman", "Sutherland", "Sammet", "Shannon", "Jones", "Goldberg", "Conway",
    ];

    private static readonly string[] Cities = ["London", "Paris", "Berlin", "Madrid", "Rome", "Lisbon", "Vienna", "Oslo", "Dublin", "Prague"];
    private static readonly string[] Countries = ["gb", "fr", "de", "es", "it", "pt", "at", "no", "ie", "cz"];

    private readonly JsonSerializerOptions _json = GrainStorageRows.Json;

    public const string RunNameRule = "The run name may hold only letters, digits, '-' and '_'.";

    /// <summary>Run names become part of e-mails and ids: ASCII letters, digits, '-' and '_' only.</summary>
    public static bool IsValidRunName(string run) =>
        run.Length > 0 && run.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_');

    public static string EmailOf(string run, int index) => $"seed-{run}-{index}@example.com";

    public async Task<Result> SeedAsync(Options options, Action<string> progress, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Customers);
        ArgumentOutOfRangeException.ThrowIfNegative(options.AddressesPerCustomer);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Groups);
        var run = (options.Run ?? clock.GetUtcNow().ToString("yyyyMMddHHmmss", System.Globalization.CultureInfo.InvariantCulture)).ToLowerInvariant();
        if (!IsValidRunName(run))
        {
            throw new ArgumentException(RunNameRule, nameof(options));
        }

        var stopwatch = Stopwatch.StartNew();
        await EnsureNewRunAsync(run, ct);

        // Creation times: whole milliseconds (what PostgreSQL's timestamptz keeps exactly), one per customer, ending
        // now, so ids (ULIDs of the creation time) and created_at sort alike.
        var end = DateTimeOffset.FromUnixTimeMilliseconds(clock.GetUtcNow().ToUnixTimeMilliseconds());
        var start = end.AddMilliseconds(-(long)options.Customers * 1000);
        var groupIds = await SeedGroupsAsync(run, options.Groups, start.AddSeconds(-1), ct);

        var batches = (options.Customers + options.BatchSize - 1) / options.BatchSize;
        var done = 0;
        await Parallel.ForAsync(0, batches, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, options.Parallelism), CancellationToken = ct },
            async (batch, token) =>
            {
                var first = batch * options.BatchSize;
                var count = Math.Min(options.BatchSize, options.Customers - first);
                await SeedBatchAsync(run, first, count, options.AddressesPerCustomer, groupIds, start, token);
                var total = Interlocked.Add(ref done, count);
                progress($"seeded {total:N0} / {options.Customers:N0} customers ({stopwatch.Elapsed.TotalSeconds:F1} s)");
            });

        progress("vacuuming and analyzing the tables (visibility map for index-only scans, planner statistics)");
        await using (var analyze = database.CreateCommand("VACUUM (ANALYZE) orleansstorage, customer, customer_address, customer_group, customer_group_customer, customer_position_bucket"))
        {
            analyze.CommandTimeout = 0;
            await analyze.ExecuteNonQueryAsync(ct);
        }

        var memberships = groupIds.Length == 0 ? 0 : options.Customers;
        return new Result(run, options.Customers, options.Customers * options.AddressesPerCustomer, groupIds.Length, memberships, stopwatch.Elapsed);
    }

    private async Task EnsureNewRunAsync(string run, CancellationToken ct)
    {
        await using var command = database.CreateCommand("SELECT EXISTS (SELECT 1 FROM customer WHERE email = $1)");
        command.Parameters.Add(new NpgsqlParameter { Value = EmailOf(run, 0), NpgsqlDbType = NpgsqlDbType.Text });
        if ((bool)(await command.ExecuteScalarAsync(ct))!)
        {
            throw new InvalidOperationException($"Seed run '{run}' has already been loaded; choose another --run name.");
        }
    }

    private async Task<string[]> SeedGroupsAsync(string run, int groups, DateTimeOffset createdAt, CancellationToken ct)
    {
        if (groups == 0)
        {
            return [];
        }

        var ids = new string[groups];
        await using var connection = await database.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await BypassTriggersAsync(connection, ct);
        var states = new CustomerGroupState[groups];
        await using (var storage = await connection.BeginBinaryImportAsync(StorageCopy, ct))
        {
            for (var g = 0; g < groups; g++)
            {
                ids[g] = EntityId.New(EntityId.CustomerGroup, createdAt);
                states[g] = new CustomerGroupState
                {
                    Id = ids[g],
                    Name = $"Seed {run} group {g}",
                    CreatedAt = createdAt,
                    UpdatedAt = createdAt,
                };
                await WriteStorageRowAsync(storage, StateNames.CustomerGroup, ids[g], JsonSerializer.SerializeToUtf8Bytes(states[g], _json), ct);
            }

            await storage.CompleteAsync(ct);
        }

        await using (var rows = await connection.BeginBinaryImportAsync(
            "COPY customer_group (id, name, metadata, created_by, created_at, updated_at, deleted_at) FROM STDIN (FORMAT BINARY)", ct))
        {
            foreach (var state in states)
            {
                await rows.StartRowAsync(ct);
                await rows.WriteAsync(state.Id!, NpgsqlDbType.Text, ct);
                await rows.WriteAsync(state.Name, NpgsqlDbType.Text, ct);
                await rows.WriteNullAsync(ct);
                await rows.WriteNullAsync(ct);
                await rows.WriteAsync(createdAt, NpgsqlDbType.TimestampTz, ct);
                await rows.WriteAsync(createdAt, NpgsqlDbType.TimestampTz, ct);
                await rows.WriteNullAsync(ct);
            }

            await rows.CompleteAsync(ct);
        }

        await transaction.CommitAsync(ct);
        return ids;
    }

    private const string StorageCopy =
        """
        COPY orleansstorage (serviceid, graintypestring, grainidn0, grainidn1, grainidextensionstring, grainidhash,
                             graintypehash, payloadbinary, version)
        FROM STDIN (FORMAT BINARY)
        """;

    private async Task SeedBatchAsync(
        string run, int first, int count, int addressesPerCustomer, string[] groupIds, DateTimeOffset start, CancellationToken ct)
    {
        var customers = new CustomerState[count];
        for (var n = 0; n < count; n++)
        {
            customers[n] = NewCustomer(run, first + n, addressesPerCustomer, start.AddSeconds(first + n));
        }

        await using var connection = await database.OpenConnectionAsync(ct);
        await using var transaction = await connection.BeginTransactionAsync(ct);
        await BypassTriggersAsync(connection, ct);

        await using (var storage = await connection.BeginBinaryImportAsync(StorageCopy, ct))
        {
            foreach (var customer in customers)
            {
                await WriteStorageRowAsync(storage, StateNames.Customer, customer.Id!, JsonSerializer.SerializeToUtf8Bytes(customer, _json), ct);
            }

            await storage.CompleteAsync(ct);
        }

        await using (var rows = await connection.BeginBinaryImportAsync(
            """
            COPY customer (id, company_name, first_name, last_name, email, phone, has_account, metadata, created_by,
                           created_at, updated_at, deleted_at)
            FROM STDIN (FORMAT BINARY)
            """, ct))
        {
            foreach (var c in customers)
            {
                await rows.StartRowAsync(ct);
                await rows.WriteAsync(c.Id!, NpgsqlDbType.Text, ct);
                await WriteTextAsync(rows, c.CompanyName, ct);
                await WriteTextAsync(rows, c.FirstName, ct);
                await WriteTextAsync(rows, c.LastName, ct);
                await WriteTextAsync(rows, c.Email, ct);
                await WriteTextAsync(rows, c.Phone, ct);
                await rows.WriteAsync(c.HasAccount, NpgsqlDbType.Boolean, ct);
                await rows.WriteNullAsync(ct); // metadata
                await WriteTextAsync(rows, c.CreatedBy, ct);
                await rows.WriteAsync(c.CreatedAt, NpgsqlDbType.TimestampTz, ct);
                await rows.WriteAsync(c.UpdatedAt, NpgsqlDbType.TimestampTz, ct);
                await rows.WriteNullAsync(ct); // deleted_at
            }

            await rows.CompleteAsync(ct);
        }

        if (addressesPerCustomer > 0)
        {
            await using var rows = await connection.BeginBinaryImportAsync(
                """
                COPY customer_address (id, customer_id, address_name, is_default_shipping, is_default_billing, company,
                                       first_name, last_name, address_1, address_2, city, country_code, province,
                                       postal_code, phone, metadata, created_at, updated_at, deleted_at)
                FROM STDIN (FORMAT BINARY)
                """, ct);
            foreach (var c in customers)
            {
                foreach (var a in c.Addresses)
                {
                    await rows.StartRowAsync(ct);
                    await rows.WriteAsync(a.Id, NpgsqlDbType.Text, ct);
                    await rows.WriteAsync(c.Id!, NpgsqlDbType.Text, ct);
                    await WriteTextAsync(rows, a.AddressName, ct);
                    await rows.WriteAsync(a.IsDefaultShipping, NpgsqlDbType.Boolean, ct);
                    await rows.WriteAsync(a.IsDefaultBilling, NpgsqlDbType.Boolean, ct);
                    await WriteTextAsync(rows, a.Company, ct);
                    await WriteTextAsync(rows, a.FirstName, ct);
                    await WriteTextAsync(rows, a.LastName, ct);
                    await WriteTextAsync(rows, a.Address1, ct);
                    await WriteTextAsync(rows, a.Address2, ct);
                    await WriteTextAsync(rows, a.City, ct);
                    await WriteTextAsync(rows, a.CountryCode, ct);
                    await WriteTextAsync(rows, a.Province, ct);
                    await WriteTextAsync(rows, a.PostalCode, ct);
                    await WriteTextAsync(rows, a.Phone, ct);
                    await rows.WriteNullAsync(ct); // metadata
                    await rows.WriteAsync(a.CreatedAt, NpgsqlDbType.TimestampTz, ct);
                    await rows.WriteAsync(a.UpdatedAt, NpgsqlDbType.TimestampTz, ct);
                    await rows.WriteNullAsync(ct); // deleted_at, as the trigger projects for a live customer
                }
            }

            await rows.CompleteAsync(ct);
        }

        if (groupIds.Length > 0)
        {
            // One membership per customer, round robin over the run's groups.
            await using var rows = await connection.BeginBinaryImportAsync(
                "COPY customer_group_customer (id, customer_id, customer_group_id, created_at, updated_at) FROM STDIN (FORMAT BINARY)", ct);
            for (var n = 0; n < count; n++)
            {
                var c = customers[n];
                await rows.StartRowAsync(ct);
                await rows.WriteAsync(EntityId.New(EntityId.CustomerGroupCustomer, c.CreatedAt), NpgsqlDbType.Text, ct);
                await rows.WriteAsync(c.Id!, NpgsqlDbType.Text, ct);
                await rows.WriteAsync(groupIds[(first + n) % groupIds.Length], NpgsqlDbType.Text, ct);
                await rows.WriteAsync(c.CreatedAt, NpgsqlDbType.TimestampTz, ct);
                await rows.WriteAsync(c.CreatedAt, NpgsqlDbType.TimestampTz, ct);
            }

            await rows.CompleteAsync(ct);
        }

        // The position counters' trigger is bypassed too (0011): count the batch in the same transaction.
        await using (var positions = new NpgsqlCommand("SELECT customer_position_add($1)", connection, transaction))
        {
            positions.Parameters.Add(new NpgsqlParameter { Value = customers.Select(c => c.Id!).ToArray(), NpgsqlDbType = NpgsqlDbType.Array | NpgsqlDbType.Text });
            await positions.ExecuteNonQueryAsync(ct);
        }

        await transaction.CommitAsync(ct);
    }

    private static CustomerState NewCustomer(string run, int index, int addresses, DateTimeOffset createdAt)
    {
        var first = FirstNames[index % FirstNames.Length];
        var last = LastNames[index / FirstNames.Length % LastNames.Length];
        var customer = new CustomerState
        {
            Id = EntityId.New(EntityId.Customer, createdAt),
            Email = EmailOf(run, index),
            FirstName = first,
            LastName = last,
            CompanyName = index % 4 == 0 ? $"{last} & Co {index % 1000}" : null,
            Phone = $"+1555{index:D7}",
            HasAccount = index % 3 == 0,
            CreatedBy = null,
            CreatedAt = createdAt,
            UpdatedAt = createdAt,
        };
        for (var a = 0; a < addresses; a++)
        {
            var city = (index + a) % Cities.Length;
            customer.Addresses.Add(new AddressState
            {
                Id = EntityId.New(EntityId.Address, createdAt),
                AddressName = a == 0 ? "Home" : $"Address {a + 1}",
                IsDefaultShipping = a == 0,
                IsDefaultBilling = a == 0,
                FirstName = first,
                LastName = last,
                Address1 = $"{index % 997 + 1} {last} Street",
                City = Cities[city],
                CountryCode = Countries[city],
                PostalCode = $"{index % 100_000:D5}",
                Phone = customer.Phone,
                CreatedAt = createdAt,
                UpdatedAt = createdAt,
            });
        }

        return customer;
    }

    /// <summary>One grain storage row as Orleans' ADO.NET provider keys a string-keyed grain (<see cref="GrainStorageRows"/>).</summary>
    private async Task WriteStorageRowAsync(NpgsqlBinaryImporter storage, string stateName, string key, byte[] payload, CancellationToken ct)
    {
        await storage.StartRowAsync(ct);
        await storage.WriteAsync(serviceId, NpgsqlDbType.Text, ct);
        await storage.WriteAsync(stateName, NpgsqlDbType.Text, ct);
        await storage.WriteAsync(0L, NpgsqlDbType.Bigint, ct);
        await storage.WriteAsync(0L, NpgsqlDbType.Bigint, ct);
        await storage.WriteAsync(key, NpgsqlDbType.Text, ct);
        await storage.WriteAsync(GrainIdHash(key), NpgsqlDbType.Integer, ct);
        await storage.WriteAsync(GrainStorageRows.TypeHash(stateName), NpgsqlDbType.Integer, ct);
        await storage.WriteAsync(payload, NpgsqlDbType.Bytea, ct);
        await storage.WriteAsync(1, NpgsqlDbType.Integer, ct);
    }

    /// <summary>The provider's grain id hash of a string key.</summary>
    public int GrainIdHash(string key) => GrainStorageRows.IdHash(key);

    private static Task WriteTextAsync(NpgsqlBinaryImporter rows, string? value, CancellationToken ct) =>
        value is null ? rows.WriteNullAsync(ct) : rows.WriteAsync(value, NpgsqlDbType.Text, ct);

    private static async Task BypassTriggersAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand("SET LOCAL session_replication_role = replica", connection);
        try
        {
            await command.ExecuteNonQueryAsync(ct);
        }
        catch (PostgresException error) when (error.SqlState == PostgresErrorCodes.InsufficientPrivilege)
        {
            throw new InvalidOperationException(
                "seed needs a superuser database connection (it bypasses the read-model triggers with session_replication_role " +
                "and writes the read model itself).", error);
        }
    }
}
