using Customers.Host.Hosting;
using Customers.Host.Import;
using Npgsql;

namespace Customers.Host.Tests.Import;

/// <summary>Runs the real importer from the Medusa store into a target database, as <c>import medusa</c> does.</summary>
internal static class MedusaImportRunner
{
    public static async Task<MedusaImporter.Result> ImportAsync(
        MedusaStoreFixture medusa, string target, MedusaImporter.Options? options = null, Action<string>? progress = null,
        CancellationToken ct = default)
    {
        await using var dataSource = NpgsqlDataSource.Create(target);
        var importer = new MedusaImporter(dataSource, new ClusterOptions().ServiceId, TimeProvider.System);
        return await importer.ImportAsync(
            options ?? new MedusaImporter.Options(medusa.ConnectionString, BatchSize: 5), progress ?? (_ => { }), ct);
    }
}
