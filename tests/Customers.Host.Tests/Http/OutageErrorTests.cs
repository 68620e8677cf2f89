using System.ComponentModel.DataAnnotations;
using System.Net.Sockets;
using System.Reflection;
using System.Runtime.CompilerServices;
using Customers.Host.Database;
using Customers.Host.Http;
using Npgsql;
using Xunit;

namespace Customers.Host.Tests.Http;

/// <summary>
/// What the database's failures become on the wire while PostgreSQL is down or restarting (docs/operations.md,
/// "PostgreSQL outages"): retryable 503s, never 500s; and the timeouts that bound a request, validated at start-up.
/// </summary>
public sealed class OutageErrorTests
{
    [Theory]
    [InlineData("57P01")] // admin_shutdown: a fast or immediate shutdown ends the session
    [InlineData("57P02")] // crash_shutdown
    [InlineData("57P03")] // cannot_connect_now: still starting or recovering after an immediate shutdown
    [InlineData("08006")] // connection_failure
    public void Server_going_away_or_coming_back_is_a_503(string sqlState)
    {
        var error = MedusaExceptionHandler.ToMedusaError(new PostgresException("gone", "FATAL", "FATAL", sqlState));

        Assert.Equal(503, error.Status);
        Assert.Equal("unexpected_state", error.Type);
    }

    [Fact]
    public void A_PostgreSQL_error_that_crossed_silos_is_read_from_its_message()
    {
        // Orleans carries an exception's type, message and inner exception between silos, not Npgsql's own fields.
        var crossed = (PostgresException)RuntimeHelpers.GetUninitializedObject(typeof(PostgresException));
        typeof(Exception).GetField("_message", BindingFlags.Instance | BindingFlags.NonPublic)!
            .SetValue(crossed, "57P03: the database system is starting up");

        Assert.Null(crossed.SqlState);
        Assert.Equal(503, MedusaExceptionHandler.ToMedusaError(new OrleansException("activation failed", crossed)).Status);
    }

    [Fact]
    public void A_grain_activation_that_could_not_read_its_state_is_a_503()
    {
        // What Orleans throws when a grain's state cannot be read at activation: its own exception around Npgsql's.
        var unreachable = new NpgsqlException("Failed to connect", new SocketException((int)SocketError.ConnectionRefused));
        var activation = new OrleansException("Error from storage provider during ReadStateAsync", unreachable);

        Assert.Equal(503, MedusaExceptionHandler.ToMedusaError(activation).Status);
    }

    [Fact]
    public void Other_database_errors_stay_500s()
    {
        Assert.Equal(500, MedusaExceptionHandler.ToMedusaError(new PostgresException("bad", "ERROR", "ERROR", "22P05")).Status);
        Assert.Equal(500, MedusaExceptionHandler.ToMedusaError(new OrleansException("other", new InvalidOperationException())).Status);
    }

    [Fact]
    public void Connection_strings_get_the_configured_timeouts()
    {
        var options = new DatabaseOptions { ConnectTimeout = TimeSpan.FromSeconds(2), CommandTimeout = TimeSpan.FromSeconds(25) };

        var applied = new NpgsqlConnectionStringBuilder(options.Apply("Host=db;Database=customers;Timeout=15;Command Timeout=300"));

        Assert.Equal(2, applied.Timeout);
        Assert.Equal(25, applied.CommandTimeout);
    }

    [Fact]
    public void Prepared_statements_per_connection_out_of_range_stop_start_up() =>
        Assert.Throws<ValidationException>(() =>
            new DatabaseOptions { PreparedStatementsPerConnection = -1 }.Validate(new StatementTimeoutOptions()));

    [Fact]
    public void Timeouts_out_of_range_or_shorter_than_a_statement_timeout_stop_start_up()
    {
        var defaults = new StatementTimeoutOptions();

        Assert.Throws<ValidationException>(() => new DatabaseOptions { ConnectTimeout = TimeSpan.Zero }.Validate(defaults));
        Assert.Throws<ValidationException>(() => new DatabaseOptions { ConnectTimeout = TimeSpan.FromMinutes(5) }.Validate(defaults));
        var shorter = Assert.Throws<ValidationException>(() => new DatabaseOptions { CommandTimeout = TimeSpan.FromSeconds(10) }.Validate(defaults));
        Assert.Contains("CommandTimeout", shorter.Message);
        new DatabaseOptions().Validate(defaults);
    }
}
