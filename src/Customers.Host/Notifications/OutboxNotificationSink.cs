using System.Text.Json.Nodes;
using Customers.Host.Events;

namespace Customers.Host.Notifications;

/// <summary>
/// Records each notification (e.g. <c>auth.password_reset</c> with its reset token) in the event outbox, from which
/// it reaches the configured webhooks and the event stream (docs/events.md). With the development sink on, it is also
/// recorded in <c>dev_notification</c> afterwards, as before. Never logs the data.
/// </summary>
internal sealed class OutboxNotificationSink(EventOutbox outbox, DevelopmentNotificationSink? development) : INotificationSink
{
    public async Task PublishAsync(string eventName, JsonObject data, CancellationToken ct)
    {
        await outbox.AddAsync(eventName, data, null, ct);
        if (development is not null)
        {
            await development.PublishAsync(eventName, data, ct);
        }
    }
}
