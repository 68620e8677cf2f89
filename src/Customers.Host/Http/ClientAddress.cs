namespace Customers.Host.Http;

/// <summary>The client address used for per-IP limits.</summary>
internal static class ClientAddress
{
    public static string Of(HttpContext http) => http.Connection.RemoteIpAddress?.ToString() ?? "unknown";
}
