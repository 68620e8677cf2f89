using System.Text.Json.Nodes;

namespace Customers.Host.Notifications;

/// <summary>
/// Where events meant for a person go, such as <c>auth.password_reset</c>, whose data carries the reset token that a
/// subscriber e-mails to the user. The implementation is <see cref="OutboxNotificationSink"/>: the event is recorded
/// in the event outbox and delivered to webhooks and the event stream like every other (docs/events.md), and with the
/// development sink on it is also recorded in <c>dev_notification</c> (<see cref="DevelopmentNotificationSink"/>).
/// Implementations never log event data: it holds secrets.
/// </summary>
internal interface INotificationSink
{
    /// <summary>Delivers one event. <paramref name="data"/> is the event's data object, exactly as Medusa emits it.</summary>
    Task PublishAsync(string eventName, JsonObject data, CancellationToken ct);
}
