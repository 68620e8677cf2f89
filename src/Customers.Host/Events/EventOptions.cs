using Microsoft.Extensions.Options;

namespace Customers.Host.Events;

/// <summary>Event delivery (<c>Customers:Events</c>, docs/events.md): webhooks, retry policy and the dispatcher's pace.</summary>
public sealed class EventOptions
{
    public const string Section = "Customers:Events";

    /// <summary>Webhooks by name (<c>Customers:Events:Webhooks:&lt;name&gt;:Url</c>, <c>Secrets</c>, <c>Events</c>).</summary>
    public Dictionary<string, WebhookOptions> Webhooks { get; set; } = new(StringComparer.Ordinal);

    /// <summary>Tries per event and target, the first included; after the last failed one the delivery is dead-lettered.</summary>
    public int MaxAttempts { get; set; } = 8;

    /// <summary>Delay before the second try; each further try waits twice as long (±20 % jitter), up to <see cref="MaxRetryDelay"/>.</summary>
    public TimeSpan BaseRetryDelay { get; set; } = TimeSpan.FromSeconds(1);

    public TimeSpan MaxRetryDelay { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long a silo waits before looking for due events again when it found fewer than a batch.</summary>
    public TimeSpan PollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Events claimed at once by one silo.</summary>
    public int BatchSize { get; set; } = 50;

    /// <summary>Time a webhook has to answer; anything but a 2xx within it is a failed try.</summary>
    public TimeSpan WebhookTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>
    /// How long a claimed event stays invisible to other silos. Must exceed <see cref="WebhookTimeout"/> comfortably:
    /// a silo that dies mid-round releases its events when the lease ends, and another silo then tries them again.
    /// </summary>
    public TimeSpan ClaimLease { get; set; } = TimeSpan.FromMinutes(2);

    /// <summary>Publish every event on the Orleans stream (see <see cref="Abstractions.Events.CustomerEvent"/>).</summary>
    public bool PublishToStream { get; set; } = true;

    /// <summary>Run the dispatcher (and the pruner of finished events) on this silo.</summary>
    public bool Dispatch { get; set; } = true;

    /// <summary>How long a delivered event (and its delivery records) is kept; development notifications too.</summary>
    public TimeSpan DeliveredRetention { get; set; } = TimeSpan.FromDays(7);

    /// <summary>How long a dead-lettered event (the dead-letter record with its last error) is kept.</summary>
    public TimeSpan DeadLetterRetention { get; set; } = TimeSpan.FromDays(30);

    /// <summary>How often each dispatching silo deletes the events past their retention.</summary>
    public TimeSpan PruneInterval { get; set; } = TimeSpan.FromHours(1);
}

/// <summary>One webhook.</summary>
public sealed class WebhookOptions
{
    /// <summary>Absolute http or https URL the events are POSTed to. Never logged (it may carry a credential).</summary>
    public string? Url { get; set; }

    /// <summary>
    /// Active Standard Webhooks secrets (<c>whsec_&lt;base64 of 24 to 64 bytes&gt;</c>); every try is signed with each,
    /// so a receiver can switch to a new secret before the old one is removed. Never logged.
    /// </summary>
    public List<string> Secrets { get; set; } = [];

    /// <summary>The decoded keys of <see cref="Secrets"/> (validated at start-up).</summary>
    internal IEnumerable<byte[]> Keys => Secrets.Select(secret => WebhookSignature.DecodeSecret(secret)!);

    /// <summary>Event names to send (exact, or a prefix ending in <c>*</c>, e.g. <c>customer.*</c>); empty: all.</summary>
    public List<string> Events { get; set; } = [];

    internal bool Accepts(string eventName) =>
        Events.Count == 0 || Events.Exists(pattern => pattern.EndsWith('*')
            ? eventName.StartsWith(pattern[..^1], StringComparison.Ordinal)
            : string.Equals(pattern, eventName, StringComparison.Ordinal));
}

internal sealed class EventOptionsValidator : IValidateOptions<EventOptions>
{
    public ValidateOptionsResult Validate(string? name, EventOptions options)
    {
        var failures = new List<string>();
        if (options.MaxAttempts is < 1 or > 100)
        {
            failures.Add($"{EventOptions.Section}:MaxAttempts must be between 1 and 100.");
        }

        if (options.BaseRetryDelay <= TimeSpan.Zero || options.MaxRetryDelay < options.BaseRetryDelay)
        {
            failures.Add($"{EventOptions.Section}:BaseRetryDelay must be positive and at most MaxRetryDelay.");
        }

        if (options.PollInterval <= TimeSpan.Zero || options.WebhookTimeout <= TimeSpan.Zero)
        {
            failures.Add($"{EventOptions.Section}:PollInterval and WebhookTimeout must be positive.");
        }

        if (options.BatchSize is < 1 or > 1000)
        {
            failures.Add($"{EventOptions.Section}:BatchSize must be between 1 and 1000.");
        }

        if (options.DeliveredRetention < TimeSpan.FromMinutes(1) || options.DeadLetterRetention < options.DeliveredRetention
            || options.PruneInterval <= TimeSpan.Zero)
        {
            failures.Add($"{EventOptions.Section}:DeliveredRetention must be at least a minute, DeadLetterRetention at least as long, " +
                         "and PruneInterval positive.");
        }

        if (options.ClaimLease < options.WebhookTimeout * 2)
        {
            failures.Add($"{EventOptions.Section}:ClaimLease must be at least twice WebhookTimeout.");
        }

        foreach (var (webhook, hook) in options.Webhooks)
        {
            var key = $"{EventOptions.Section}:Webhooks:{webhook}";
            if (!Uri.TryCreate(hook.Url, UriKind.Absolute, out var url) || (url.Scheme != Uri.UriSchemeHttp && url.Scheme != Uri.UriSchemeHttps))
            {
                failures.Add($"{key}:Url must be an absolute http or https URL.");
            }

            if (hook.Secrets.Count == 0)
            {
                failures.Add($"{key}:Secrets needs at least one secret.");
            }

            for (var i = 0; i < hook.Secrets.Count; i++)
            {
                if (WebhookSignature.DecodeSecret(hook.Secrets[i]) is null)
                {
                    failures.Add($"{key}:Secrets:{i} must be 'whsec_' followed by the base64 of {WebhookSignature.MinKeyBytes} to " +
                                 $"{WebhookSignature.MaxKeyBytes} random bytes.");
                }
            }
        }

        return failures.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(failures);
    }
}
