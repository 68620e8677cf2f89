namespace Customers.Abstractions.Limits;

/// <summary>
/// One client's allowance of one kind of request (failed logins, registrations, reset requests) for the whole cluster,
/// keyed <c>{budget}/{client key}</c>. The count lives in the activation's memory only: the grain is activated once
/// in the cluster, so every silo spends from the same count, and no database is touched. If the silo holding it
/// dies, the count is lost and the client's budget starts again (docs/security.md).
/// </summary>
public interface IClientBudgetGrain : IGrainWithStringKey
{
    /// <summary>Null while the budget has something left; otherwise how long until it refills. Spends nothing.</summary>
    Task<TimeSpan?> CheckAsync(BudgetRule rule);

    /// <summary>Spends one unit and answers null; or, when the budget is spent, spends nothing and answers how long
    /// until it refills.</summary>
    Task<TimeSpan?> SpendAsync(BudgetRule rule);
}

/// <summary>A fixed window: at most <paramref name="Limit"/> units per <paramref name="Window"/>.</summary>
[GenerateSerializer]
[Alias("customers.budget-rule")]
[Immutable]
public sealed record BudgetRule(int Limit, TimeSpan Window);
