using Customers.Host.Events;
using Customers.Host.Tests.Http;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.TestHost;
using Microsoft.Extensions.DependencyInjection;
using Xunit;

namespace Customers.Host.Tests.Events;

/// <summary>
/// The host with three webhooks on a loopback <see cref="WebhookReceiver"/> and short retry settings:
/// <c>main</c> acknowledges everything; <c>flaky</c> (customer events only) fails the first two tries of every event;
/// <c>dead</c> (<c>customer.deleted</c> only) always answers 500, so each of its events is dead-lettered after the
/// 4th try. <see cref="Deliveries"/> records every finished delivery the dispatcher reports.
/// </summary>
public sealed class EventsApiFactory : CustomersApiFactory
{
    // Standard Webhooks secrets; main has two active ones, as during a rotation.
    public static readonly string MainSecret = NewSecret();
    public static readonly string MainNextSecret = NewSecret();
    public static readonly string FlakySecret = NewSecret();
    public static readonly string DeadSecret = NewSecret();
    public const int MaxAttempts = 4;
    public const int FlakyFailures = 2;

    private WebhookReceiver? _receiver;

    public WebhookReceiver Receiver => _receiver ?? throw new InvalidOperationException("Started in InitializeAsync.");

    public DeliveryRecorder Deliveries { get; } = new();

    protected override string DatabasePrefix => "events";

    protected override Task StartDependenciesAsync()
    {
        _receiver = new WebhookReceiver(
            new Dictionary<string, string[]> { ["/main"] = [MainSecret, MainNextSecret], ["/flaky"] = [FlakySecret], ["/dead"] = [DeadSecret] },
            (path, _, tries) => path switch
            {
                "/main" => 200,
                "/flaky" => tries <= FlakyFailures ? 503 : 204,
                _ => 500,
            });
        return Task.CompletedTask;
    }

    protected override IEnumerable<KeyValuePair<string, string>> OverrideSettings() =>
    [
        new("Customers:Events:Webhooks:main:Url", Receiver.Url("/main")),
        new("Customers:Events:Webhooks:main:Secrets:0", MainSecret),
        new("Customers:Events:Webhooks:main:Secrets:1", MainNextSecret),
        new("Customers:Events:Webhooks:flaky:Url", Receiver.Url("/flaky")),
        new("Customers:Events:Webhooks:flaky:Secrets:0", FlakySecret),
        new("Customers:Events:Webhooks:flaky:Events:0", "customer.*"),
        new("Customers:Events:Webhooks:dead:Url", Receiver.Url("/dead")),
        new("Customers:Events:Webhooks:dead:Secrets:0", DeadSecret),
        new("Customers:Events:Webhooks:dead:Events:0", "customer.deleted"),
        new("Customers:Events:MaxAttempts", MaxAttempts.ToString(System.Globalization.CultureInfo.InvariantCulture)),
        new("Customers:Events:BaseRetryDelay", "00:00:00.020"),
        new("Customers:Events:MaxRetryDelay", "00:00:00.100"),
        new("Customers:Events:PollInterval", "00:00:00.025"),
    ];

    public static string NewSecret() => "whsec_" + Convert.ToBase64String(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32));

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.ConfigureTestServices(services => services.AddSingleton(Deliveries.Observer));
    }

    public override async ValueTask DisposeAsync()
    {
        await base.DisposeAsync();
        if (_receiver is not null)
        {
            await _receiver.DisposeAsync();
        }
    }
}

/// <summary>Every <see cref="DeliveryFinished"/> the host's dispatcher raised, with signals to wait on.</summary>
public sealed class DeliveryRecorder
{
    private readonly List<DeliveryFinished> _seen = [];
    private readonly List<(Func<DeliveryFinished, bool> Match, TaskCompletionSource<DeliveryFinished> Signal)> _waiters = [];

    public DeliveryRecorder() => Observer.Finished += Record;

    internal EventDeliveryObserver Observer { get; } = new();

    internal Task<DeliveryFinished> WaitForAsync(Func<DeliveryFinished, bool> match, TimeSpan? timeout = null)
    {
        var signal = new TaskCompletionSource<DeliveryFinished>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_seen)
        {
            var seen = _seen.FirstOrDefault(match);
            if (seen is not null)
            {
                return Task.FromResult(seen);
            }

            _waiters.Add((match, signal));
        }

        return signal.Task.WaitAsync(timeout ?? TimeSpan.FromSeconds(30));
    }

    private void Record(DeliveryFinished notice)
    {
        List<TaskCompletionSource<DeliveryFinished>> woken = [];
        lock (_seen)
        {
            _seen.Add(notice);
            foreach (var waiter in _waiters.Where(w => w.Match(notice)).ToList())
            {
                _waiters.Remove(waiter);
                woken.Add(waiter.Signal);
            }
        }

        foreach (var signal in woken)
        {
            signal.TrySetResult(notice);
        }
    }
}

[CollectionDefinition(Name)]
public sealed class EventsCollection : ICollectionFixture<EventsApiFactory>
{
    public const string Name = "Events";
}
