namespace Customers.Host.Http;

/// <summary>The <c>Retry-After</c> header in whole seconds, rounded up so a client never retries too early.</summary>
internal static class RetryAfter
{
    public static void Set(HttpResponse response, TimeSpan wait) =>
        response.Headers.RetryAfter = ((long)Math.Ceiling(Math.Max(wait.TotalSeconds, 0))).ToString(System.Globalization.CultureInfo.InvariantCulture);
}
