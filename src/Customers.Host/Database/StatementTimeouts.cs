using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Npgsql;

namespace Customers.Host.Database;

/// <summary>
/// PostgreSQL statement timeouts per request class (<c>Customers:Database:StatementTimeouts</c>): hot paths (logins,
/// sign-ups, key checks, single reads) get a short one, admin lists a longer one. PostgreSQL cancels a statement past
/// it (SQLSTATE 57014), time spent waiting for a lock included, and the host answers a clear 503 instead of hanging.
/// Grain state writes are not covered: Orleans' storage has its own connection and retries.
/// </summary>
public sealed class StatementTimeoutOptions
{
    public const string Section = "Customers:Database:StatementTimeouts";

    [Range(typeof(TimeSpan), "00:00:00.100", "00:01:00")]
    public TimeSpan Hot { get; set; } = TimeSpan.FromSeconds(5);

    [Range(typeof(TimeSpan), "00:00:00.100", "00:05:00")]
    public TimeSpan Lists { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>A data source whose every session starts with <paramref name="timeout"/> as its statement timeout.</summary>
    public static NpgsqlDataSource CreateDataSource(string connectionString, TimeSpan timeout)
    {
        var builder = new NpgsqlConnectionStringBuilder(connectionString);
        var setting = "-c statement_timeout=" + ((long)timeout.TotalMilliseconds).ToString(CultureInfo.InvariantCulture);
        builder.Options = string.IsNullOrEmpty(builder.Options) ? setting : builder.Options + " " + setting;
        return NpgsqlDataSource.Create(builder.ConnectionString);
    }
}

/// <summary>The connections admin lists run on, with <see cref="StatementTimeoutOptions.Lists"/>.</summary>
internal sealed class ListDatabase(NpgsqlDataSource source)
{
    public NpgsqlDataSource Source => source;
}
