using Customers.Host.Database;
using Customers.Host.Stores;
using Microsoft.Extensions.Options;
using Npgsql;

namespace Customers.Testing;

/// <summary>Secret API keys for admin routes, stored as <c>api-key create --type secret</c> stores them.</summary>
public static class SecretKeys
{
    /// <summary>Creates a secret key in <paramref name="connectionString"/>'s database and returns its <c>sk_…</c> token.</summary>
    public static async Task<string> CreateAsync(string connectionString, string title)
    {
        await using var dataSource = NpgsqlDataSource.Create(connectionString);
        var store = new ApiKeyStore(dataSource, new ListDatabase(dataSource), TimeProvider.System, Options.Create(new ApiKeyOptions()));
        var key = await store.CreateAsync(ApiKeyStore.KeyType.Secret, title, "tests", CancellationToken.None);
        return key.Token;
    }
}
