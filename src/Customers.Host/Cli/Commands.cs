using System.Net;
using System.Net.Sockets;
using Customers.Host.Auth;
using Customers.Host.Database;
using Customers.Host.Hosting;
using Customers.Host.Import;
using Customers.Host.Stores;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Customers.Host.Cli;

/// <summary>The one-shot commands. They use the same configuration (and embedded-database default) as the server.</summary>
internal static class Commands
{
    public static async Task<int> MigrateAsync(Invocation.Migrate command)
    {
        var builder = ContentRoot.CommandBuilder(command.ConfigurationArgs);
        using var loggers = CliLogging();
        await using var database = await CustomersDatabase.OpenAsync(builder.Configuration, loggers, CancellationToken.None);
        var applied = await database.MigrateAsync(loggers, CancellationToken.None);
        Console.WriteLine($"Applied {applied} migration(s); the schema is up to date.");
        return 0;
    }

    public static async Task<int> CreateApiKeyAsync(Invocation.CreateApiKey command)
    {
        var builder = ContentRoot.CommandBuilder(command.ConfigurationArgs);
        using var loggers = CliLogging();
        await using var database = await CustomersDatabase.OpenAsync(builder.Configuration, loggers, CancellationToken.None);
        await database.MigrateAsync(loggers, CancellationToken.None);
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        var type = command.Type == "secret" ? ApiKeyStore.KeyType.Secret : ApiKeyStore.KeyType.Publishable;
        var key = await new ApiKeyStore(dataSource, new ListDatabase(dataSource), TimeProvider.System, Options.Create(new ApiKeyOptions())).CreateAsync(type, command.Title, "cli", CancellationToken.None);
        Console.WriteLine($"Created {command.Type} API key {key.Id} \"{command.Title}\". Token:");
        Console.WriteLine(key.Token);
        return 0;
    }

    /// <summary>Bulk-loads synthetic customers straight into grain storage and the read model (see <see cref="CustomerSeeder"/>).</summary>
    public static async Task<int> SeedAsync(Invocation.Seed command)
    {
        var builder = ContentRoot.CommandBuilder(command.ConfigurationArgs);
        var cluster = builder.Configuration.GetSection(ClusterOptions.Section).Get<ClusterOptions>() ?? new ClusterOptions();
        using var loggers = CliLogging();
        await using var database = await CustomersDatabase.OpenAsync(builder.Configuration, loggers, CancellationToken.None);
        await database.MigrateAsync(loggers, CancellationToken.None);
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        try
        {
            var result = await new CustomerSeeder(dataSource, cluster.ServiceId, TimeProvider.System).SeedAsync(
                new CustomerSeeder.Options(command.Customers, command.AddressesPerCustomer, command.Groups, command.Run),
                message => Console.Error.WriteLine(message),
                CancellationToken.None);
            Console.WriteLine(
                $"Seeded run '{result.Run}': {result.Customers:N0} customers, {result.Addresses:N0} addresses, {result.Groups} groups, " +
                $"{result.Memberships:N0} memberships in {result.Elapsed.TotalSeconds:F1} s.");
            return 0;
        }
        catch (InvalidOperationException error)
        {
            await Console.Error.WriteLineAsync($"Could not seed: {error.Message}");
            return 1;
        }
    }

    /// <summary>Copies a Medusa store's customers into this database (see <see cref="MedusaImporter"/>). Ctrl+C stops
    /// it between batches; running it again completes it.</summary>
    public static async Task<int> ImportMedusaAsync(Invocation.ImportMedusa command)
    {
        var builder = ContentRoot.CommandBuilder(command.ConfigurationArgs);
        var cluster = builder.Configuration.GetSection(ClusterOptions.Section).Get<ClusterOptions>() ?? new ClusterOptions();
        using var loggers = CliLogging();
        using var interrupt = new CancellationTokenSource();
        Console.CancelKeyPress += (_, e) =>
        {
            e.Cancel = true;
            interrupt.Cancel();
        };
        await using var database = await CustomersDatabase.OpenAsync(builder.Configuration, loggers, CancellationToken.None);
        await database.MigrateAsync(loggers, CancellationToken.None);
        await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
        try
        {
            var result = await new MedusaImporter(dataSource, cluster.ServiceId, TimeProvider.System).ImportAsync(
                new MedusaImporter.Options(command.From, command.EmitEvents, command.BatchSize),
                message => Console.Error.WriteLine(message),
                interrupt.Token);
            var customers = result.Of(MedusaImporter.Customers);
            Console.WriteLine($"Imported from Medusa in {result.Elapsed.TotalSeconds:F1} s ({customers.Read / Math.Max(result.Elapsed.TotalSeconds, 0.001):N0} customers/s):");
            foreach (var tally in result.Tallies)
            {
                Console.WriteLine($"  {tally}");
            }

            Console.WriteLine(result.ConflictCount == 0
                ? "No conflicts."
                : $"{result.ConflictCount:N0} conflict(s), listed above: those rows were not imported; resolve them and run again.");
            return result.ConflictCount == 0 ? 0 : 3;
        }
        catch (OperationCanceledException) when (interrupt.IsCancellationRequested)
        {
            await Console.Error.WriteLineAsync("Interrupted. What was written stays; run the same command again to complete the import.");
            return 130;
        }
        catch (Exception error) when (error is InvalidOperationException or NpgsqlException)
        {
            await Console.Error.WriteLineAsync($"Could not import: {error.Message}");
            return 1;
        }
    }

    /// <summary>Creates an admin user and its emailpass identity. Identities are grains, so this briefly joins the
    /// cluster as a silo on free ports (it works whether or not other silos are running).</summary>
    public static async Task<int> CreateUserAsync(Invocation.CreateUser command)
    {
        var builder = ContentRoot.CommandBuilder(command.ConfigurationArgs);
        builder.Configuration[$"{ClusterOptions.Section}:SiloPort"] = FreePort().ToString();
        builder.Configuration[$"{ClusterOptions.Section}:GatewayPort"] = FreePort().ToString();
        using var loggers = CliLogging();
        await using var database = await CustomersDatabase.OpenAsync(builder.Configuration, loggers, CancellationToken.None);
        await database.MigrateAsync(loggers, CancellationToken.None);
        builder.AddCustomersSilo(database);
        builder.Logging.ClearProviders()
            .AddFilter("Orleans", LogLevel.Warning)
            .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace);
        using var host = builder.Build();
        await host.StartAsync();
        try
        {
            var grains = host.Services.GetRequiredService<IGrainFactory>();
            await using var dataSource = NpgsqlDataSource.Create(database.ConnectionString);
            var userId = await AdminUsers.CreateAsync(
                grains, new UserStore(dataSource), TimeProvider.System, command.Email, command.Password, CancellationToken.None);
            Console.WriteLine($"Created admin user {command.Email}:");
            Console.WriteLine(userId);
            return 0;
        }
        catch (Customers.Abstractions.Errors.CustomersException error)
        {
            await Console.Error.WriteLineAsync($"Could not create the user: {error.Message}");
            return 1;
        }
        finally
        {
            await host.StopAsync();
        }
    }

    // Logs go to stderr so that stdout carries only the command's result (scripts read its last line).
    private static ILoggerFactory CliLogging() =>
        LoggerFactory.Create(logging => logging
            .AddFilter("Orleans", LogLevel.Warning)
            .AddConsole(console => console.LogToStandardErrorThreshold = LogLevel.Trace));

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }
}
