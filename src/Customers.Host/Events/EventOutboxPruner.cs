using Microsoft.Extensions.Options;

namespace Customers.Host.Events;

/// <summary>
/// Deletes finished events past their retention (<see cref="EventOptions.DeliveredRetention"/>,
/// <see cref="EventOptions.DeadLetterRetention"/>) every <see cref="EventOptions.PruneInterval"/>, so the outbox does not
/// grow without bound. Runs on every dispatching silo; concurrent prunes only delete the same rows once.
/// </summary>
internal sealed partial class EventOutboxPruner(
    EventOutbox outbox, IOptionsMonitor<EventOptions> options, TimeProvider time, ILogger<EventOutboxPruner> logger) : BackgroundService
{
    private const int Batch = 5_000;

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var settings = options.CurrentValue;
            try
            {
                var now = time.GetUtcNow();
                var deleted = await outbox.PruneAsync(now - settings.DeliveredRetention, now - settings.DeadLetterRetention, Batch, stoppingToken);
                if (deleted > 0)
                {
                    LogPruned(logger, deleted);
                }

                await Task.Delay(settings.PruneInterval, time, stoppingToken);
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogPruneFailed(logger, e, settings.PruneInterval);
                try
                {
                    await Task.Delay(settings.PruneInterval, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted {Count} finished events past their retention")]
    private static partial void LogPruned(ILogger logger, long count);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Pruning finished events failed; trying again in {Interval}")]
    private static partial void LogPruneFailed(ILogger logger, Exception exception, TimeSpan interval);
}
