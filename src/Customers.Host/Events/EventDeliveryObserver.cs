namespace Customers.Host.Events;

/// <summary>A target finished with an event: delivered, or dead-lettered after its last try.</summary>
internal sealed record DeliveryFinished(string EventId, string EventName, string Target, bool Delivered, int Attempts);

/// <summary>
/// In-process notice of finished deliveries on this silo, raised after the round is recorded in the database. For
/// tests and diagnostics only; subscribers must be quick and must not throw.
/// </summary>
internal sealed class EventDeliveryObserver
{
    public event Action<DeliveryFinished>? Finished;

    internal void Raise(DeliveryFinished notice) => Finished?.Invoke(notice);
}
