using Xunit;

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

            // The console logger writes in order, so everything Orleans logged while starting is in the output by the
            // time "Now listening on" is. The settings file keeps Orleans at Warning, except the silo's own lines.
            var lines = silo.RecentOutput.Split('\n');
            Assert.Contains(lines, line => line.StartsWith("info: Orleans.Runtime.Silo", StringComparison.Ordinal));
            Assert.DoesNotContain(lines, line =>
                line.StartsWith("info: Orleans.", StringComparison.Ordinal) && !line.StartsWith("info: Orleans.Runtime.Silo", StringComparison.Ordinal));
            Assert.DoesNotContain(lines, line => line.StartsWith("info: Polly", StringComparison.Ordinal));
        }
        finally
        {
            elsewhere.Delete(recursive: true);
        }
    }
}
