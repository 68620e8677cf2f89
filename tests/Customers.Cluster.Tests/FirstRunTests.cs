using System.Diagnostics;
using System.Globalization;
using System.Runtime.Versioning;
using System.Security.Cryptography;
using System.Text;
using Customers.Testing;
using Xunit;

namespace Customers.Cluster.Tests;

/// <summary>
/// The README's first run on a fresh machine: a clone in a home only its owner may enter (root's is 0700), no
/// configuration at all. As root the embedded PostgreSQL runs as the <c>postgres</c> user, which cannot enter that home.
/// </summary>
public sealed class FirstRunTests
{
    private const UnixFileMode Private = UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute;

    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task The_readme_command_serves_from_a_fresh_clone_in_a_private_home_without_opening_it()
    {
        var home = Path.Combine(Path.GetTempPath(), $"customers-first-run-{Guid.NewGuid():N}");
        Directory.CreateDirectory(home);
        File.SetUnixFileMode(home, Private);
        var checkout = Path.Combine(home, "customers");
        var configured = Path.Combine(checkout, ".data", "postgres");

        // Root's server cannot live under the home: it is kept per checkout under /var/lib/customers.
        var cluster = Environment.IsPrivilegedProcess
            ? Path.Combine("/var/lib/customers", Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(configured)))[..16], "postgres")
            : configured;
        try
        {
            await GitCloneAsync(RepositoryRoot.Path, checkout);

            // `cd customers && dotnet run --project src/Customers.Host`, minus the minutes a fresh restore and build of the
            // clone would take: this build's host dll, run from the clone (the working directory dotnet run keeps, so the
            // base of .data/postgres). Free ports instead of the defaults, which others may hold.
            var (httpPort, siloPort, gatewayPort) = SiloProcess.FreePorts();
            var baseAddress = new Uri($"http://127.0.0.1:{httpPort}");
            await using var host = await SiloProcess.StartAsync("first-run", new HostLaunch(
                baseAddress,
                checkout,
                [
                    "--urls", baseAddress.ToString(),
                    "--Customers:Cluster:SiloPort", siloPort.ToString(CultureInfo.InvariantCulture),
                    "--Customers:Cluster:GatewayPort", gatewayPort.ToString(CultureInfo.InvariantCulture),
                ],
                // Nothing configured, whatever the test process was given.
                new Dictionary<string, string?>
                {
                    ["ConnectionStrings__Customers"] = null,
                    ["Customers__Jwt__Secret"] = null,
                    ["Customers__Mfa__EncryptionKey"] = null,
                    ["Customers__Database__EmbeddedDataDirectory"] = null,
                    ["ASPNETCORE_ENVIRONMENT"] = null,
                    ["DOTNET_ENVIRONMENT"] = null,
                })
            {
                StartTimeout = TimeSpan.FromMinutes(3),
            });

            Assert.Equal(Private, File.GetUnixFileMode(home));
            Assert.True(File.Exists(Path.Combine(cluster, "PG_VERSION")), $"No database cluster in {cluster}:\n{host.RecentOutput}");
            Assert.True(File.Exists(Path.Combine(checkout, ".data", "jwt-secret")), "The generated JWT secret stays beside the configured data directory.");
            Assert.True(File.Exists(Path.Combine(checkout, ".data", "mfa-encryption-key")), "So does the generated MFA key.");

            Assert.Equal(0, await host.StopAsync());
            Assert.False(File.Exists(Path.Combine(cluster, "postmaster.pid")), "The host stops the database it started.");
        }
        finally
        {
            await PostgresServer.DiscardEmbeddedAsync(cluster);
            if (Environment.IsPrivilegedProcess && Directory.Exists(Path.GetDirectoryName(cluster)))
            {
                Directory.Delete(Path.GetDirectoryName(cluster)!, recursive: true);
            }

            Directory.Delete(home, recursive: true);
        }
    }

    private static async Task GitCloneAsync(string repository, string target)
    {
        var start = new ProcessStartInfo("git") { RedirectStandardError = true, UseShellExecute = false };
        foreach (var argument in new[] { "clone", "--quiet", repository, target })
        {
            start.ArgumentList.Add(argument);
        }

        using var git = Process.Start(start)!;
        var error = await git.StandardError.ReadToEndAsync();
        await git.WaitForExitAsync();
        Assert.True(git.ExitCode == 0, $"git clone failed ({git.ExitCode}): {error}");
    }
}
