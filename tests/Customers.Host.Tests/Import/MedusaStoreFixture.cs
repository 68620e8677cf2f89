using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Serialization;
using Customers.Testing;
using Npgsql;
using Xunit;

namespace Customers.Host.Tests.Import;

/// <summary>
/// A database that Medusa 2.21.2 itself created and filled, on the test PostgreSQL: <c>medusa db:migrate</c>, then
/// <c>medusa exec ./fill-store.js</c> (Medusa's workflows and module services write every row) in
/// tests/medusa-fixture, whose packages <c>npm ci</c> installs (.ci/run does). Made once for the import tests, which
/// only read it (the importer never writes to its source).
/// </summary>
public sealed class MedusaStoreFixture : IAsyncLifetime
{
    private static readonly TimeSpan StepTimeout = TimeSpan.FromMinutes(5);
    private static readonly string Project = Path.Combine(RepositoryRoot.Path, "tests", "medusa-fixture");

    private string? _connectionString;
    private MedusaStore? _store;

    public string ConnectionString => _connectionString ?? throw new InvalidOperationException("Made in InitializeAsync.");

    /// <summary>What fill-store.js made: ids, e-mails and the passwords set in Medusa.</summary>
    public MedusaStore Store => _store ?? throw new InvalidOperationException("Made in InitializeAsync.");

    public async Task InitializeAsync()
    {
        if (!Directory.Exists(Path.Combine(Project, "node_modules", "@medusajs", "medusa")))
        {
            throw new InvalidOperationException("tests/medusa-fixture has no node_modules: run `npm ci` there first (.ci/run does).");
        }

        _connectionString = await PostgresServer.CreateDatabaseAsync("medusa");
        var output = Path.Combine(Path.GetTempPath(), $"medusa-fixture-{Guid.NewGuid():N}.json");
        try
        {
            var environment = new Dictionary<string, string> { ["DATABASE_URL"] = PostgresUrl(_connectionString), ["FIXTURE_OUT"] = output };
            await RunAsync(["medusa", "db:migrate"], environment);
            await RunAsync(["medusa", "exec", "./fill-store.js"], environment);
            _store = JsonSerializer.Deserialize<MedusaStore>(await File.ReadAllTextAsync(output))!;
        }
        finally
        {
            File.Delete(output);
        }
    }

    public Task DisposeAsync() => Task.CompletedTask;

    private static string PostgresUrl(string connectionString)
    {
        var c = new NpgsqlConnectionStringBuilder(connectionString);
        var password = c.Password is null ? "" : ":" + Uri.EscapeDataString(c.Password);
        return $"postgres://{Uri.EscapeDataString(c.Username!)}{password}@{c.Host}:{c.Port}/{c.Database}";
    }

    private static async Task RunAsync(string[] medusaArguments, Dictionary<string, string> environment)
    {
        var start = new ProcessStartInfo("npx")
        {
            WorkingDirectory = Project,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
        };
        start.ArgumentList.Add("--no-install");
        foreach (var argument in medusaArguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment)
        {
            start.Environment[key] = value;
        }

        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        using var timeout = new CancellationTokenSource(StepTimeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"medusa {string.Join(' ', medusaArguments)} did not finish within {StepTimeout}.");
        }

        // `medusa exec` reports a failing script in its log but may still exit 0: the script's output file is the proof.
        if (process.ExitCode != 0)
        {
            var log = (await stdout) + (await stderr);
            throw new InvalidOperationException($"medusa {string.Join(' ', medusaArguments)} exited with {process.ExitCode}:\n{log[^Math.Min(log.Length, 4000)..]}");
        }
    }
}

/// <summary>The JSON fill-store.js writes.</summary>
public sealed record MedusaStore(
    [property: JsonPropertyName("customers")] IReadOnlyList<MedusaCustomer> Customers,
    [property: JsonPropertyName("groups")] IReadOnlyDictionary<string, string> Groups,
    [property: JsonPropertyName("guestIds")] IReadOnlyList<string> GuestIds,
    [property: JsonPropertyName("skippedIdentities")] IReadOnlyList<string> SkippedIdentities)
{
    public MedusaCustomer Named(string name) => Customers.Single(c => c.Email == $"{name}@medusa.example");
}

public sealed record MedusaCustomer(
    [property: JsonPropertyName("id")] string Id,
    [property: JsonPropertyName("email")] string Email,
    [property: JsonPropertyName("authIdentityId")] string? AuthIdentityId,
    [property: JsonPropertyName("password")] string? Password,
    [property: JsonPropertyName("provider")] string? Provider,
    [property: JsonPropertyName("subject")] string? Subject,
    [property: JsonPropertyName("addressIds")] IReadOnlyList<string>? AddressIds,
    [property: JsonPropertyName("groups")] IReadOnlyList<string> Groups,
    [property: JsonPropertyName("deleted")] bool Deleted);

[CollectionDefinition(Name)]
public sealed class MedusaStoreCollection : ICollectionFixture<MedusaStoreFixture>
{
    public const string Name = "Medusa store";
}
