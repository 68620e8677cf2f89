using Customers.Abstractions.Limits;
using Microsoft.Extensions.Options;

namespace Customers.Host.Auth;

/// <summary>The kinds of per-client budgets; each has its own count per client address.</summary>
internal enum ClientBudget
{
    FailedLogins,
    Registrations,
    PasswordResets,
}

/// <summary>
/// Per-client-address budgets shared by every silo: each (budget, client) pair is one <see cref="IClientBudgetGrain"/>
/// activation somewhere in the cluster. A check or a spend is one grain call (in memory, no database); a client that
/// reaches five silos through a round-robin balancer spends from one count.
/// </summary>
internal sealed class ClientBudgets(IGrainFactory grains, IOptions<RateLimitOptions> options)
{
    private static readonly TimeSpan Window = TimeSpan.FromHours(1);

    /// <summary>Null when the client may go on; otherwise how long until its budget refills. Spends nothing.</summary>
    public Task<TimeSpan?> CheckAsync(ClientBudget budget, string client) => Grain(budget, client).CheckAsync(Rule(budget));

    /// <summary>Spends one unit, or answers how long until the budget refills when it is spent.</summary>
    public Task<TimeSpan?> SpendAsync(ClientBudget budget, string client) => Grain(budget, client).SpendAsync(Rule(budget));

    private IClientBudgetGrain Grain(ClientBudget budget, string client) =>
        grains.GetGrain<IClientBudgetGrain>($"{budget}/{client}");

    private BudgetRule Rule(ClientBudget budget) => new(
        budget switch
        {
            ClientBudget.FailedLogins => options.Value.FailedLoginsPerHour,
            ClientBudget.Registrations => options.Value.RegistrationsPerHour,
            ClientBudget.PasswordResets => options.Value.PasswordResetsPerHour,
            _ => throw new ArgumentOutOfRangeException(nameof(budget)),
        },
        Window);
}
