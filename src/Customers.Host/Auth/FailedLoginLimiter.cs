using System.Threading.RateLimiting;
using Microsoft.Extensions.Options;

namespace Customers.Host.Auth;

/// <summary>
/// Counts failed logins per client IP (default 100 an hour, per silo). Successful logins cost nothing, so a shop's
/// shared NAT address is not throttled by its honest users; once the budget is spent, logins answer 429.
/// </summary>
internal sealed class FailedLoginLimiter(IOptions<RateLimitOptions> options) : IDisposable
{
    private static readonly TimeSpan Window = TimeSpan.FromHours(1);

    private readonly PartitionedRateLimiter<string> _failures = PartitionedRateLimiter.Create<string, string>(ip =>
        RateLimitPartition.GetFixedWindowLimiter(ip, _ => new FixedWindowRateLimiterOptions
        {
            PermitLimit = options.Value.FailedLoginsPerHour,
            Window = Window,
            QueueLimit = 0,
        }));

    /// <summary>Null when the client may try; otherwise how long to wait.</summary>
    public TimeSpan? RetryAfter(string clientIp)
    {
        // Asking for zero permits checks the budget without spending it.
        using var probe = _failures.AttemptAcquire(clientIp, 0);
        if (probe.IsAcquired)
        {
            return null;
        }

        return probe.TryGetMetadata(MetadataName.RetryAfter, out var retryAfter) ? retryAfter : Window;
    }

    public void RecordFailure(string clientIp)
    {
        using var lease = _failures.AttemptAcquire(clientIp);
    }

    public void Dispose() => _failures.Dispose();
}
