using System.Reflection;
using Customers.Grains.Auth;
using Customers.Host.Hosting;
using Customers.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;
using Orleans.TestingHost;
using Xunit;

namespace Customers.Grains.Tests;

/// <summary>
/// Two in-process silos (and a cluster client) on the real ADO.NET clustering and grain storage of a freshly migrated
/// database, configured the way <c>SiloSetup.AddCustomersSilo</c> configures the host. Grains see one shared
/// <see cref="FakeTimeProvider"/> (<see cref="Clock"/>); Orleans' own background loops stay on real time.
/// </summary>
public sealed class GrainClusterFixture : IAsyncLifetime
{
    private const string Invariant = "Npgsql";

    /// <summary>The grains' clock. Starts at a fixed instant and moves only when a test advances it.</summary>
    public FakeTimeProvider Clock { get; } = new(new DateTimeOffset(2026, 3, 2, 9, 30, 0, TimeSpan.Zero));

    public string ConnectionString { get; private set; } = "";

    public InProcessTestCluster Cluster { get; private set; } = null!;

    public IClusterClient Client => Cluster.Client;

    public async Task InitializeAsync()
    {
        ConnectionString = await PostgresServer.CreateMigratedDatabaseAsync("grains");
        var connectionString = ConnectionString;
        var builder = new InProcessTestClusterBuilder(2);
        UseRealClustering(builder.Options);
        builder.ConfigureSiloHost((_, host) =>
        {
            host.Services.AddOptions<PasswordOptions>().Configure(o => o.WorkFactor = 4);
            host.Services.AddOptions<LockoutOptions>();
            host.Services.AddSingleton<PasswordHasher>();
            host.Services.AddOptions<SignUpPauseOptions>();
            host.Services.AddSingleton<SignUpPause>();
            host.Services.AddSingleton(new Auth.Mfa.MfaSecretProtector("grain-tests-mfa-key"));
            // Grains get the fake clock (the default TimeProvider); membership, messaging and the other background
            // areas resolve keyed providers, pinned here to real time so failure detection keeps working.
            host.Services.AddSingleton<TimeProvider>(Clock);
            host.Services.UseTimeProviderForBackgroundAreas(TimeProvider.System);
        });
        builder.ConfigureSilo((_, silo) =>
        {
            silo.UsePostgres(connectionString);
        });
        builder.ConfigureClient(client => client.UseAdoNetClustering(options =>
        {
            options.Invariant = Invariant;
            options.ConnectionString = connectionString;
        }));
        Cluster = builder.Build();
        await Cluster.DeployAsync();

        // Proof that the silos found each other through PostgreSQL, not through the testing host's in-memory table.
        var active = await Db.ScalarAsync<long>(connectionString,
            "SELECT count(*) FROM orleansmembershiptable WHERE deploymentid = $1 AND status = 3", builder.Options.ClusterId);
        Assert.Equal(2L, active);
    }

    /// <summary>
    /// Orleans 10.4.2 keeps <c>InProcessTestClusterOptions.UseTestClusterMembership</c> internal and sets it, which
    /// would put an in-memory membership table (and grain directory) over our ADO.NET clustering. It is switched off
    /// through reflection; <see cref="InitializeAsync"/> then checks that membership really lives in PostgreSQL.
    /// </summary>
    private static void UseRealClustering(InProcessTestClusterOptions options)
    {
        var property = typeof(InProcessTestClusterOptions).GetProperty(
            "UseTestClusterMembership", BindingFlags.Instance | BindingFlags.Public | BindingFlags.NonPublic)
            ?? throw new InvalidOperationException("InProcessTestClusterOptions.UseTestClusterMembership no longer exists.");
        property.SetValue(options, false);
    }

    public async Task DisposeAsync()
    {
        if (Cluster is not null)
        {
            await Cluster.DisposeAsync();
        }
    }

    /// <summary>The silo currently hosting the grain's activation (activate it first).</summary>
    public InProcessSiloHandle HostOf(IAddressable grain)
    {
        Assert.True(Cluster.TryGetGrainContext(grain.GetGrainId(), out var context), "the grain is not active on any silo");
        return Cluster.Silos.Single(s => s.SiloAddress.Equals(context.Address.SiloAddress));
    }

    /// <summary>A silo other than <paramref name="silo"/>.</summary>
    public InProcessSiloHandle Other(InProcessSiloHandle silo) => Cluster.Silos.First(s => !s.SiloAddress.Equals(silo.SiloAddress));

    /// <summary>Deactivates the grain and waits until it is gone, so the next call loads its state from PostgreSQL.</summary>
    public Task DeactivateAsync(IAddressable grain) => Cluster.DeactivateAsync(grain);
}

[CollectionDefinition(Name)]
public sealed class GrainClusterCollection : ICollectionFixture<GrainClusterFixture>
{
    /// <summary>
    /// One cluster for every grain test, run one test at a time: tests advance the shared fake clock, so they must
    /// not interleave.
    /// </summary>
    public const string Name = "grain cluster";
}
