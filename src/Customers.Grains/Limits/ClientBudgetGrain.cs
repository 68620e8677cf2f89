using Customers.Abstractions.Limits;

namespace Customers.Grains.Limits;

/// <summary>
/// A fixed-window counter held in memory. Deliberately neither persistent (a database write per failed login would
/// cost more than the attack it stops) nor a stateless worker (each silo would count alone again).
/// </summary>
internal sealed class ClientBudgetGrain(TimeProvider time) : Grain, IClientBudgetGrain
{
    private DateTimeOffset _windowEnd;
    private int _spent;

    public Task<TimeSpan?> CheckAsync(BudgetRule rule) => Task.FromResult(Refusal(rule, time.GetUtcNow()));

    public Task<TimeSpan?> SpendAsync(BudgetRule rule)
    {
        var now = time.GetUtcNow();
        if (Refusal(rule, now) is { } wait)
        {
            return Task.FromResult<TimeSpan?>(wait);
        }

        _spent++;

        // Stay in memory while the window runs, so an idle collection does not forget a spent budget.
        DelayDeactivation(_windowEnd - now);
        return Task.FromResult<TimeSpan?>(null);
    }

    private TimeSpan? Refusal(BudgetRule rule, DateTimeOffset now)
    {
        if (now >= _windowEnd)
        {
            _windowEnd = now + rule.Window;
            _spent = 0;
        }

        return _spent < rule.Limit ? null : _windowEnd - now;
    }
}
