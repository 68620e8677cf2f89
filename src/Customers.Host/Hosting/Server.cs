using Customers.Host.Database;

namespace Customers.Host.Hosting;

/// <summary>Runs the silo with its HTTP front end until shutdown.</summary>
internal static partial class Server
{
    public const string DefaultUrl = "http://127.0.0.1:9000";

    public static async Task<int> RunAsync(string[] args)
    {
        var builder = ContentRoot.ServerBuilder(args);
        if (string.IsNullOrEmpty(builder.Configuration[WebHostDefaults.ServerUrlsKey]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        using var bootLoggers = LoggerFactory.Create(logging => logging.AddConfiguration(builder.Configuration.GetSection("Logging")).AddSimpleConsole());
        var logger = bootLoggers.CreateLogger(typeof(Server));
        CustomersDatabase database;
        try
        {
            database = await CustomersDatabase.OpenAsync(builder.Configuration, bootLoggers, CancellationToken.None);
        }
        catch (Exception refused) when (refused is PostgresNotFoundException or System.ComponentModel.DataAnnotations.ValidationException)
        {
            LogCannotStart(logger, refused.Message);
            return 1;
        }

        // Stopped last: the silo and HTTP server shut down first, then the embedded database (if any).
        await using (database)
        {
            await database.MigrateAsync(bootLoggers, CancellationToken.None);
            builder.AddCustomersSilo(database);
            builder.AddCustomersDashboard();
            builder.AddCustomersProxies();
            builder.AddCustomersHttp(database);
            builder.AddCustomersTelemetry();
            var app = builder.Build();
            app.UseCustomersProxies();
            app.MapCustomersMetrics();
            app.MapCustomersHttp();
            await app.RunAsync();
        }

        return 0;
    }

    [LoggerMessage(Level = LogLevel.Critical, Message = "Cannot start: {Reason}")]
    private static partial void LogCannotStart(ILogger logger, string reason);
}
