using System.Diagnostics.Metrics;

namespace Customers.Host.Telemetry;

/// <summary>
/// The service's own instruments, on the meter <see cref="MeterName"/> (docs/operations.md lists each with its alert).
/// Tags carry bounded values only (actor type, provider id, outcome, webhook name): never an e-mail, id or token.
/// </summary>
internal sealed class CustomersMetrics
{
    public const string MeterName = "Customers";

    private readonly Counter<long> _logins;
    private readonly Counter<long> _registrations;
    private readonly Counter<long> _passwordResets;
    private readonly Counter<long> _socialSignIns;
    private readonly Counter<long> _tokenRevocations;
    private readonly Counter<long> _webhookDeliveries;
    private readonly Counter<long> _limitRefusals;
    private readonly TimeProvider _time;
    private DateTimeOffset? _oldestUndeliveredAt;
    private bool _outboxObserved;
    private DateTimeOffset? _lastRevocationPull;

    public CustomersMetrics(IMeterFactory meters, TimeProvider time)
    {
        _time = time;
        var meter = meters.Create(MeterName);
        _logins = meter.CreateCounter<long>("customers.auth.logins", "{login}",
            "Login attempts by actor type, provider and outcome (succeeded, failed, locked, throttled).");
        _registrations = meter.CreateCounter<long>("customers.auth.registrations", "{registration}",
            "Identities registered, by actor type and provider.");
        _passwordResets = meter.CreateCounter<long>("customers.auth.password_resets", "{reset}",
            "Password resets by actor type and stage (requested, completed).");
        _socialSignIns = meter.CreateCounter<long>("customers.auth.social_sign_ins", "{sign_in}",
            "Completed OAuth / OpenID Connect sign-ins, by provider and actor type.");
        _tokenRevocations = meter.CreateCounter<long>("customers.auth.token_revocations", "{revocation}",
            "Revocations of an identity's earlier tokens, by reason.");
        _webhookDeliveries = meter.CreateCounter<long>("customers.events.webhook_deliveries", "{try}",
            "Webhook tries by webhook and outcome (delivered, retried, dead_lettered).");
        _limitRefusals = meter.CreateCounter<long>("customers.limits.refusals", "{request}",
            "Requests refused by a per-client limit (registration, failed_logins).");
        meter.CreateObservableGauge("customers.events.oldest_undelivered_age", ObserveOldestUndelivered, "s",
            "Age of the oldest event not yet delivered or dead-lettered (0 when none), as last seen by this silo's dispatcher.");
        meter.CreateObservableGauge("customers.auth.revocation_feed_lag", ObserveRevocationLag, "s",
            "Time since this silo last pulled token revocations successfully.");
    }

    public void Login(string actorType, string provider, LoginOutcome outcome) =>
        _logins.Add(1, new("actor_type", actorType), new("provider", provider), new("outcome", Name(outcome)));

    public void Registration(string actorType, string provider) =>
        _registrations.Add(1, new("actor_type", actorType), new("provider", provider));

    public void PasswordReset(string actorType, string stage) =>
        _passwordResets.Add(1, new("actor_type", actorType), new("stage", stage));

    public void SocialSignIn(string actorType, string provider) =>
        _socialSignIns.Add(1, new("actor_type", actorType), new("provider", provider));

    public void TokenRevocation(string reason) => _tokenRevocations.Add(1, new KeyValuePair<string, object?>("reason", reason));

    public void WebhookTry(string webhook, string outcome) =>
        _webhookDeliveries.Add(1, new("webhook", webhook), new("outcome", outcome));

    public void LimitRefusal(string limit) => _limitRefusals.Add(1, new KeyValuePair<string, object?>("limit", limit));

    /// <summary>The dispatcher's latest look at the outbox: the creation time of its oldest unfinished event, or null.</summary>
    public void OutboxObserved(DateTimeOffset? oldestUndeliveredAt)
    {
        _oldestUndeliveredAt = oldestUndeliveredAt;
        _outboxObserved = true;
    }

    public void RevocationsPulled() => _lastRevocationPull = _time.GetUtcNow();

    private IEnumerable<Measurement<double>> ObserveOldestUndelivered()
    {
        if (_outboxObserved)
        {
            yield return new Measurement<double>(_oldestUndeliveredAt is { } at ? Math.Max(0, (_time.GetUtcNow() - at).TotalSeconds) : 0);
        }
    }

    private IEnumerable<Measurement<double>> ObserveRevocationLag()
    {
        if (_lastRevocationPull is { } at)
        {
            yield return new Measurement<double>((_time.GetUtcNow() - at).TotalSeconds);
        }
    }

    private static string Name(LoginOutcome outcome) => outcome switch
    {
        LoginOutcome.Succeeded => "succeeded",
        LoginOutcome.Failed => "failed",
        LoginOutcome.Locked => "locked",
        _ => "throttled",
    };
}

internal enum LoginOutcome
{
    Succeeded,
    Failed,
    Locked,
    Throttled,
}
