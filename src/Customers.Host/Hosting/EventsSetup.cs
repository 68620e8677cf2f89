using Customers.Abstractions.Events;
using Customers.Host.Events;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace Customers.Host.Hosting;

/// <summary>Events (docs/events.md): the outbox, its dispatcher on every silo, the webhook client and the event stream.</summary>
internal static class EventsSetup
{
    /// <summary>The grain storage Orleans keeps stream subscriptions in (in memory: the stream is best effort).</summary>
    private const string PubSubStore = "PubSubStore";

    public static WebApplicationBuilder AddCustomersEvents(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        services.AddOptions<EventOptions>().BindConfiguration(EventOptions.Section).ValidateOnStart();
        services.AddSingleton<IValidateOptions<EventOptions>, EventOptionsValidator>();
        services.TryAddSingleton<EventOutbox>();
        services.AddSingleton<EventDeliveryObserver>();
        services.AddHttpClient(EventDispatcher.HttpClientName, client => client.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });

        var events = builder.Configuration.GetSection(EventOptions.Section).Get<EventOptions>() ?? new EventOptions();
        if (events.Dispatch)
        {
            services.AddSingleton<EventDispatcher>();
            services.AddHostedService(sp => sp.GetRequiredService<EventDispatcher>());
            services.AddHostedService<EventOutboxPruner>();
        }

        return builder;
    }

    /// <summary>In-memory Orleans streams for <see cref="CustomerEvent"/>: no infrastructure, best effort.</summary>
    public static ISiloBuilder AddCustomersEventStream(this ISiloBuilder silo)
    {
        // Every event goes to the one stream key, so one queue carries them all; Orleans' default of eight left seven
        // queues always empty, each still polled by a pulling agent.
        silo.AddMemoryStreams(CustomerEvent.StreamProvider, streams => streams.ConfigurePartitioning(1));
        silo.AddMemoryGrainStorage(PubSubStore);
        return silo;
    }
}
