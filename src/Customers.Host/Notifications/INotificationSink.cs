using System.Text.Json.Nodes;

namespace Customers.Host.Notifications;

/// <summary>
/// Where events meant for a person go, such as <c>auth.password_reset</c>, whose data carries the reset token that a
/// subscriber e-mails to the user. The events work (webhooks, stream) replaces the development implementation with a
/// real one; until then <see cref="DevelopmentNotificationSink"/> records events in a table, and without it events are
/// dropped with a warning (<see cref="DroppingNotificationSink"/>). Implementations never log event data: it holds
/// secrets.
/// </summary>
internal interface INotificationSink
{
    /// <summary>Delivers one event. <paramref name="data"/> is the event's data object, exactly as Medusa emits it.</summary>
    Task PublishAsync(string eventName, JsonObject data, CancellationToken ct);
}
