using System.Text.Json.Nodes;

namespace Customers.Host.Notifications;

/// <summary>
/// The sink when no other is configured (production before the events work lands): the event is dropped and a
/// warning names it, never its data. A password reset then reaches nobody, which the warning makes visible.
/// </summary>
internal sealed partial class DroppingNotificationSink(ILogger<DroppingNotificationSink> logger) : INotificationSink
{
    public Task PublishAsync(string eventName, JsonObject data, CancellationToken ct)
    {
        LogDropped(logger, eventName);
        return Task.CompletedTask;
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "No notification sink is configured: event {EventName} was dropped (see Customers:Notifications:DevelopmentSink)")]
    private static partial void LogDropped(ILogger logger, string eventName);
}
