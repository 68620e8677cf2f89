namespace Customers.Host.Auth.Providers;

internal static partial class OAuthHttp
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Auth provider {Provider}: could not reach {Endpoint}")]
    private static partial void LogUnreachable(ILogger logger, Exception error, string provider, string endpoint);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Auth provider {Provider}: the token endpoint refused the code exchange with status {Status}")]
    private static partial void LogTokenEndpointRefused(ILogger logger, string provider, int status);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Auth provider {Provider}: {Path} answered status {Status}")]
    private static partial void LogResourceRefused(ILogger logger, string provider, string path, int status);
}
