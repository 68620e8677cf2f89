using Customers.Grains.Auth;
using Customers.Host.Auth;
using Customers.Host.Events;
using Customers.Host.Http.Auth;
using Customers.Host.Http.Store.Customers;
using Customers.Host.Notifications;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Customers.Host.Hosting;

/// <summary>Where notifications (e.g. the password reset e-mail's token) go besides the event outbox.</summary>
public sealed class NotificationOptions
{
    public const string Section = "Customers:Notifications";

    /// <summary>
    /// Record events in the <c>dev_notification</c> table. Unset: on in the Development environment and with the
    /// embedded database, off otherwise. The table then holds live reset tokens: never turn this on where real
    /// customers sign in.
    /// </summary>
    public bool? DevelopmentSink { get; set; }
}

/// <summary>Password reset, password change and the notification sink they publish to.</summary>
internal static class PasswordResetSetup
{
    public static WebApplicationBuilder AddCustomersPasswordReset(this WebApplicationBuilder builder, CustomersDatabase database)
    {
        var services = builder.Services;
        services.AddOptions<PasswordResetOptions>().BindConfiguration(PasswordResetOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddOptions<NotificationOptions>().BindConfiguration(NotificationOptions.Section);
        services.AddSingleton<PasswordResetTokens>();
        services.AddSingleton<PasswordResetFlow>();

        var notifications = builder.Configuration.GetSection(NotificationOptions.Section).Get<NotificationOptions>() ?? new NotificationOptions();
        // Notifications are events: recorded in the outbox and delivered like every other (docs/events.md); the
        // development sink additionally records them in dev_notification.
        services.TryAddSingleton<EventOutbox>();
        if (notifications.DevelopmentSink ?? (builder.Environment.IsDevelopment() || database.IsEmbedded))
        {
            services.AddSingleton<DevelopmentNotificationSink>();
            services.AddSingleton<INotificationSink>(sp =>
                new OutboxNotificationSink(sp.GetRequiredService<EventOutbox>(), sp.GetRequiredService<DevelopmentNotificationSink>()));
        }
        else
        {
            services.AddSingleton<INotificationSink>(sp => new OutboxNotificationSink(sp.GetRequiredService<EventOutbox>(), null));
        }

        return builder;
    }

    public static WebApplication MapCustomersPasswordReset(this WebApplication app)
    {
        app.MapPasswordResetRoutes().RequireCors("auth");
        app.MapStoreCustomerPasswordRoutes().RequireCors("store");
        return app;
    }
}
