using System.Net;
using Customers.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Orleans.Configuration;
using Orleans.Runtime.Membership;
using Orleans.Runtime.MembershipService;
using Xunit;

namespace Customers.Host.Tests.OrleansStorage;

/// <summary>Our clustering queries against the real Microsoft.Orleans.Clustering.AdoNet membership table.</summary>
public sealed class OrleansClusteringTableTests(MigratedDatabaseFixture database) : IClassFixture<MigratedDatabaseFixture>
{
    private static readonly DateTime Now = DateTime.UtcNow;
    private readonly string _connectionString = database.ConnectionString;

    [Fact]
    public async Task Silo_rows_change_only_with_the_current_table_version()
    {
        var (table, _) = await StartTableAsync();
        var empty = await table.ReadAllAsync();
        Assert.Empty(empty.Members);

        var silo = Entry(port: 11111, SiloStatus.Joining);
        Assert.True(await table.InsertRowAsync(silo, empty.Version.Next()));
        Assert.False(await table.InsertRowAsync(Entry(port: 11112, SiloStatus.Joining), empty.Version.Next()));

        var afterInsert = await table.ReadAllAsync();
        var (stored, etag) = Assert.Single(afterInsert.Members);
        Assert.Equal(silo.SiloAddress, stored.SiloAddress);
        Assert.Equal("silo-11111", stored.SiloName);
        Assert.Equal("host", stored.HostName);
        Assert.Equal(30000, stored.ProxyPort);
        Assert.Equal(empty.Version.Version + 1, afterInsert.Version.Version);

        silo.Status = SiloStatus.Active;
        silo.SuspectTimes = [Tuple.Create(SiloAddress.New(IPAddress.Loopback, 22222, 7), Now)];
        Assert.True(await table.UpdateRowAsync(silo, etag, afterInsert.Version.Next()));
        Assert.False(await table.UpdateRowAsync(silo, etag, afterInsert.Version.Next()));

        var later = Now.AddSeconds(30);
        silo.IAmAliveTime = later;
        await table.UpdateIAmAliveAsync(silo);
        var row = await table.ReadRowAsync(silo.SiloAddress);
        var (updated, _) = Assert.Single(row.Members);
        Assert.Equal(SiloStatus.Active, updated.Status);
        Assert.Equal(22222, Assert.Single(updated.SuspectTimes!).Item1.Endpoint.Port);
        Assert.Equal(later, updated.IAmAliveTime, TimeSpan.FromMilliseconds(1));
        Assert.Equal(DateTimeKind.Utc, updated.IAmAliveTime.Kind);
        Assert.Equal(afterInsert.Version.Version + 1, row.Version.Version);
    }

    [Fact]
    public async Task Reading_an_unknown_silo_returns_the_table_version_and_no_entry()
    {
        var (table, _) = await StartTableAsync();

        var row = await table.ReadRowAsync(SiloAddress.New(IPAddress.Loopback, 1, 1));

        Assert.Empty(row.Members);
        Assert.Equal(0, row.Version.Version);
    }

    [Fact]
    public async Task Gateways_are_the_active_silos_with_a_proxy_port()
    {
        var (table, clusterId) = await StartTableAsync();
        await InsertAsync(table, Entry(port: 11111, SiloStatus.Active));
        await InsertAsync(table, Entry(port: 11112, SiloStatus.Joining));
        await InsertAsync(table, Entry(port: 11113, SiloStatus.Active, proxyPort: 0));

        var gateways = new AdoNetGatewayListProvider(
            NullLogger<AdoNetGatewayListProvider>.Instance,
            new ServiceCollection().BuildServiceProvider(),
            Options.Create(new AdoNetClusteringClientOptions { Invariant = "Npgsql", ConnectionString = _connectionString }),
            Options.Create(new GatewayOptions()),
            Options.Create(new ClusterOptions { ClusterId = clusterId, ServiceId = "customers-tests" }));
        await gateways.InitializeGatewayListProviderAsync();

        var uri = Assert.Single(await gateways.GetGatewaysAsync());
        Assert.Equal(30000, uri.Port);
    }

    [Fact]
    public async Task Cleanup_removes_only_dead_silos_not_heard_from_since_the_cutoff()
    {
        var (table, _) = await StartTableAsync();
        var longDead = Entry(port: 11111, SiloStatus.Dead, iAmAlive: Now.AddHours(-2));
        var recentlyDead = Entry(port: 11112, SiloStatus.Dead, iAmAlive: Now);
        var silent = Entry(port: 11113, SiloStatus.Active, iAmAlive: Now.AddHours(-2));
        foreach (var entry in new[] { longDead, recentlyDead, silent })
        {
            await InsertAsync(table, entry);
        }

        await table.CleanupDefunctSiloEntriesAsync(new DateTimeOffset(Now.AddHours(-1)));

        var remaining = (await table.ReadAllAsync()).Members.Select(m => m.Item1.SiloAddress.Endpoint.Port).Order();
        Assert.Equal(new[] { 11112, 11113 }, remaining);
    }

    [Fact]
    public async Task Deleting_membership_entries_removes_the_cluster()
    {
        var (table, clusterId) = await StartTableAsync();
        await InsertAsync(table, Entry(port: 11111, SiloStatus.Active));

        await table.DeleteMembershipTableEntriesAsync(clusterId);

        Assert.Equal(0L, await Db.ScalarAsync<long>(
            _connectionString, "SELECT count(*) FROM orleansmembershiptable WHERE deploymentid = $1", clusterId));
        Assert.Equal(0L, await Db.ScalarAsync<long>(
            _connectionString, "SELECT count(*) FROM orleansmembershipversiontable WHERE deploymentid = $1", clusterId));
    }

    private async Task<(AdoNetClusteringTable Table, string ClusterId)> StartTableAsync()
    {
        var clusterId = $"cluster-{Guid.NewGuid():N}";
        var table = new AdoNetClusteringTable(
            new ServiceCollection().BuildServiceProvider(),
            Options.Create(new ClusterOptions { ClusterId = clusterId, ServiceId = "customers-tests" }),
            Options.Create(new AdoNetClusteringSiloOptions { Invariant = "Npgsql", ConnectionString = _connectionString }),
            NullLogger<AdoNetClusteringTable>.Instance);
        await table.InitializeMembershipTableAsync(tryInitTableVersion: true);
        return (table, clusterId);
    }

    private static async Task InsertAsync(AdoNetClusteringTable table, MembershipEntry entry)
    {
        var current = await table.ReadAllAsync();
        Assert.True(await table.InsertRowAsync(entry, current.Version.Next()));
    }

    private static MembershipEntry Entry(int port, SiloStatus status, int proxyPort = 30000, DateTime? iAmAlive = null) => new()
    {
        SiloAddress = SiloAddress.New(IPAddress.Loopback, port, 1),
        SiloName = $"silo-{port}",
        HostName = "host",
        Status = status,
        ProxyPort = proxyPort,
        StartTime = (iAmAlive ?? Now).AddMinutes(-1),
        IAmAliveTime = iAmAlive ?? Now,
    };
}
