namespace Customers.Host.Notifications;

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
