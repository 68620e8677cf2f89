using System.Text.Json.Nodes;
using Customers.Grains.Customers;
using Customers.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Npgsql;
using Orleans.Configuration;
using Orleans.Serialization;
using Orleans.Serialization.Serializers;
using Orleans.Storage;
using Xunit;
using static Customers.Host.Tests.OrleansStorage.StateJson;

namespace Customers.Host.Tests.OrleansStorage;

/// <summary>
/// Our storage queries against the real Microsoft.Orleans.Persistence.AdoNet provider: ETags, and the unique key
/// that stops two activations from both writing a grain's first state.
/// </summary>
public sealed class OrleansGrainStorageTests(MigratedDatabaseFixture database) : IClassFixture<MigratedDatabaseFixture>
{
    private const string StateName = "customer";
    private readonly string _connectionString = database.ConnectionString;

    [Fact]
    public async Task Customer_state_written_by_the_orleans_provider_reads_back_and_is_projected()
    {
        var storage = await StartProviderAsync();
        var id = NewId("cus");
        var email = NewEmail();
        var grainId = GrainId.Create(StateName, id);
        var state = new GrainState<CustomerState>(new CustomerState
        {
            Id = id,
            Email = email,
            FirstName = "Grace",
            HasAccount = true,
            Metadata = new JsonObject { ["source"] = "test" },
            CreatedAt = Created,
            UpdatedAt = Created,
            Addresses = [new AddressState { Id = NewId("cuaddr"), Address1 = "Main street 1", IsDefaultBilling = true, CreatedAt = Created, UpdatedAt = Created }],
        });

        await storage.WriteStateAsync(StateName, grainId, state);
        var read = new GrainState<CustomerState>();
        await storage.ReadStateAsync(StateName, grainId, read);

        Assert.Equal("1", state.ETag);
        Assert.Equal("1", read.ETag);
        Assert.True(read.RecordExists);
        Assert.Equal(email, read.State!.Email);
        Assert.Equal("Main street 1", Assert.Single(read.State!.Addresses).Address1);
        var customer = Assert.Single(await Db.RowsAsync(_connectionString, "SELECT * FROM customer WHERE id = $1", id));
        Assert.Equal(email, customer["email"]);
        Assert.Equal("Grace", customer["first_name"]);
        Assert.Equal(true, customer["has_account"]);
        Assert.Equal(Created.UtcDateTime, customer["created_at"]);
        Assert.Equal("Main street 1", await Db.ScalarAsync<string>(
            _connectionString, "SELECT address_1 FROM customer_address WHERE customer_id = $1 AND is_default_billing", id));
    }

    [Fact]
    public async Task Second_first_write_of_a_grain_raises_inconsistent_state()
    {
        var storage = await StartProviderAsync();
        var id = NewId("cus");
        var grainId = GrainId.Create(StateName, id);
        await storage.WriteStateAsync(StateName, grainId, new GrainState<CustomerState>(new CustomerState { Id = id, CreatedAt = Created, UpdatedAt = Created }));

        // A second activation that never saw the first write still holds no ETag.
        var stale = new GrainState<CustomerState>(new CustomerState { Id = id, Email = NewEmail(), CreatedAt = Created, UpdatedAt = Created });
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grainId, stale));

        Assert.Equal(1L, await Db.ScalarAsync<long>(
            _connectionString, "SELECT count(*) FROM orleansstorage WHERE graintypestring = $1 AND grainidextensionstring = $2", StateName, id));
        Assert.Null(await Db.ScalarAsync<string>(_connectionString, "SELECT email FROM customer WHERE id = $1", id));
    }

    [Fact]
    public async Task Write_with_a_stale_etag_raises_inconsistent_state_and_changes_nothing()
    {
        var storage = await StartProviderAsync();
        var id = NewId("cus");
        var grainId = GrainId.Create(StateName, id);
        var first = new GrainState<CustomerState>(new CustomerState { Id = id, FirstName = "one", CreatedAt = Created, UpdatedAt = Created });
        await storage.WriteStateAsync(StateName, grainId, first);
        var second = new GrainState<CustomerState>();
        await storage.ReadStateAsync(StateName, grainId, second);
        second.State!.FirstName = "two";
        await storage.WriteStateAsync(StateName, grainId, second);

        first.State!.FirstName = "stale";
        await Assert.ThrowsAsync<InconsistentStateException>(() => storage.WriteStateAsync(StateName, grainId, first));

        Assert.Equal("2", second.ETag);
        Assert.Equal("two", await Db.ScalarAsync<string>(_connectionString, "SELECT first_name FROM customer WHERE id = $1", id));
    }

    [Fact]
    public async Task Cleared_state_reads_back_as_absent_and_can_be_written_again()
    {
        foreach (var deleteStateOnClear in new[] { false, true })
        {
            var storage = await StartProviderAsync(deleteStateOnClear);
            var id = NewId("cus");
            var grainId = GrainId.Create(StateName, id);
            var state = new GrainState<CustomerState>(new CustomerState { Id = id, CreatedAt = Created, UpdatedAt = Created });
            await storage.WriteStateAsync(StateName, grainId, state);

            await storage.ClearStateAsync(StateName, grainId, state);
            var read = new GrainState<CustomerState>();
            await storage.ReadStateAsync(StateName, grainId, read);
            Assert.False(read.RecordExists);
            Assert.Null(read.State!.Id);
            Assert.Equal(0L, await Db.ScalarAsync<long>(_connectionString, "SELECT count(*) FROM customer WHERE id = $1", id));

            read.State = new CustomerState { Id = id, CreatedAt = Created, UpdatedAt = Created };
            await storage.WriteStateAsync(StateName, grainId, read);
            Assert.Equal(1L, await Db.ScalarAsync<long>(_connectionString, "SELECT count(*) FROM customer WHERE id = $1", id));
        }
    }

    [Fact]
    public async Task Racing_first_writes_leave_one_row_and_refuse_the_loser()
    {
        var queries = new OrleansStorageQueries(_connectionString);
        var id = NewId("cus");
        var key = GrainKey.ForString(StateName, id);

        // The winner's insert is still uncommitted when the loser's arrives; the loser waits on the unique key
        // and, once the winner commits, is refused instead of inserting a second row.
        await using var winner = new NpgsqlConnection(_connectionString);
        await winner.OpenAsync();
        await using var transaction = await winner.BeginTransactionAsync();
        await using (var insert = new NpgsqlCommand(
            "SELECT orleans_storage_write($1, $2, 0, 0, 0, 0, $3, NULL, $4)", winner, transaction))
        {
            insert.Parameters.Add(new NpgsqlParameter { Value = queries.ServiceId });
            insert.Parameters.Add(new NpgsqlParameter { Value = StateName });
            insert.Parameters.Add(new NpgsqlParameter { Value = id });
            insert.Parameters.Add(new NpgsqlParameter { Value = System.Text.Encoding.UTF8.GetBytes(Customer(id, NewEmail()).ToJsonString()) });
            Assert.Equal(1, await insert.ExecuteScalarAsync());
        }

        var loser = queries.WriteAsync(key, null, Customer(id, NewEmail()).ToJsonString());
        await transaction.CommitAsync();

        Assert.Null(await loser);
        Assert.Equal(1L, await Db.ScalarAsync<long>(
            _connectionString, "SELECT count(*) FROM orleansstorage WHERE graintypestring = $1 AND grainidextensionstring = $2", StateName, id));
    }

    [Fact]
    public async Task Unique_key_also_covers_integer_keys_without_an_extension()
    {
        var queries = new OrleansStorageQueries(_connectionString);
        var key = GrainKey.ForInteger("counter", Random.Shared.NextInt64(1, long.MaxValue));

        Assert.Equal(1, await queries.WriteAsync(key, null, "{}"));
        Assert.Null(await queries.WriteAsync(key, null, "{}"));
        Assert.Equal(2, await queries.WriteAsync(key, 1, """{"n":2}"""));
        Assert.Equal(new StoredState("""{"n":2}""", 2), await queries.ReadAsync(key));
        Assert.Equal(1L, await Db.ScalarAsync<long>(
            _connectionString, "SELECT count(*) FROM orleansstorage WHERE graintypestring = 'counter' AND grainidn1 = $1", key.N1));
    }

    private async Task<AdoNetGrainStorage> StartProviderAsync(bool deleteStateOnClear = false)
    {
        var services = new ServiceCollection().AddSerializer().BuildServiceProvider();
        var json = new SystemTextJsonGrainStorageSerializerOptions();
        Customers.Grains.Storage.StateJson.Configure(json.JsonSerializerOptions);
        var storage = new AdoNetGrainStorage(
            services.GetRequiredService<IActivatorProvider>(),
            NullLogger<AdoNetGrainStorage>.Instance,
            Options.Create(new AdoNetGrainStorageOptions
            {
                Invariant = "Npgsql",
                ConnectionString = _connectionString,
                GrainStorageSerializer = new SystemTextJsonGrainStorageSerializer(Options.Create(json)),
                DeleteStateOnClear = deleteStateOnClear,
            }),
            Options.Create(new ClusterOptions { ClusterId = "tests", ServiceId = "customers-tests" }),
            "customers");
        var lifecycle = new StartOnlyLifecycle();
        storage.Participate(lifecycle);
        await lifecycle.StartAsync();
        return storage;
    }

    /// <summary>Runs the provider's start-up (where it loads its queries) without a silo.</summary>
    private sealed class StartOnlyLifecycle : ISiloLifecycle
    {
        private readonly List<ILifecycleObserver> _observers = [];

        public int HighestCompletedStage => 0;

        public int LowestStoppedStage => 0;

        public IDisposable Subscribe(string observerName, int stage, ILifecycleObserver observer)
        {
            _observers.Add(observer);
            return new NoopDisposable();
        }

        public async Task StartAsync()
        {
            foreach (var observer in _observers)
            {
                await observer.OnStart(CancellationToken.None);
            }
        }

        private sealed class NoopDisposable : IDisposable
        {
            public void Dispose()
            {
            }
        }
    }
}
