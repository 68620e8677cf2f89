using Customers.Grains.Auth;
using Customers.Host.Auth;
using Customers.Host.Database;
using Customers.Host.Events;
using Customers.Host.Notifications;
using Microsoft.Extensions.DependencyInjection.Extensions;

namespace Customers.Host.Hosting;

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
        services.AddSingleton<BackgroundWork>();
        services.AddHostedService(sp => sp.GetRequiredService<BackgroundWork>());

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
}
