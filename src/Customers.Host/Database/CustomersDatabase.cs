
namespace Customers.Host.Database;

/// <summary>
/// The database this process uses: the configured <c>ConnectionStrings:Customers</c>, or else an embedded
/// PostgreSQL started from the installed binaries (the zero-setup default). Disposing stops the embedded server.
/// </summary>
internal sealed partial class CustomersDatabase : IAsyncDisposable
{
    private readonly EmbeddedPostgres? _embedded;

    private CustomersDatabase(string connectionString, EmbeddedPostgres? embedded, string dataDirectory)
    {
        ConnectionString = connectionString;
        _embedded = embedded;
        LocalStateDirectory = dataDirectory;
    }

    public string ConnectionString { get; }

    /// <summary>True when this process runs the zero-setup embedded database (a local, single-machine setup).</summary>
    public bool IsEmbedded => _embedded is not null;

    /// <summary>Where generated local secrets are kept (beside the embedded data directory).</summary>
    public string LocalStateDirectory { get; }

    public static async Task<CustomersDatabase> OpenAsync(IConfiguration configuration, ILoggerFactory loggers, CancellationToken ct)
    {
        var options = configuration.GetSection(DatabaseOptions.Section).Get<DatabaseOptions>() ?? new DatabaseOptions();
        options.Validate(configuration.GetSection(StatementTimeoutOptions.Section).Get<StatementTimeoutOptions>() ?? new StatementTimeoutOptions());
        var dataDirectory = Path.GetFullPath(options.EmbeddedDataDirectory);
        var localState = Path.GetDirectoryName(dataDirectory) ?? dataDirectory;
        var configured = configuration.GetConnectionString(DatabaseOptions.ConnectionStringName);
        if (!string.IsNullOrWhiteSpace(configured))
        {
            return new CustomersDatabase(options.Apply(configured), null, localState);
        }

        var logger = loggers.CreateLogger<CustomersDatabase>();
        LogStartingEmbedded(logger, dataDirectory);
        var embedded = await EmbeddedPostgres.StartAsync(dataDirectory, loggers.CreateLogger<EmbeddedPostgres>(), ct);
        return new CustomersDatabase(options.Apply(embedded.ConnectionString), embedded, localState);
    }

    /// <summary>Applies pending schema migrations (idempotent; safe when several silos start at once).</summary>
    public Task<int> MigrateAsync(ILoggerFactory loggers, CancellationToken ct) =>
        new SchemaMigrator(ConnectionString, loggers.CreateLogger<SchemaMigrator>()).MigrateAsync(ct);

    public async ValueTask DisposeAsync()
    {
        if (_embedded is not null)
        {
            await _embedded.DisposeAsync();
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "No ConnectionStrings:Customers configured; starting embedded PostgreSQL in {DataDirectory}")]
    private static partial void LogStartingEmbedded(ILogger logger, string dataDirectory);
}
