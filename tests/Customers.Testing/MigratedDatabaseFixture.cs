using Xunit;

namespace Customers.Testing;

/// <summary>
/// A class fixture giving the test class its own freshly migrated database on <see cref="PostgresServer"/>.
/// Tests in the class share it, so each test creates its own rows (unique ids and e-mails).
/// </summary>
public sealed class MigratedDatabaseFixture : IAsyncLifetime
{
    private string? _connectionString;

    public string ConnectionString =>
        _connectionString ?? throw new InvalidOperationException("The database is created in InitializeAsync.");

    public async Task InitializeAsync() => _connectionString = await PostgresServer.CreateMigratedDatabaseAsync("fixture");

    public Task DisposeAsync() => Task.CompletedTask;
}
