namespace Customers.Host.Auth.Providers;

internal sealed partial class OidcProvider
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Auth provider {Provider}: could not read discovery from {Address}")]
    private static partial void LogDiscoveryFailed(ILogger logger, Exception error, string provider, string address);

    [LoggerMessage(Level = LogLevel.Error, Message = "Auth provider {Provider}: discovery names issuer {Issuer} or endpoints that do not match the configuration")]
    private static partial void LogDiscoveryUnusable(ILogger logger, string provider, string? issuer);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Auth provider {Provider}: the token endpoint answered no id_token")]
    private static partial void LogNoIdToken(ILogger logger, string provider);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Auth provider {Provider}: ID token rejected")]
    private static partial void LogIdTokenRejected(ILogger logger, Exception? error, string provider);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Auth provider {Provider}: ID token carries the wrong nonce")]
    private static partial void LogWrongNonce(ILogger logger, string provider);
}
