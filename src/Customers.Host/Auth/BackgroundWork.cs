using System.Collections.Concurrent;

namespace Customers.Host.Auth;

/// <summary>
/// Work a request starts and does not wait for (a password reset request answers before it looks the identifier up,
/// so its timing says nothing about the identifier). Failures are logged, never thrown; a graceful shutdown waits for
/// what is in flight (a <c>kill -9</c> loses it, as it would lose the request itself).
/// </summary>
internal sealed partial class BackgroundWork(ILogger<BackgroundWork> logger) : IHostedService
{
    private readonly ConcurrentDictionary<Task, string> _running = new();

    public void Start(string name, Func<Task> work)
    {
        var task = Task.Run(async () =>
        {
            try
            {
                await work();
            }
            catch (Exception error)
            {
                LogFailed(logger, error, name);
            }
        });
        _running[task] = name;
        task.ContinueWith(done => _running.TryRemove(done, out _), TaskScheduler.Default);
    }

    /// <summary>Completes once nothing started before or during the wait is still running (tests wait on it).</summary>
    public async Task WhenIdleAsync()
    {
        while (!_running.IsEmpty)
        {
            await Task.WhenAll(_running.Keys);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_running.Keys).WaitAsync(cancellationToken);

    [LoggerMessage(Level = LogLevel.Error, Message = "Background {Work} failed")]
    private static partial void LogFailed(ILogger logger, Exception error, string work);
}
