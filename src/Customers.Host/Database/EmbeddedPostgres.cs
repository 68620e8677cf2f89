using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Net.Sockets;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using Npgsql;

namespace Customers.Host.Database;

/// <summary>
/// A PostgreSQL server run from the locally installed binaries in a data directory of our own: the zero-setup
/// database for development, single-machine use and tests. The data directory survives restarts. If a server is
/// already running on it (another process of ours started it), that server is reused and left running.
/// </summary>
/// <remarks>
/// PostgreSQL refuses to run as root, so when this process is root the server runs as the <c>postgres</c> OS
/// user (through <c>runuser</c>) and the data directory is handed to that user. If that user cannot enter a parent of
/// the configured directory (a checkout in root's 0700 home), the cluster is kept in
/// <c>/var/lib/customers/&lt;hash of the configured path&gt;/</c> instead (see <see cref="ResolveDataDirectory"/>).
/// The superuser password is generated once and kept in <c>&lt;dataDirectory&gt;.password</c> (mode 0600), outside
/// the data directory.
/// </remarks>
internal sealed partial class EmbeddedPostgres : IAsyncDisposable
{
    private const string ServiceAccount = "postgres";
    private const string Superuser = "postgres";
    private const string DatabaseName = "customers";
    private const string ListenAddress = "127.0.0.1";
    private const string RelocationRoot = "/var/lib/customers";
    private static readonly TimeSpan StartTimeout = TimeSpan.FromSeconds(60);

    private readonly string _binDirectory;
    private readonly string _dataDirectory;
    private readonly bool _ownsServer;
    private readonly bool _runAsServiceAccount;
    private readonly ILogger _logger;
    private int _stopped;

    private EmbeddedPostgres(
        string binDirectory, string dataDirectory, int port, string connectionString, bool ownsServer,
        bool runAsServiceAccount, ILogger logger)
    {
        _binDirectory = binDirectory;
        _dataDirectory = dataDirectory;
        Port = port;
        ConnectionString = connectionString;
        _ownsServer = ownsServer;
        _runAsServiceAccount = runAsServiceAccount;
        _logger = logger;
    }

    /// <summary>Connection string for the <c>customers</c> database (contains the password: never log it).</summary>
    public string ConnectionString { get; }

    public int Port { get; }

    public string DataDirectory => _dataDirectory;

    /// <summary>True when this instance started the server and so stops it on dispose.</summary>
    public bool OwnsServer => _ownsServer;

    /// <summary>
    /// The directory holding <c>pg_ctl</c> and <c>initdb</c>: the first on <c>PATH</c>, else the highest
    /// version under <c>/usr/lib/postgresql/*/bin</c> (Debian and Ubuntu). Null when PostgreSQL is not installed.
    /// </summary>
    public static string? FindBinDirectory()
    {
        var path = Environment.GetEnvironmentVariable("PATH") ?? "";
        foreach (var directory in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
        {
            if (HasServerBinaries(directory))
            {
                return directory;
            }
        }

        const string debianRoot = "/usr/lib/postgresql";
        if (!Directory.Exists(debianRoot))
        {
            return null;
        }

        return Directory.EnumerateDirectories(debianRoot)
            .Select(versionDirectory => (
                Version: double.TryParse(Path.GetFileName(versionDirectory), NumberStyles.Float, CultureInfo.InvariantCulture, out var v) ? v : -1,
                Bin: Path.Combine(versionDirectory, "bin")))
            .Where(candidate => candidate.Version >= 0 && HasServerBinaries(candidate.Bin))
            .OrderByDescending(candidate => candidate.Version)
            .Select(candidate => candidate.Bin)
            .FirstOrDefault();
    }

    /// <summary>
    /// Starts (initialising on first use) or reuses the server for <paramref name="dataDirectory"/> and makes sure
    /// the <c>customers</c> database exists.
    /// </summary>
    public static async Task<EmbeddedPostgres> StartAsync(string dataDirectory, ILogger logger, CancellationToken ct)
    {
        var binDirectory = FindBinDirectory() ?? throw new PostgresNotFoundException();
        var runAsServiceAccount = Environment.IsPrivilegedProcess;
        dataDirectory = ResolveDataDirectory(dataDirectory, runAsServiceAccount, logger);
        var parent = Path.GetDirectoryName(dataDirectory)
            ?? throw new ArgumentException("The data directory cannot be a filesystem root.", nameof(dataDirectory));
        Directory.CreateDirectory(parent);

        // Two processes starting on one directory at once (e.g. `serve` and `create-user`) take turns here, so
        // exactly one of them initialises and starts the server and the other reuses it.
        await using var startLock = await AcquireStartLockAsync(LockFile(dataDirectory), logger, ct);

        int port;
        string host;
        bool ownsServer;
        if (await TryFindRunningServerAsync(dataDirectory, ct) is { } running)
        {
            (host, port) = running;
            ownsServer = false;
            LogReusingServer(logger, dataDirectory, port);
        }
        else
        {
            LogUsingBinaries(logger, binDirectory);
            if (!File.Exists(Path.Combine(dataDirectory, "PG_VERSION")))
            {
                await InitializeAsync(binDirectory, dataDirectory, runAsServiceAccount, logger, ct);
            }

            (host, port, ownsServer) = await StartServerAsync(binDirectory, dataDirectory, runAsServiceAccount, fixedPort: null, logger, ct);
        }

        var builder = new NpgsqlConnectionStringBuilder
        {
            Host = host,
            Port = port,
            Username = Superuser,
            Password = ReadPassword(dataDirectory),
            Database = DatabaseName,
        };

        var server = new EmbeddedPostgres(
            binDirectory, dataDirectory, port, builder.ConnectionString, ownsServer, runAsServiceAccount, logger);
        try
        {
            await EnsureDatabaseAsync(builder, logger, ct);
        }
        catch
        {
            await server.StopAsync();
            throw;
        }

        return server;
    }

    /// <summary>
    /// The directory the cluster for the configured <paramref name="dataDirectory"/> lives in: the configured one, unless
    /// the server runs as the service account and that account cannot enter one of its parents. Then, rather than opening
    /// someone's home to others, it is <c>/var/lib/customers/&lt;first 16 hex digits of SHA-256 of the full configured
    /// path&gt;/&lt;name&gt;</c>: stable across runs and distinct per checkout. Only the cluster, its password and lock
    /// file move; the host's own secrets stay beside the configured directory, where only this user can read them.
    /// </summary>
    internal static string ResolveDataDirectory(string dataDirectory, bool runAsServiceAccount, ILogger logger)
    {
        dataDirectory = Path.TrimEndingDirectorySeparator(Path.GetFullPath(dataDirectory));
        if (!runAsServiceAccount || OperatingSystem.IsWindows() || FirstUnreachableParent(dataDirectory) is not { } blocked)
        {
            return dataDirectory;
        }

        var hash = Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(dataDirectory)))[..16];
        var home = Path.Combine(RelocationRoot, hash);

        // Traversable by the service account; the cluster inside is its own 0700 directory, the password file 0600 root's.
        const UnixFileMode traversable = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute
            | UnixFileMode.GroupRead | UnixFileMode.GroupExecute | UnixFileMode.OtherRead | UnixFileMode.OtherExecute;
        foreach (var directory in new[] { RelocationRoot, home })
        {
            Directory.CreateDirectory(directory);
            File.SetUnixFileMode(directory, traversable);
        }

        var relocated = Path.Combine(home, Path.GetFileName(dataDirectory));
        LogRelocated(logger, ServiceAccount, blocked, dataDirectory, relocated);
        return relocated;
    }

    /// <summary>Stops the server if this instance started it (<c>pg_ctl stop -m fast</c>); otherwise does nothing.</summary>
    public async Task StopAsync()
    {
        if (_ownsServer && Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            await StopServerAsync("fast");
        }
    }

    /// <summary>
    /// For throwaway servers (tests): stops at once, skipping the shutdown checkpoint that a fast stop spends
    /// seconds on, and deletes the data directory with its password and lock files.
    /// </summary>
    internal async Task DiscardAsync()
    {
        if (!_ownsServer)
        {
            throw new InvalidOperationException("Only a server this instance started can be discarded.");
        }

        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            await StopServerAsync("immediate");
        }

        DeleteFiles(_dataDirectory);
    }

    /// <summary>
    /// Like <see cref="DiscardAsync()"/> for a data directory whose owner is gone (e.g. a killed test run): stops
    /// any server still running on it and deletes it.
    /// </summary>
    internal static async Task DiscardAsync(string dataDirectory, ILogger logger)
    {
        if (FindBinDirectory() is { } binDirectory && await TryFindRunningServerAsync(dataDirectory, CancellationToken.None) is not null)
        {
            LogStopping(logger, dataDirectory, "immediate");
            await RunAsync(
                binDirectory, "pg_ctl", ["stop", "-D", dataDirectory, "-m", "immediate", "-w", "-t", "60"],
                Environment.IsPrivilegedProcess, CancellationToken.None);
        }

        DeleteFiles(dataDirectory);
    }

    private static void DeleteFiles(string dataDirectory)
    {
        if (Directory.Exists(dataDirectory))
        {
            Directory.Delete(dataDirectory, recursive: true);
        }

        File.Delete(PasswordFile(dataDirectory));
        File.Delete(LockFile(dataDirectory));
    }

    private async Task StopServerAsync(string mode)
    {
        // Pooled connections to a stopped server are dead; drop ours so a later start does not trip over them.
        using (var connection = new NpgsqlConnection(ConnectionString))
        {
            NpgsqlConnection.ClearPool(connection);
        }

        LogStopping(_logger, _dataDirectory, mode);
        var result = await RunAsync(
            _binDirectory, "pg_ctl", ["stop", "-D", _dataDirectory, "-m", mode, "-w", "-t", "60"],
            _runAsServiceAccount, CancellationToken.None);
        if (result.ExitCode != 0)
        {
            LogStopFailed(_logger, _dataDirectory, result.ExitCode, result.Output);
        }
    }

    public async ValueTask DisposeAsync() => await StopAsync();

    /// <summary>
    /// For fault tests: stops a server this instance started, the way an operator or a crash would
    /// (<c>pg_ctl stop -m fast</c> or <c>immediate</c>), and keeps it, so <see cref="StartAgainAsync"/> brings it back.
    /// </summary>
    internal Task ShutDownAsync(string mode) =>
        _ownsServer ? StopServerAsync(mode) : throw new InvalidOperationException("Only a server this instance started can be shut down.");

    /// <summary>Starts a server stopped by <see cref="ShutDownAsync"/> again on the same port, so clients reconnect.</summary>
    internal Task StartAgainAsync() =>
        StartServerAsync(_binDirectory, _dataDirectory, _runAsServiceAccount, Port, _logger, CancellationToken.None);

    private static bool HasServerBinaries(string directory) =>
        File.Exists(Path.Combine(directory, "pg_ctl")) && File.Exists(Path.Combine(directory, "initdb"));

    private static string PasswordFile(string dataDirectory) => dataDirectory + ".password";

    private static string LockFile(string dataDirectory) => dataDirectory + ".lock";

    private static async Task<FileStream> AcquireStartLockAsync(string path, ILogger logger, CancellationToken ct)
    {
        var deadline = DateTime.UtcNow + StartTimeout;
        var waiting = false;
        while (true)
        {
            try
            {
                // FileShare.None is an exclusive advisory lock on Unix; it goes away with the process.
                return new FileStream(path, FileMode.OpenOrCreate, FileAccess.ReadWrite, FileShare.None);
            }
            catch (IOException) when (DateTime.UtcNow < deadline)
            {
                if (!waiting)
                {
                    LogWaitingForStartLock(logger, path);
                    waiting = true;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
            }
        }
    }

    /// <summary>The server described by the data directory's <c>postmaster.pid</c>, if its process is alive.</summary>
    private static async Task<(string Host, int Port)?> TryFindRunningServerAsync(string dataDirectory, CancellationToken ct)
    {
        var pidFile = Path.Combine(dataDirectory, "postmaster.pid");
        var deadline = DateTime.UtcNow + StartTimeout;
        while (true)
        {
            string[] lines;
            try
            {
                lines = await File.ReadAllLinesAsync(pidFile, ct);
            }
            catch (Exception error) when (error is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
            {
                return null;
            }

            // Lines: 1 pid, 2 data dir, 3 start time, 4 port, 5 socket dir, 6 listen address, 7 shmem, 8 status.
            if (lines.Length < 4
                || !int.TryParse(lines[0], CultureInfo.InvariantCulture, out var pid)
                || !int.TryParse(lines[3], CultureInfo.InvariantCulture, out var port)
                || !IsPostgresProcess(pid))
            {
                return null; // stale: pg_ctl start copes with it
            }

            var status = lines.Length >= 8 ? lines[7].Trim() : "ready";
            if (status == "ready" || DateTime.UtcNow >= deadline)
            {
                var listen = lines.Length >= 6 ? lines[5].Split(',')[0].Trim() : "";
                var host = listen is "" or "*" or "localhost" or "0.0.0.0" ? ListenAddress : listen;
                return (host, port);
            }

            // Someone else's server is still starting (or stopping); give it a moment.
            await Task.Delay(TimeSpan.FromMilliseconds(100), ct);
        }
    }

    private static bool IsPostgresProcess(int pid)
    {
        try
        {
            using var process = Process.GetProcessById(pid);
            return !process.HasExited && process.ProcessName is "postgres" or "postmaster";
        }
        catch (Exception error) when (error is ArgumentException or InvalidOperationException)
        {
            return false;
        }
    }

    private static async Task InitializeAsync(
        string binDirectory, string dataDirectory, bool runAsServiceAccount, ILogger logger, CancellationToken ct)
    {
        Directory.CreateDirectory(dataDirectory);
        if (Directory.EnumerateFileSystemEntries(dataDirectory).Any())
        {
            throw new InvalidOperationException(
                $"The PostgreSQL data directory {dataDirectory} is not empty but holds no database cluster (no PG_VERSION). " +
                "Empty it or choose another directory.");
        }

        if (runAsServiceAccount)
        {
            EnsureServiceAccountCanReach(dataDirectory);
            await ChownToServiceAccountAsync(dataDirectory, ct);
        }

        LogInitializing(logger, dataDirectory);
        var password = RandomNumberGenerator.GetHexString(40, lowercase: true);
        WriteSecretFile(PasswordFile(dataDirectory), password);

        // initdb runs as the service account and must read the password from a file it can open; this copy
        // lives only for the duration of initdb.
        var initdbPasswordFile = Path.Combine(Path.GetTempPath(), $"customers-initdb-{Guid.NewGuid():N}");
        try
        {
            WriteSecretFile(initdbPasswordFile, password);
            if (runAsServiceAccount)
            {
                await ChownToServiceAccountAsync(initdbPasswordFile, ct);
            }

            string[] arguments =
            [
                "-D", dataDirectory, "-U", Superuser, $"--pwfile={initdbPasswordFile}", "--auth=scram-sha-256",
                "--encoding=UTF8",
            ];

            // C collation keeps sorting fast and stable; a UTF-8 character type lets lower(), ILIKE and pg_trgm
            // handle non-ASCII letters. Fall back to plain C where C.UTF-8 is not installed.
            var result = await RunAsync(
                binDirectory, "initdb", [.. arguments, "--locale=C", "--lc-ctype=C.UTF-8"], runAsServiceAccount, ct);
            if (result.ExitCode != 0)
            {
                LogInitdbRetryWithoutUtf8Ctype(logger, result.ExitCode);
                result = await RunAsync(binDirectory, "initdb", [.. arguments, "--locale=C"], runAsServiceAccount, ct);
            }

            if (result.ExitCode != 0)
            {
                throw new InvalidOperationException(
                    $"initdb failed for {dataDirectory} (exit code {result.ExitCode}): {result.Output}");
            }
        }
        finally
        {
            File.Delete(initdbPasswordFile);
        }

        LogInitialized(logger, dataDirectory);
    }

    private static async Task<(string Host, int Port, bool OwnsServer)> StartServerAsync(
        string binDirectory, string dataDirectory, bool runAsServiceAccount, int? fixedPort, ILogger logger, CancellationToken ct)
    {
        var attempts = fixedPort is null ? 3 : 1;
        for (var attempt = 1; ; attempt++)
        {
            // The port is only reserved until we release it; another process may grab it first, hence the retry.
            var port = fixedPort ?? FindFreePort();
            var options = string.Join(
                ' ',
                $"-c listen_addresses={ListenAddress}",
                $"-c port={port.ToString(CultureInfo.InvariantCulture)}",
                $"-c unix_socket_directories={SocketDirectory(dataDirectory)}",
                // Several local silos (and test hosts) share this server, each with its own connection pools.
                "-c max_connections=400",
                "-c fsync=on");

            LogStarting(logger, dataDirectory, port);
            var result = await RunAsync(
                binDirectory,
                "pg_ctl",
                ["start", "-w", "-t", "60", "-D", dataDirectory, "-l", Path.Combine(dataDirectory, "server.log"), "-o", options],
                runAsServiceAccount,
                ct);
            if (result.ExitCode == 0)
            {
                LogStarted(logger, dataDirectory, port);
                return (ListenAddress, port, true);
            }

            // A server not started through this class may have come up on the directory meanwhile.
            if (await TryFindRunningServerAsync(dataDirectory, ct) is { } running)
            {
                LogReusingServer(logger, dataDirectory, running.Port);
                return (running.Host, running.Port, false);
            }

            if (attempt == attempts)
            {
                throw new InvalidOperationException(
                    $"PostgreSQL did not start on {dataDirectory} (exit code {result.ExitCode}): {result.Output} " +
                    $"See {Path.Combine(dataDirectory, "server.log")}.");
            }

            LogStartRetry(logger, dataDirectory, result.ExitCode);
        }
    }

    private static async Task EnsureDatabaseAsync(NpgsqlConnectionStringBuilder builder, ILogger logger, CancellationToken ct)
    {
        var maintenance = new NpgsqlConnectionStringBuilder(builder.ConnectionString) { Database = "postgres", Pooling = false };
        await using var connection = new NpgsqlConnection(maintenance.ConnectionString);
        await connection.OpenAsync(ct);
        await using (var exists = new NpgsqlCommand("SELECT 1 FROM pg_database WHERE datname = $1", connection))
        {
            exists.Parameters.Add(new NpgsqlParameter { Value = builder.Database });
            if (await exists.ExecuteScalarAsync(ct) is not null)
            {
                return;
            }
        }

        try
        {
            await using var create = new NpgsqlCommand($"CREATE DATABASE \"{builder.Database}\"", connection);
            await create.ExecuteNonQueryAsync(ct);
            LogCreatedDatabase(logger, builder.Database!);
        }
        catch (PostgresException error) when (error.SqlState == PostgresErrorCodes.DuplicateDatabase)
        {
            // Created concurrently by another process: fine.
        }
    }

    private static string ReadPassword(string dataDirectory)
    {
        var file = PasswordFile(dataDirectory);
        try
        {
            return File.ReadAllText(file).Trim();
        }
        catch (Exception error) when (error is FileNotFoundException or UnauthorizedAccessException)
        {
            throw new InvalidOperationException(
                $"The password for the embedded PostgreSQL in {dataDirectory} should be in {file}, which cannot be read. " +
                "It is written when the data directory is initialised; if it is lost, delete the data directory to start over " +
                "or configure ConnectionStrings__Customers.",
                error);
        }
    }

    private static void WriteSecretFile(string path, string content)
    {
        // Created 0600 from the start, so there is no moment when others can read it.
        File.Delete(path);
        var options = new FileStreamOptions { Mode = FileMode.CreateNew, Access = FileAccess.Write };
        if (!OperatingSystem.IsWindows())
        {
            options.UnixCreateMode = UnixFileMode.UserRead | UnixFileMode.UserWrite;
        }

        using var writer = new StreamWriter(path, options);
        writer.Write(content);
    }

    private static void EnsureServiceAccountCanReach(string dataDirectory)
    {
        if (!OperatingSystem.IsWindows() && FirstUnreachableParent(dataDirectory) is { } directory)
        {
            throw new InvalidOperationException(
                $"PostgreSQL runs as the '{ServiceAccount}' user, which cannot enter {directory} to reach the data directory " +
                $"{dataDirectory}. Choose a data directory outside it (for example under /var/lib or /tmp).");
        }
    }

    /// <summary>
    /// The nearest existing parent the service account may not search (no x for others): it needs that on every
    /// parent. Missing parents are created later with the default, traversable mode.
    /// </summary>
    [UnsupportedOSPlatform("windows")]
    private static string? FirstUnreachableParent(string dataDirectory)
    {
        for (var directory = Path.GetDirectoryName(dataDirectory); directory is not null; directory = Path.GetDirectoryName(directory))
        {
            if (Directory.Exists(directory) && (File.GetUnixFileMode(directory) & UnixFileMode.OtherExecute) == 0)
            {
                return directory;
            }
        }

        return null;
    }

    private static async Task ChownToServiceAccountAsync(string path, CancellationToken ct)
    {
        var result = await RunProcessAsync("chown", [$"{ServiceAccount}:", path], ct);
        if (result.ExitCode != 0)
        {
            throw new InvalidOperationException(
                $"Could not give {path} to the '{ServiceAccount}' user (exit code {result.ExitCode}): {result.Output}");
        }
    }

    private static string SocketDirectory(string dataDirectory)
    {
        // Unix socket paths are limited to ~107 bytes, and pg_ctl passes options through a shell.
        var safe = dataDirectory.Length <= 80 && dataDirectory.All(c => char.IsAsciiLetterOrDigit(c) || c is '/' or '.' or '_' or '-');
        return safe ? dataDirectory : "/tmp";
    }

    private static int FindFreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    private static Task<ProcessResult> RunAsync(
        string binDirectory, string tool, IReadOnlyList<string> arguments, bool runAsServiceAccount, CancellationToken ct)
    {
        var executable = Path.Combine(binDirectory, tool);
        return runAsServiceAccount
            ? RunProcessAsync("runuser", ["-u", ServiceAccount, "--", executable, .. arguments], ct)
            : RunProcessAsync(executable, arguments, ct);
    }

    private static async Task<ProcessResult> RunProcessAsync(string fileName, IReadOnlyList<string> arguments, CancellationToken ct)
    {
        var startInfo = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            // The service account may not be allowed into our working directory (e.g. /root).
            WorkingDirectory = "/",
        };
        foreach (var argument in arguments)
        {
            startInfo.ArgumentList.Add(argument);
        }

        using var process = Process.Start(startInfo)
            ?? throw new InvalidOperationException($"Could not start {fileName}.");
        var stdout = process.StandardOutput.ReadToEndAsync(ct);
        var stderr = process.StandardError.ReadToEndAsync(ct);
        try
        {
            await process.WaitForExitAsync(ct);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw;
        }

        var output = string.Join(Environment.NewLine, new[] { await stdout, await stderr }.Where(s => s.Length > 0)).Trim();
        return new ProcessResult(process.ExitCode, output);
    }

    private sealed record ProcessResult(int ExitCode, string Output);
}

/// <summary>PostgreSQL's server binaries are not installed, so the embedded database cannot run.</summary>
internal sealed class PostgresNotFoundException() : Exception(
    "PostgreSQL is not installed: pg_ctl and initdb were found neither on PATH nor under /usr/lib/postgresql/*/bin. " +
    "Install it (Debian/Ubuntu: `apt-get install postgresql`), or use an existing PostgreSQL database by setting " +
    "the ConnectionStrings__Customers environment variable (for example " +
    "ConnectionStrings__Customers=\"Host=db.example;Database=customers;Username=customers;Password=...\").");
