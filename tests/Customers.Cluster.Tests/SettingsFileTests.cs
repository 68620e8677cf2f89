using System.Net;
using Xunit;
using static Customers.Cluster.Tests.MedusaApi;

namespace Customers.Cluster.Tests;

/// <summary>
/// A service manager rarely starts the host from its install folder. The host must still read the appsettings.json
/// beside its dll: without it every framework category logs at Information (two lines per grain placement, four per
/// request), which costs throughput and buries the lines that explain failures.
/// </summary>
public sealed class SettingsFileTests
{
    [Fact]
    public async Task A_host_started_from_another_directory_logs_at_the_levels_of_its_own_settings_file()
    {
        await using var cluster = await SiloCluster.CreateAsync("settings-file");
        var elsewhere = Directory.CreateTempSubdirectory("customers-working-directory-");
        try
        {
            await using var silo = await SiloProcess.StartAsync("elsewhere", cluster.Settings, workingDirectory: elsewhere.FullName);

            // A registration places a new grain (Orleans logs each placement through Polly) and is a request (ASP.NET
            // Core logs each one). After a graceful stop the process has written all of its output.
            Expect(await new MedusaApi(cluster.PublishableKey).RegisterAsync(silo, TwoSiloTests.NewEmail(), TwoSiloTests.Password),
                HttpStatusCode.OK, "register");
            Assert.Equal(0, await silo.StopAsync());

            var lines = silo.RecentOutput.Split('\n');
            Assert.Contains(lines, line => line.StartsWith("info: Orleans.Runtime.Silo", StringComparison.Ordinal));
            Assert.DoesNotContain(lines, line =>
                line.StartsWith("info: Orleans.", StringComparison.Ordinal) && !line.StartsWith("info: Orleans.Runtime.Silo", StringComparison.Ordinal));
            Assert.DoesNotContain(lines, line => line.StartsWith("info: Polly", StringComparison.Ordinal));
            Assert.DoesNotContain(lines, line => line.StartsWith("info: Microsoft.AspNetCore.", StringComparison.Ordinal));
        }
        finally
        {
            elsewhere.Delete(recursive: true);
        }
    }
}
