using System.Net.Http.Headers;
using System.Text.Json;
using System.Text.Json.Nodes;
using Customers.Abstractions.Events;
using Customers.Host.Telemetry;
using Microsoft.Extensions.Options;

namespace Customers.Host.Events;

/// <summary>
/// Delivers the outbox at least once, on every silo: claims due events (<see cref="EventOutbox.ClaimAsync"/>, FOR
/// UPDATE SKIP LOCKED plus a lease, so silos share the work without claiming an event twice), tries every target that
/// has not yet acknowledged it (each configured webhook whose filter accepts it, and the Orleans stream), and records
/// the outcome per target: delivered, due again after an exponential backoff, or dead-lettered after the last try.
/// A target that acknowledged is never sent the event again, so one failing webhook neither blocks nor duplicates
/// delivery to another. A silo that dies between a webhook's 2xx and the record sends it again later (at least once):
/// receivers de-duplicate by <c>webhook-id</c>. Event data and webhook URLs and secrets are never logged.
/// </summary>
internal sealed partial class EventDispatcher(
    EventOutbox outbox,
    IOptionsMonitor<EventOptions> options,
    IHttpClientFactory httpClients,
    IServiceProvider services,
    TimeProvider time,
    EventDeliveryObserver observer,
    CustomersMetrics metrics,
    ILogger<EventDispatcher> logger) : BackgroundService
{
    public const string HttpClientName = "customers-webhooks";
    public const string StreamTarget = "stream";
    public const string WebhookTargetPrefix = "webhook:";

    private readonly string _claimant = $"{Environment.MachineName}/{Environment.ProcessId}/{Guid.NewGuid():N}";

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        while (!stoppingToken.IsCancellationRequested)
        {
            var settings = options.CurrentValue;
            var claimed = 0;
            try
            {
                claimed = await RunOnceAsync(settings, stoppingToken);
                metrics.OutboxObserved(await outbox.OldestUnfinishedAsync(stoppingToken));
            }
            catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
            {
                return;
            }
            catch (Exception e)
            {
                LogRoundFailed(logger, e);
            }

            if (claimed < settings.BatchSize)
            {
                try
                {
                    await Task.Delay(settings.PollInterval, time, stoppingToken);
                }
                catch (OperationCanceledException)
                {
                    return;
                }
            }
        }
    }

    /// <summary>One claim and its deliveries; returns how many events were claimed.</summary>
    internal async Task<int> RunOnceAsync(EventOptions settings, CancellationToken ct)
    {
        var claimedAt = time.GetUtcNow();
        var events = await outbox.ClaimAsync(claimedAt, claimedAt + settings.ClaimLease, settings.BatchSize, _claimant, ct);

        // In sequence order, so a healthy receiver sees a change's events in the order of
        // docs/medusa-compatibility.md §9; webhooks in parallel per event. Past half the lease, the rest of the batch
        // is handed back rather than risk another silo claiming it meanwhile. The rounds are recorded together once
        // the batch is done (a silo that dies before that sends the batch again: at least once, as always).
        // On shutdown the rounds done so far are still recorded.
        var rounds = new List<(OutboxEvent Event, DeliveryRound Round)>(events.Count);
        try
        {
            foreach (var e in events)
            {
                var now = time.GetUtcNow();
                rounds.Add((e, now - claimedAt > settings.ClaimLease / 2
                    ? new DeliveryRound(e.Id, new Dictionary<string, TargetState>(), now, now, false, null)
                    : await DeliverAsync(e, settings, ct)));
            }
        }
        finally
        {
            await outbox.RecordRoundsAsync(rounds.ConvertAll(r => r.Round), _claimant, CancellationToken.None);
        }

        foreach (var (e, round) in rounds)
        {
            Report(e, round);
        }

        return events.Count;
    }

    private async Task<DeliveryRound> DeliverAsync(OutboxEvent e, EventOptions settings, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var targets = new List<(string Target, WebhookOptions? Hook)>();
        if (settings.PublishToStream)
        {
            targets.Add((StreamTarget, null));
        }

        foreach (var (name, hook) in settings.Webhooks.OrderBy(w => w.Key, StringComparer.Ordinal))
        {
            if (hook.Accepts(e.Name))
            {
                targets.Add((WebhookTargetPrefix + name, hook));
            }
        }

        var due = targets
            .Where(t => !e.Targets.TryGetValue(t.Target, out var known) || (!known.Finished && (known.NextAttemptAt is null || known.NextAttemptAt <= now)))
            .ToList();
        var outcomes = await Task.WhenAll(due.Select(async t =>
        {
            var before = e.Targets.GetValueOrDefault(t.Target) ?? new TargetState(0, null, null, null, null, null);
            var (status, error) = t.Hook is null ? await PublishAsync(e) : await PostAsync(e, t.Hook, before.Attempts + 1, settings, ct);
            return (t.Target, State: Next(before, status, error, now, settings));
        }));

        var tried = outcomes.ToDictionary(o => o.Target, o => o.State, StringComparer.Ordinal);
        var states = targets.Select(t => tried.GetValueOrDefault(t.Target) ?? e.Targets.GetValueOrDefault(t.Target)).OfType<TargetState>().ToList();
        var pending = targets.Count - states.Count(s => s.Finished);
        var nextAttemptAt = pending == 0
            ? (DateTimeOffset?)null
            : targets.Select(t => tried.GetValueOrDefault(t.Target) ?? e.Targets.GetValueOrDefault(t.Target))
                .Where(s => s is null || !s.Finished)
                .Min(s => s?.NextAttemptAt ?? now);
        var dead = states.FirstOrDefault(s => s.DeadLetteredAt is not null);
        var lastError = dead?.LastError ?? states.Where(s => !s.Finished).Select(s => s.LastError).FirstOrDefault(m => m is not null);
        return new DeliveryRound(e.Id, tried, now, nextAttemptAt, dead is not null, lastError);
    }

    /// <summary>Metrics, logs and the observer for a recorded round.</summary>
    private void Report(OutboxEvent e, DeliveryRound round)
    {
        foreach (var (target, state) in round.Tried)
        {
            RecordTry(target, state);
            if (state.DeadLetteredAt is not null)
            {
                LogDeadLettered(logger, e.Id, e.Name, target, state.Attempts, state.LastError ?? "");
            }
            else if (!state.Finished)
            {
                LogTryFailed(logger, e.Id, e.Name, target, state.Attempts, state.LastError ?? "");
            }

            if (state.Finished)
            {
                observer.Raise(new DeliveryFinished(e.Id, e.Name, target, state.DeliveredAt is not null, state.Attempts));
            }
        }
    }

    private void RecordTry(string target, TargetState state)
    {
        if (target.StartsWith(WebhookTargetPrefix, StringComparison.Ordinal))
        {
            var outcome = state.DeliveredAt is not null ? "delivered" : state.DeadLetteredAt is not null ? "dead_lettered" : "retried";
            metrics.WebhookTry(target[WebhookTargetPrefix.Length..], outcome);
        }
    }

    private static TargetState Next(TargetState before, int? status, string? error, DateTimeOffset now, EventOptions settings)
    {
        var attempts = before.Attempts + 1;
        if (error is null)
        {
            return new TargetState(attempts, null, now, null, status, null);
        }

        return attempts >= settings.MaxAttempts
            ? new TargetState(attempts, null, null, now, status, error)
            : new TargetState(attempts, now + Backoff(attempts, settings), null, null, status, error);
    }

    /// <summary>Base × 2^(tries − 1), ±20 % jitter, at most the maximum.</summary>
    internal static TimeSpan Backoff(int attempts, EventOptions settings)
    {
        var exponential = settings.BaseRetryDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempts - 1, 30));
        var jittered = exponential * (0.8 + (0.4 * Random.Shared.NextDouble()));
        return TimeSpan.FromMilliseconds(Math.Min(jittered, settings.MaxRetryDelay.TotalMilliseconds));
    }

    /// <summary>The webhook body: <c>{id, name, data, metadata, sequence, created_at}</c>.</summary>
    internal static byte[] Body(OutboxEvent e) => JsonSerializer.SerializeToUtf8Bytes(new JsonObject
    {
        ["id"] = e.Id,
        ["name"] = e.Name,
        ["data"] = JsonNode.Parse(e.DataJson),
        ["metadata"] = e.MetadataJson is null ? null : JsonNode.Parse(e.MetadataJson),
        ["sequence"] = e.Sequence,
        ["created_at"] = e.CreatedAt.ToUniversalTime().ToString("yyyy-MM-ddTHH:mm:ss.fffZ", System.Globalization.CultureInfo.InvariantCulture),
    });

    private async Task<(int? Status, string? Error)> PostAsync(OutboxEvent e, WebhookOptions hook, int attempt, EventOptions settings, CancellationToken ct)
    {
        var body = Body(e);
        using var request = new HttpRequestMessage(HttpMethod.Post, hook.Url) { Content = new ByteArrayContent(body) };
        request.Content.Headers.ContentType = new MediaTypeHeaderValue("application/json") { CharSet = "utf-8" };
        var timestamp = time.GetUtcNow().ToUnixTimeSeconds();
        request.Headers.TryAddWithoutValidation(WebhookSignature.IdHeader, e.Id);
        request.Headers.TryAddWithoutValidation(WebhookSignature.TimestampHeader, timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture));
        request.Headers.TryAddWithoutValidation(WebhookSignature.SignatureHeader, WebhookSignature.Sign(hook.Keys, e.Id, timestamp, body));
        request.Headers.TryAddWithoutValidation(WebhookSignature.EventNameHeader, e.Name);
        request.Headers.TryAddWithoutValidation(WebhookSignature.AttemptHeader, attempt.ToString(System.Globalization.CultureInfo.InvariantCulture));
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
        timeout.CancelAfter(settings.WebhookTimeout);
        try
        {
            using var response = await httpClients.CreateClient(HttpClientName).SendAsync(request, HttpCompletionOption.ResponseHeadersRead, timeout.Token);
            var status = (int)response.StatusCode;
            return response.IsSuccessStatusCode ? (status, null) : (status, $"HTTP {status}");
        }
        catch (OperationCanceledException) when (!ct.IsCancellationRequested)
        {
            return (null, "timeout");
        }
        catch (HttpRequestException failure)
        {
            // Not the message: it may name the URL, which may carry a credential.
            return (null, $"{nameof(HttpRequestException)}: {failure.HttpRequestError}");
        }
    }

    private async Task<(int? Status, string? Error)> PublishAsync(OutboxEvent e)
    {
        try
        {
            var stream = services.GetRequiredService<IClusterClient>()
                .GetStreamProvider(CustomerEvent.StreamProvider)
                .GetStream<CustomerEvent>(StreamId.Create(CustomerEvent.StreamNamespace, CustomerEvent.StreamKey));
            await stream.OnNextAsync(new CustomerEvent(e.Id, e.Sequence, e.Name, e.DataJson, e.MetadataJson, e.CreatedAt));
            return (null, null);
        }
        catch (Exception failure)
        {
            return (null, failure.GetType().Name);
        }
    }
}
