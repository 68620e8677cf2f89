using System.Runtime.Versioning;
using Customers.Host.Database;
using Customers.Testing;
using Microsoft.Extensions.Logging.Abstractions;
using Npgsql;
using Xunit;

namespace Customers.Host.Tests.Database;

/// <summary>The zero-setup database: its own data directory, kept across restarts, shared by processes.</summary>
public sealed class EmbeddedPostgresTests
{
    [Fact]
    [UnsupportedOSPlatform("windows")]
    public async Task Data_and_password_survive_a_restart_on_the_same_directory()
    {
        var dataDirectory = NewDataDirectory();
        var first = await EmbeddedPostgres.StartAsync(dataDirectory, NullLogger.Instance, CancellationToken.None);
        try
        {
            Assert.True(first.OwnsServer);
            Assert.Equal("customers", new NpgsqlConnectionStringBuilder(first.ConnectionString).Database);
            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(dataDirectory + ".password"));
            await Db.ExecuteAsync(first.ConnectionString, "CREATE TABLE kept (value text); INSERT INTO kept VALUES ('still here')");
            await first.StopAsync();

            await using var second = await EmbeddedPostgres.StartAsync(dataDirectory, NullLogger.Instance, CancellationToken.None);

            Assert.True(second.OwnsServer);
            Assert.Equal("still here", await Db.ScalarAsync<string>(second.ConnectionString, "SELECT value FROM kept"));
            await second.DiscardAsync();
        }
        finally
        {
            await EmbeddedPostgres.DiscardAsync(dataDirectory, NullLogger.Instance);
        }
    }

    [Fact]
    public async Task A_server_already_running_on_the_directory_is_reused_and_left_running()
    {
        var dataDirectory = NewDataDirectory();
        var owner = await EmbeddedPostgres.StartAsync(dataDirectory, NullLogger.Instance, CancellationToken.None);
        try
        {
            var guest = await EmbeddedPostgres.StartAsync(dataDirectory, NullLogger.Instance, CancellationToken.None);
            Assert.False(guest.OwnsServer);
            Assert.Equal(owner.Port, guest.Port);
            Assert.Equal(1, await Db.ScalarAsync<int>(guest.ConnectionString, "SELECT 1"));

            await guest.DisposeAsync();

            Assert.Equal(1, await Db.ScalarAsync<int>(owner.ConnectionString, "SELECT 1"));
            await owner.DiscardAsync();
        }
        finally
        {
            await EmbeddedPostgres.DiscardAsync(dataDirectory, NullLogger.Instance);
        }
    }

    [Fact]
    public void Missing_postgres_explains_how_to_install_it_or_use_another_database()
    {
        var message = new PostgresNotFoundException().Message;

        Assert.Contains("apt-get install postgresql", message);
        Assert.Contains("ConnectionStrings__Customers", message);
    }

    [Fact]
    public void Installed_binaries_are_found()
    {
        var bin = EmbeddedPostgres.FindBinDirectory();

        Assert.NotNull(bin);
        Assert.True(File.Exists(Path.Combine(bin, "pg_ctl")));
    }

    private static string NewDataDirectory() => Path.Combine(Path.GetTempPath(), $"customers-embedded-test-{Guid.NewGuid():N}");
}
