namespace Customers.Faults;

/// <summary>
/// How big a run is. The bounded form runs in CI (about 2 minutes); the long form (<c>bench/faults.sh</c>, environment
/// <c>CUSTOMERS_FAULTS_LONG=1</c>) holds each fault longer under more clients and produces docs/reliability.md's table.
/// </summary>
/// <param name="Shoppers">Concurrent shoppers, each from its own client address.</param>
/// <param name="Hold">How long a silo stays down and PostgreSQL stays stopped.</param>
/// <param name="Settle">Steady traffic before the first fault and after each one is undone.</param>
/// <param name="ThinkTime">Each shopper's pause between requests (it keeps a shared CI machine responsive).</param>
public sealed record FaultScale(string Name, int Shoppers, TimeSpan Hold, TimeSpan Settle, TimeSpan ThinkTime)
{
    public static readonly FaultScale Bounded = new("bounded", 8, TimeSpan.FromSeconds(5), TimeSpan.FromSeconds(6), TimeSpan.FromMilliseconds(20));

    public static readonly FaultScale Long = new("long", 24, TimeSpan.FromSeconds(30), TimeSpan.FromSeconds(15), TimeSpan.FromMilliseconds(10));

    public static FaultScale FromEnvironment() => Environment.GetEnvironmentVariable("CUSTOMERS_FAULTS_LONG") == "1" ? Long : Bounded;
}
