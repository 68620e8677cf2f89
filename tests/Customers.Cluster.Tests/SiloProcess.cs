using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.InteropServices;
using Customers.Testing;

namespace Customers.Cluster.Tests;

/// <summary>
/// One real silo: <c>dotnet Customers.Host.dll</c> from the host's build output of the same configuration as these
/// tests, in its own process, on its own free HTTP, silo and gateway ports. Ready once it logs "Now listening on" and
/// answers <c>GET /health/ready</c> with 200. <see cref="Kill"/> is <c>kill -9</c>; <see cref="StopAsync"/> is a
/// SIGTERM and a wait for a clean exit. Every process started here is killed when the test process exits, even if a
/// test forgot to dispose it.
/// </summary>
public sealed class SiloProcess : IAsyncDisposable
{
    private const int Sigterm = 15;
    private const int OutputLinesKept = 300;
    private static readonly TimeSpan ReadyTimeout = TimeSpan.FromSeconds(30);
    private static readonly TimeSpan StopTimeout = TimeSpan.FromSeconds(45);
    private static readonly ConcurrentDictionary<int, Process> Running = new();
    private static readonly Lazy<string> HostAssembly = new(FindHostAssembly);

    private readonly Process _process;
    private readonly ConcurrentQueue<string> _output = new();
    private readonly TaskCompletionSource _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    static SiloProcess() => AppDomain.CurrentDomain.ProcessExit += (_, _) =>
    {
        foreach (var process in Running.Values)
        {
            TryKill(process);
        }
    };

    private SiloProcess(string name, Process process, Uri baseAddress)
    {
        Name = name;
        _process = process;
        BaseAddress = baseAddress;
        Http = new HttpClient(new SocketsHttpHandler { UseCookies = false, AllowAutoRedirect = false })
        {
            BaseAddress = BaseAddress,
            Timeout = TimeSpan.FromSeconds(40),
        };
    }

    public string Name { get; }

    public Uri BaseAddress { get; }

    /// <summary>A client for this silo's HTTP API (no cookie jar: tests send cookies themselves).</summary>
    public HttpClient Http { get; }

    public bool HasExited => _process.HasExited;

    /// <summary>The process id of <c>dotnet Customers.Host.dll</c>.</summary>
    public int ProcessId => _process.Id;

    /// <summary>The last lines the silo wrote to stdout and stderr, for failure messages.</summary>
    public string RecentOutput => string.Join('\n', _output);

    /// <summary>The compiled host this test assembly was built against: same configuration, same framework.</summary>
    public static string HostAssemblyPath => HostAssembly.Value;

    /// <param name="ports">HTTP, silo and gateway ports: fixed ones to start a silo again where a load balancer
    /// expects it; free ones when null.</param>
    /// <param name="startTimeout">Until it listens (default <see cref="HostLaunch.StartTimeout"/>): longer for a silo
    /// started again under load.</param>
    /// <param name="workingDirectory">Where it is started from (default: the host's own output folder).</param>
    public static Task<SiloProcess> StartAsync(
        string name, SiloSettings settings, (int Http, int Silo, int Gateway)? ports = null, TimeSpan? startTimeout = null,
        string? workingDirectory = null)
    {
        var (httpPort, siloPort, gatewayPort) = ports ?? FreePorts();
        var environment = new Dictionary<string, string?>
        {
            ["ConnectionStrings__Customers"] = settings.ConnectionString,
            ["Customers__Jwt__Secret"] = settings.JwtSecret,
            ["ASPNETCORE_ENVIRONMENT"] = "Production",
            ["DOTNET_ENVIRONMENT"] = "Production",
        };
        foreach (var (key, value) in settings.Environment)
        {
            environment[key] = value;
        }

        return StartAsync(name, new HostLaunch(
            new Uri($"http://127.0.0.1:{httpPort}"),
            workingDirectory ?? Path.GetDirectoryName(HostAssemblyPath)!,
            [.. Arguments(settings, httpPort, siloPort, gatewayPort), .. settings.Arguments],
            environment) { StartTimeout = startTimeout ?? HostLaunch.DefaultStartTimeout });
    }

    /// <summary>
    /// Starts <c>dotnet Customers.Host.dll</c> exactly as <paramref name="launch"/> says and waits until it listens and
    /// <c>GET /health/ready</c> on <see cref="HostLaunch.BaseAddress"/> answers 200.
    /// </summary>
    public static async Task<SiloProcess> StartAsync(string name, HostLaunch launch)
    {
        var start = new ProcessStartInfo("dotnet")
        {
            WorkingDirectory = launch.WorkingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = false,
            UseShellExecute = false,
        };
        start.ArgumentList.Add(HostAssemblyPath);
        foreach (var argument in launch.Arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in launch.Environment)
        {
            if (value is null)
            {
                start.Environment.Remove(key);
            }
            else
            {
                start.Environment[key] = value;
            }
        }

        var process = new Process { StartInfo = start, EnableRaisingEvents = true };
        var silo = new SiloProcess(name, process, launch.BaseAddress);
        process.OutputDataReceived += (_, e) => silo.OnOutput(e.Data);
        process.ErrorDataReceived += (_, e) => silo.OnOutput(e.Data);
        process.Exited += (_, _) => silo._listening.TrySetException(
            new InvalidOperationException($"Silo {name} exited with code {process.ExitCode} before it was ready:\n{silo.RecentOutput}"));
        process.Start();
        Running[process.Id] = process;
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();

        try
        {
            await silo._listening.Task.WaitAsync(launch.StartTimeout);
            await silo.WaitUntilReadyAsync(DateTime.UtcNow + ReadyTimeout);
        }
        catch (TimeoutException)
        {
            await silo.DisposeAsync();
            throw new TimeoutException($"Silo {name} did not listen within {launch.StartTimeout}:\n{silo.RecentOutput}");
        }
        catch
        {
            await silo.DisposeAsync();
            throw;
        }

        return silo;
    }

    /// <summary>SIGKILL, as a crash or <c>kill -9</c>: no shutdown code runs.</summary>
    public void Kill()
    {
        TryKill(_process);
        _process.WaitForExit();
        Running.TryRemove(_process.Id, out _);
    }

    /// <summary>SIGTERM (a graceful shutdown: the silo leaves the cluster) and waits for the exit code.</summary>
    public async Task<int> StopAsync()
    {
        if (!_process.HasExited)
        {
            if (SendSignal(_process.Id, Sigterm) != 0)
            {
                throw new InvalidOperationException($"Could not send SIGTERM to silo {Name} (errno {Marshal.GetLastPInvokeError()}).");
            }

            try
            {
                await _process.WaitForExitAsync().WaitAsync(StopTimeout);
            }
            catch (TimeoutException)
            {
                Kill();
                throw new TimeoutException($"Silo {Name} did not stop within {StopTimeout} of SIGTERM:\n{RecentOutput}");
            }
        }

        Running.TryRemove(_process.Id, out _);
        return _process.ExitCode;
    }

    public async ValueTask DisposeAsync()
    {
        if (!_process.HasExited)
        {
            Kill();
        }

        Running.TryRemove(_process.Id, out _);
        Http.Dispose();
        _process.Dispose();
        await Task.CompletedTask;
    }

    public override string ToString() => $"{Name} ({BaseAddress})";

    private static IEnumerable<string> Arguments(SiloSettings settings, int httpPort, int siloPort, int gatewayPort) =>
    [
        "--urls", $"http://127.0.0.1:{httpPort}",
        "--Customers:Cluster:ClusterId", settings.ClusterId,
        "--Customers:Cluster:SiloPort", siloPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        "--Customers:Cluster:GatewayPort", gatewayPort.ToString(System.Globalization.CultureInfo.InvariantCulture),
        // Fast failure detection, so a killed silo is declared dead in seconds rather than tens of seconds.
        "--Customers:Cluster:ProbeTimeout", "00:00:01",
        "--Customers:Cluster:MissedProbesLimit", "2",
        "--Customers:Passwords:WorkFactor", "4",
        "--Customers:RateLimits:RegistrationsPerHour", "1000000",
        "--Customers:RateLimits:FailedLoginsPerHour", "1000000",
        "--Customers:RateLimits:PasswordResetsPerHour", "1000000",
        // Password reset tests read the reset token from dev_notification (the silos run as Production).
        "--Customers:Notifications:DevelopmentSink", "true",
    ];

    /// <summary>Polls <c>/health/ready</c> until 200: it answers 503 while the silo is still joining the cluster.</summary>
    private async Task WaitUntilReadyAsync(DateTime deadline)
    {
        while (true)
        {
            using var ready = await Http.GetAsync("/health/ready");
            if (ready.StatusCode == HttpStatusCode.OK)
            {
                return;
            }

            if (DateTime.UtcNow >= deadline || _process.HasExited)
            {
                throw new InvalidOperationException(
                    $"Silo {Name} listens but /health/ready answered {(int)ready.StatusCode}: {await ready.Content.ReadAsStringAsync()}\n{RecentOutput}");
            }

            await Task.Delay(TimeSpan.FromMilliseconds(200));
        }
    }

    private void OnOutput(string? line)
    {
        if (line is null)
        {
            return;
        }

        _output.Enqueue(line);
        while (_output.Count > OutputLinesKept && _output.TryDequeue(out _))
        {
        }

        if (line.Contains("Now listening on", StringComparison.Ordinal))
        {
            _listening.TrySetResult();
        }
    }

    /// <summary>Three distinct free loopback ports (HTTP, silo, gateway).</summary>
    public static (int Http, int Silo, int Gateway) FreePorts()
    {
        var ports = FreePorts(3);
        return (ports[0], ports[1], ports[2]);
    }

    /// <summary>Distinct free loopback ports: all listeners are open at once, so no two are the same.</summary>
    public static int[] FreePorts(int count)
    {
        var listeners = Enumerable.Range(0, count).Select(_ => new TcpListener(IPAddress.Loopback, 0)).ToArray();
        try
        {
            foreach (var listener in listeners)
            {
                listener.Start();
            }

            return [.. listeners.Select(l => ((IPEndPoint)l.LocalEndpoint).Port)];
        }
        finally
        {
            foreach (var listener in listeners)
            {
                listener.Stop();
            }
        }
    }

    private static string FindHostAssembly()
    {
        var metadata = typeof(SiloProcess).Assembly.GetCustomAttributes<AssemblyMetadataAttribute>().ToDictionary(a => a.Key, a => a.Value);
        var configuration = metadata["Configuration"]!;
        var framework = metadata["TargetFramework"]!;

        var path = Path.Combine(RepositoryRoot.Path, "src", "Customers.Host", "bin", configuration, framework, "Customers.Host.dll");
        return File.Exists(path)
            ? path
            : throw new FileNotFoundException($"Build the host first (dotnet build -c {configuration}); {path} is missing.", path);
    }

    private static void TryKill(Process process)
    {
        try
        {
            process.Kill(entireProcessTree: true);
        }
        catch (InvalidOperationException)
        {
            // already exited
        }
    }

    [DllImport("libc", EntryPoint = "kill", SetLastError = true)]
    private static extern int SendSignal(int pid, int signal);
}

/// <summary>What every silo of one test cluster shares.</summary>
public sealed record SiloSettings(string ConnectionString, string JwtSecret, string ClusterId)
{
    /// <summary>More settings for every silo, as environment variables (e.g. auth providers and their secrets).</summary>
    public IReadOnlyDictionary<string, string> Environment { get; init; } = new Dictionary<string, string>();

    /// <summary>More command-line arguments, after the defaults (a repeated key takes the last value).</summary>
    public IReadOnlyList<string> Arguments { get; init; } = [];
}

/// <summary>How to start one host process: arguments, working directory (the base of relative paths such as
/// <c>.data/postgres</c>) and environment changes.</summary>
/// <param name="BaseAddress">Where its HTTP API answers once started.</param>
/// <param name="Environment">Variables to set; a null value removes one inherited from the test process.</param>
public sealed record HostLaunch(
    Uri BaseAddress, string WorkingDirectory, IReadOnlyList<string> Arguments, IReadOnlyDictionary<string, string?> Environment)
{
    /// <summary>Until it logs "Now listening on"; a first start with an embedded database takes longer.</summary>
    public TimeSpan StartTimeout { get; init; } = DefaultStartTimeout;

    public static TimeSpan DefaultStartTimeout { get; } = TimeSpan.FromSeconds(60);
}
