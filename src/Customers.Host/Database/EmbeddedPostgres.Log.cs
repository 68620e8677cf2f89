namespace Customers.Host.Database;

internal sealed partial class EmbeddedPostgres
{
    [LoggerMessage(Level = LogLevel.Debug, Message = "Using PostgreSQL binaries in {BinDirectory}")]
    private static partial void LogUsingBinaries(ILogger logger, string binDirectory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL runs as the '{ServiceAccount}' user, which cannot enter {Blocked}; the embedded cluster for {Configured} is kept in {DataDirectory} instead")]
    private static partial void LogRelocated(ILogger logger, string serviceAccount, string blocked, string configured, string dataDirectory);

    [LoggerMessage(Level = LogLevel.Information, Message = "Waiting for another process to finish starting PostgreSQL (lock {LockFile})")]
    private static partial void LogWaitingForStartLock(ILogger logger, string lockFile);

    [LoggerMessage(Level = LogLevel.Information, Message = "Reusing the PostgreSQL server already running on {DataDirectory} (port {Port}); it will be left running")]
    private static partial void LogReusingServer(ILogger logger, string dataDirectory, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "Initialising a new PostgreSQL data directory in {DataDirectory}")]
    private static partial void LogInitializing(ILogger logger, string dataDirectory);

    [LoggerMessage(Level = LogLevel.Warning, Message = "initdb with a C.UTF-8 character type failed (exit code {ExitCode}); retrying with the C locale")]
    private static partial void LogInitdbRetryWithoutUtf8Ctype(ILogger logger, int exitCode);

    [LoggerMessage(Level = LogLevel.Information, Message = "Initialised PostgreSQL data directory {DataDirectory}; the superuser password is in the file beside it")]
    private static partial void LogInitialized(ILogger logger, string dataDirectory);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Starting PostgreSQL on {DataDirectory}, port {Port}")]
    private static partial void LogStarting(ILogger logger, string dataDirectory, int port);

    [LoggerMessage(Level = LogLevel.Information, Message = "Started PostgreSQL on {DataDirectory}, listening on 127.0.0.1:{Port}")]
    private static partial void LogStarted(ILogger logger, string dataDirectory, int port);

    [LoggerMessage(Level = LogLevel.Warning, Message = "PostgreSQL did not start on {DataDirectory} (exit code {ExitCode}); retrying on another port")]
    private static partial void LogStartRetry(ILogger logger, string dataDirectory, int exitCode);

    [LoggerMessage(Level = LogLevel.Information, Message = "Created database {Database}")]
    private static partial void LogCreatedDatabase(ILogger logger, string database);

    [LoggerMessage(Level = LogLevel.Information, Message = "Stopping PostgreSQL on {DataDirectory} ({Mode} shutdown)")]
    private static partial void LogStopping(ILogger logger, string dataDirectory, string mode);

    [LoggerMessage(Level = LogLevel.Warning, Message = "pg_ctl stop on {DataDirectory} failed (exit code {ExitCode}): {Output}")]
    private static partial void LogStopFailed(ILogger logger, string dataDirectory, int exitCode, string output);
}
