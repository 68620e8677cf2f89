using Npgsql;

namespace Customers.Host.ReadModel;

/// <summary>Finds an auth identity by its (provider, entity id) through the read model, which is written in the
/// same transaction as the identity grain's state and so never lags an acknowledged registration.</summary>
internal sealed class IdentityLookup(NpgsqlDataSource database)
{
    public async Task<string?> FindAsync(string provider, string entityId, CancellationToken ct)
    {
        await using var command = database.CreateCommand(
            "SELECT auth_identity_id FROM provider_identity WHERE provider = $1 AND entity_id = $2");
        command.Parameters.Add(new NpgsqlParameter { Value = provider });
        command.Parameters.Add(new NpgsqlParameter { Value = entityId });
        return await command.ExecuteScalarAsync(ct) as string;
    }
}
