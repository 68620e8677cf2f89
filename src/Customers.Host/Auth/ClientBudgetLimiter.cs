using System.Threading.RateLimiting;

namespace Customers.Host.Auth;

/// <summary>
/// One client's <see cref="ClientBudgets"/> budget as an ASP.NET Core rate limiter, so a route keeps
/// <c>RequireRateLimiting</c>. The synchronous attempt always declines, which makes the middleware take the
/// asynchronous path, where the cluster-wide count is asked.
/// </summary>
internal sealed class ClientBudgetLimiter(ClientBudgets budgets, ClientBudget budget, string client, TimeProvider time) : RateLimiter
{
    private long _lastUsed = time.GetTimestamp();

    public override TimeSpan? IdleDuration => time.GetElapsedTime(Interlocked.Read(ref _lastUsed));

    public override RateLimiterStatistics? GetStatistics() => null;

    protected override RateLimitLease AttemptAcquireCore(int permitCount) => Lease.Declined;

    protected override async ValueTask<RateLimitLease> AcquireAsyncCore(int permitCount, CancellationToken cancellationToken)
    {
        Interlocked.Exchange(ref _lastUsed, time.GetTimestamp());
        if (permitCount == 0)
        {
            return await budgets.CheckAsync(budget, client) is { } wait ? Lease.Refused(wait) : Lease.Granted;
        }

        return await budgets.SpendAsync(budget, client) is { } refill ? Lease.Refused(refill) : Lease.Granted;
    }

    private sealed class Lease(bool acquired, TimeSpan? retryAfter) : RateLimitLease
    {
        public static readonly Lease Granted = new(true, null);
        public static readonly Lease Declined = new(false, null);

        public static Lease Refused(TimeSpan retryAfter) => new(false, retryAfter);

        public override bool IsAcquired => acquired;

        public override IEnumerable<string> MetadataNames => retryAfter is null ? [] : [MetadataName.RetryAfter.Name];

        public override bool TryGetMetadata(string metadataName, out object? metadata)
        {
            metadata = retryAfter;
            return retryAfter is not null && metadataName == MetadataName.RetryAfter.Name;
        }
    }
}
