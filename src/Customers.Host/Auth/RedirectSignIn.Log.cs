namespace Customers.Host.Auth;

internal sealed partial class RedirectSignIn
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Auth provider {Provider}: callback refused, state {Reason}")]
    private static partial void LogStateRefused(ILogger logger, string provider, string reason);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Auth provider {Provider}: the user's subject or profile is empty or too large")]
    private static partial void LogUnusableUser(ILogger logger, string provider);

    [LoggerMessage(Level = LogLevel.Information, Message = "Auth provider {Provider}: created identity {IdentityId}")]
    private static partial void LogIdentityCreated(ILogger logger, string provider, string identityId);
}
