using Microsoft.Extensions.Diagnostics.HealthChecks;
using Npgsql;

namespace Customers.Host.Http.Health;

/// <summary>The tag of the checks behind <c>/health/ready</c>.</summary>
internal static class ReadinessChecks
{
    public const string Tag = "ready";
}

/// <summary>Ready only when PostgreSQL answers: every write and every login depends on it.</summary>
internal sealed class DatabaseHealthCheck(NpgsqlDataSource database) : IHealthCheck
{
    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        try
        {
            await using var command = database.CreateCommand("SELECT 1");
            await command.ExecuteScalarAsync(cancellationToken);
            return HealthCheckResult.Healthy();
        }
        catch (Exception error) when (error is NpgsqlException or TimeoutException)
        {
            return HealthCheckResult.Unhealthy("PostgreSQL is unreachable.", error);
        }
    }
}

/// <summary>Ready only when this silo is an active member of the cluster (it can host and reach grains).</summary>
internal sealed class ClusterHealthCheck(IClusterMembershipService membership, ILocalSiloDetails silo) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var status = membership.CurrentSnapshot.GetSiloStatus(silo.SiloAddress);
        return Task.FromResult(status == SiloStatus.Active
            ? HealthCheckResult.Healthy($"{membership.CurrentSnapshot.Members.Count(m => m.Value.Status == SiloStatus.Active)} active silo(s)")
            : HealthCheckResult.Unhealthy($"This silo is {status}."));
    }
}
