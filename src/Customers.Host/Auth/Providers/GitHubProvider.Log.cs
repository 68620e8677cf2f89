namespace Customers.Host.Auth.Providers;

internal sealed partial class GitHubProvider
{
    [LoggerMessage(Level = LogLevel.Warning, Message = "Auth provider {Provider}: the token endpoint answered no access_token (error {Error})")]
    private static partial void LogNoAccessToken(ILogger logger, string provider, string? error);
}
