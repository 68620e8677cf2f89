using System.Net;
using Customers.Grains.Auth;
using Customers.Grains.Storage;
using Customers.Host.Database;
using Orleans.Configuration;
using Orleans.Serialization;
using OrleansClusterOptions = Orleans.Configuration.ClusterOptions;

namespace Customers.Host.Hosting;

internal static class SiloSetup
{
    private const string Invariant = "Npgsql";

    /// <summary>
    /// Co-hosts an Orleans silo: ADO.NET clustering and grain storage on our PostgreSQL schema, System.Text.Json
    /// state in snake_case (the read-model trigger reads those names), and the grains' own services.
    /// </summary>
    public static IHostApplicationBuilder AddCustomersSilo(this IHostApplicationBuilder builder, CustomersDatabase database)
    {
        var connectionString = database.ConnectionString;
        var cluster = builder.Configuration.GetSection(ClusterOptions.Section).Get<ClusterOptions>() ?? new ClusterOptions();
        KubernetesPod.Apply(builder.Configuration, cluster);
        builder.Services.AddOptions<ClusterOptions>().BindConfiguration(ClusterOptions.Section)
            .PostConfigure(options => KubernetesPod.Apply(builder.Configuration, options)).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<PasswordOptions>().BindConfiguration(PasswordOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        builder.Services.AddOptions<LockoutOptions>().BindConfiguration(LockoutOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<PasswordHasher>();
        builder.Services.AddOptions<SignUpPauseOptions>().BindConfiguration(SignUpPauseOptions.Section).ValidateOnStart();
        builder.Services.AddSingleton<SignUpPause>();
        builder.Services.AddSingleton(TimeProvider.System);
        builder.AddCustomersMfa(database);

        builder.UseOrleans(silo =>
        {
            silo.Configure<OrleansClusterOptions>(options =>
            {
                options.ClusterId = cluster.ClusterId;
                options.ServiceId = cluster.ServiceId;
            });
            silo.ConfigureEndpoints(ResolveAddress(cluster.AdvertisedAddress), cluster.SiloPort, cluster.GatewayPort, cluster.ListenOnAnyHostAddress);
            silo.Configure<ClusterMembershipOptions>(options =>
            {
                options.ProbeTimeout = cluster.ProbeTimeout;
                options.NumMissedProbesLimit = cluster.MissedProbesLimit;
                options.IAmAliveTablePublishTimeout = cluster.IAmAlivePeriod;
                options.NumMissedTableIAmAliveLimit = cluster.MissedIAmAliveLimit;
            });
            silo.Configure<GrainCollectionOptions>(options => options.CollectionAge = cluster.GrainCollectionAge);
            silo.Configure<SiloMessagingOptions>(options => options.ResponseTimeout = cluster.GrainCallTimeout);

            // A grain whose activation cannot read its state (database unreachable) fails with Npgsql's exception,
            // before any grain code can translate it. Let it cross silos as itself, so the caller's silo answers the
            // same retryable 503 as for a local grain instead of a 500 for a codec it lacks.
            silo.Services.Configure<ExceptionSerializationOptions>(options =>
                options.SupportedExceptionTypeFilter = type => type.Namespace == typeof(Npgsql.NpgsqlException).Namespace);
            silo.UsePostgres(connectionString);
            if (KubernetesPod.HasApi(builder.Configuration))
            {
                silo.UseKubernetesHosting();
            }

            silo.AddCustomersEventStream();
        });
        return builder;
    }

    /// <summary>
    /// ADO.NET clustering and grain storage on our PostgreSQL schema, with System.Text.Json state in snake_case (the
    /// read-model trigger reads those names). Shared by the host and the grain test cluster.
    /// </summary>
    public static ISiloBuilder UsePostgres(this ISiloBuilder silo, string connectionString)
    {
        silo.UseAdoNetClustering(options =>
        {
            options.Invariant = Invariant;
            options.ConnectionString = connectionString;
        });
        silo.AddAdoNetGrainStorage(StateNames.Storage, options =>
        {
            options.Invariant = Invariant;
            options.ConnectionString = connectionString;
        });
        silo.UseSystemTextJsonGrainStorageSerializer();
        silo.Services.Configure<SystemTextJsonGrainStorageSerializerOptions>(options => StateJson.Configure(options.JsonSerializerOptions));
        return silo;
    }

    private static IPAddress ResolveAddress(string address) =>
        IPAddress.TryParse(address, out var ip)
            ? ip
            : Dns.GetHostAddresses(address).FirstOrDefault(a => a.AddressFamily == System.Net.Sockets.AddressFamily.InterNetwork)
              ?? throw new InvalidOperationException($"Customers:Cluster:AdvertisedAddress '{address}' does not resolve to an IPv4 address.");
}
