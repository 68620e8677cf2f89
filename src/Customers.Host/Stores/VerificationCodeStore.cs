using Npgsql;

namespace Customers.Host.Stores;

/// <summary>
/// Finds the identity a verification code belongs to from the code's SHA-256 alone (the read model the identity's
/// state maintains, <c>auth_verification_code</c>); the identity grain then decides whether the code still works.
/// </summary>
internal sealed class VerificationCodeStore(NpgsqlDataSource database)
{
    public async Task<string?> FindIdentityAsync(string codeHash, CancellationToken ct)
    {
        await using var command = database.CreateCommand("SELECT auth_identity_id FROM auth_verification_code WHERE code_hash = $1");
        command.Parameters.Add(new NpgsqlParameter { Value = codeHash });
        return await command.ExecuteScalarAsync(ct) as string;
    }
}
