namespace Customers.Abstractions.Events;

/// <summary>
/// One event of the outbox (docs/events.md), as published on the Orleans stream <see cref="StreamProvider"/> /
/// <see cref="StreamNamespace"/> / <see cref="StreamKey"/> for in-cluster subscribers. The stream is in-memory and
/// best effort (an event published while no subscriber is active, or in flight when a silo dies, is not replayed);
/// webhooks are the durable, at-least-once channel.
/// </summary>
/// <param name="Id">The event id (<c>evt_…</c>), unique; subscribers de-duplicate by it.</param>
/// <param name="Sequence">The outbox sequence number: increasing in the order the events were written.</param>
/// <param name="Name">Medusa's event name, e.g. <c>customer.created</c>.</param>
/// <param name="DataJson">The event's data object as JSON, e.g. <c>{"id":"cus_…"}</c>.</param>
/// <param name="MetadataJson">The event's metadata object as JSON (module events), or null.</param>
/// <param name="CreatedAt">When the change that caused the event was written.</param>
[GenerateSerializer]
[Alias("customers.customer-event")]
[Immutable]
public sealed record CustomerEvent(
    string Id,
    long Sequence,
    string Name,
    string DataJson,
    string? MetadataJson,
    DateTimeOffset CreatedAt)
{
    /// <summary>The name of the stream provider the events are published to.</summary>
    public const string StreamProvider = "Events";

    /// <summary>The stream namespace of the event stream.</summary>
    public const string StreamNamespace = "customers.events";

    /// <summary>The key of the one stream every event is published on (in outbox-claim order, per silo).</summary>
    public const string StreamKey = "all";
}
