using Customers.Grains.Auth;
using Customers.Host.Auth;
using Customers.Host.Http.Auth;
using Customers.Host.Http.Store.Customers;
using Customers.Host.Notifications;

namespace Customers.Host.Hosting;

/// <summary>Where notifications (e.g. the password reset e-mail's token) go until the events work provides a sink.</summary>
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
        if (notifications.DevelopmentSink ?? (builder.Environment.IsDevelopment() || database.IsEmbedded))
        {
            services.AddSingleton<INotificationSink, DevelopmentNotificationSink>();
        }
        else
        {
            services.AddSingleton<INotificationSink, DroppingNotificationSink>();
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
