namespace Customers.Host.Auth;

/// <summary>
/// Counts failed logins (and failed verification codes) per client address for the whole cluster (default 100 an
/// hour). Successful logins cost nothing, so a shop's shared NAT address is not throttled by its honest users; once
/// the budget is spent, logins answer 429.
/// </summary>
internal sealed class FailedLoginLimiter(ClientBudgets budgets)
{
    /// <summary>Null when the client may try; otherwise how long to wait.</summary>
    public Task<TimeSpan?> RetryAfterAsync(string client) => budgets.CheckAsync(ClientBudget.FailedLogins, client);

    public Task RecordFailureAsync(string client) => budgets.SpendAsync(ClientBudget.FailedLogins, client);
}
