namespace Customers.Host.Database;

internal sealed partial class SchemaMigrator
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Applying schema migration {Version} ({Name})")]
    private static partial void LogApplying(ILogger logger, int version, string name);

    [LoggerMessage(Level = LogLevel.Information, Message = "Applied {Count} schema migration(s); schema is at version {Version}")]
    private static partial void LogApplied(ILogger logger, int count, int version);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Schema is up to date at version {Version}")]
    private static partial void LogUpToDate(ILogger logger, int version);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Schema script {Version} ({Name}) changed after it was applied; the change has no effect on this database. Add a new script instead")]
    private static partial void LogChangedAfterApply(ILogger logger, int version, string name);

    [LoggerMessage(Level = LogLevel.Warning, Message = "The database has schema migration {Version}, which this build does not know; it was applied by a newer build")]
    private static partial void LogUnknownVersionApplied(ILogger logger, int version);

    [LoggerMessage(Level = LogLevel.Information, Message = "PostgreSQL: {Notice}")]
    private static partial void LogServerNotice(ILogger logger, string notice);
}
