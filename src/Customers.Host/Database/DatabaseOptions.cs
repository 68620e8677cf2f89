using System.ComponentModel.DataAnnotations;
using System.Globalization;
using Npgsql;

namespace Customers.Host.Database;

/// <summary>Where the data lives. The connection string is <c>ConnectionStrings:Customers</c>; without it the host
/// runs an embedded PostgreSQL from the installed binaries in <see cref="EmbeddedDataDirectory"/>.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Customers:Database";
    public const string ConnectionStringName = "Customers";

    [Required]
    public string EmbeddedDataDirectory { get; set; } = ".data/postgres";

    /// <summary>
    /// How long opening a connection may take (Npgsql <c>Timeout</c>, whole seconds). It bounds every request that
    /// needs a new connection while PostgreSQL is unreachable, Orleans' grain state writes and membership included
    /// (they open a connection per operation and have no timeout of their own).
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(3);

    /// <summary>
    /// How long a command may run before the client gives up on it (Npgsql <c>CommandTimeout</c>, whole seconds): the
    /// bound for grain state writes, which no statement timeout covers. At least the longest statement timeout.
    /// </summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:10:00")]
    public TimeSpan CommandTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>
    /// How many of its most used statements each connection keeps prepared (Npgsql <c>Max Auto Prepare</c>), so that
    /// PostgreSQL skips parsing and planning them: about a quarter of a sign-up's database CPU. 0 turns it off, which
    /// PgBouncer in transaction mode needs unless it is 1.21 or later with <c>max_prepared_statements</c> set.
    /// </summary>
    [Range(0, 1000)]
    public int PreparedStatementsPerConnection { get; set; } = 64;

    /// <summary>
    /// <paramref name="connectionString"/> with these settings (they override the string's own). Connections go back
    /// to the pool without <c>DISCARD ALL</c>: nothing here sets session state (every setting is <c>SET LOCAL</c>),
    /// and the reset cost a round trip per use and threw away PostgreSQL's cached plans, the storage and read-model
    /// trigger functions' included, so every write planned them again.
    /// </summary>
    public string Apply(string connectionString) => new NpgsqlConnectionStringBuilder(connectionString)
    {
        Timeout = WholeSeconds(ConnectTimeout),
        CommandTimeout = WholeSeconds(CommandTimeout),
        NoResetOnClose = true,
        MaxAutoPrepare = PreparedStatementsPerConnection,
    }.ConnectionString;

    /// <summary>Refuses to start with values out of range, before anything connects.</summary>
    public void Validate(StatementTimeoutOptions statementTimeouts)
    {
        Validator.ValidateObject(this, new ValidationContext(this), validateAllProperties: true);
        var longest = statementTimeouts.Lists > statementTimeouts.Hot ? statementTimeouts.Lists : statementTimeouts.Hot;
        if (CommandTimeout < longest)
        {
            throw new ValidationException(string.Create(
                CultureInfo.InvariantCulture,
                $"{Section}:CommandTimeout ({CommandTimeout}) must be at least the longest statement timeout ({longest}), or the client abandons statements PostgreSQL would have finished."));
        }
    }

    private static int WholeSeconds(TimeSpan value) => (int)Math.Ceiling(value.TotalSeconds);
}
