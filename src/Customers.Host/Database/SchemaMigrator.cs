using System.Security.Cryptography;
using System.Text;
using System.Text.RegularExpressions;
using Npgsql;

namespace Customers.Host.Database;

/// <summary>
/// Applies the schema scripts embedded from <c>deploy/sql</c> (<c>NNNN_name.sql</c>) in version order, each in its
/// own transaction, recording them in <c>schema_migrations</c>. Safe to run from several silos at once: every
/// transaction first takes the same advisory lock, then re-reads what is already applied.
/// <para>
/// A script whose first line is <c>-- migrate: no-transaction</c> runs outside any transaction, one statement at a
/// time, under the same lock held for the session: <c>CREATE INDEX CONCURRENTLY</c> needs that, and builds an index
/// while silos keep writing. Such scripts must be idempotent (<c>IF NOT EXISTS</c>), since a crash can stop them
/// half-way; an index a failed concurrent build left invalid is dropped before the script runs again.
/// </para>
/// </summary>
internal sealed partial class SchemaMigrator(string connectionString, ILogger<SchemaMigrator> logger)
{
    public const string NoTransactionMarker = "-- migrate: no-transaction";

    // Any fixed number works as long as every migrator uses the same one and nothing else does.
    private const long MigrationLockKey = 7243100000;

    private const string CreateHistoryTable =
        """
        CREATE TABLE IF NOT EXISTS schema_migrations
        (
            version    integer     NOT NULL PRIMARY KEY,
            name       text        NOT NULL,
            checksum   text        NULL,
            applied_at timestamptz NOT NULL DEFAULT now()
        )
        """;

    /// <summary>Applies every pending migration and returns how many this call applied.</summary>
    public Task<int> MigrateAsync(CancellationToken ct) => MigrateAsync(LoadEmbeddedMigrations(), ct);

    /// <summary>Applies the pending ones of <paramref name="migrations"/> (ordered by version).</summary>
    internal async Task<int> MigrateAsync(IReadOnlyList<Migration> migrations, CancellationToken ct)
    {
        await using var connection = new NpgsqlConnection(connectionString);
        // Surface what scripts report (e.g. an optional extension that is missing), not our own bookkeeping.
        var runningScript = false;
        connection.Notice += (_, e) =>
        {
            if (runningScript)
            {
                LogServerNotice(logger, e.Notice.MessageText);
            }
        };
        await connection.OpenAsync(ct);

        var applied = 0;
        var checkedDrift = false;
        while (true)
        {
            await using var transaction = await connection.BeginTransactionAsync(ct);
            await ExecuteAsync(connection, transaction, $"SELECT pg_advisory_xact_lock({MigrationLockKey})", ct);
            await ExecuteAsync(connection, transaction, CreateHistoryTable, ct);
            var history = await ReadHistoryAsync(connection, transaction, ct);

            if (!checkedDrift)
            {
                WarnAboutDrift(migrations, history);
                checkedDrift = true;
            }

            var next = migrations.FirstOrDefault(m => !history.ContainsKey(m.Version));
            if (next is null)
            {
                await transaction.CommitAsync(ct);
                break;
            }

            if (next.RunsOutsideTransaction)
            {
                await transaction.CommitAsync(ct);
                runningScript = true;
                applied += await ApplyOutsideTransactionAsync(connection, next, ct) ? 1 : 0;
                runningScript = false;
                continue;
            }

            LogApplying(logger, next.Version, next.Name);
            runningScript = true;
            await ExecuteAsync(connection, transaction, next.Sql, ct);
            runningScript = false;
            await using (var record = new NpgsqlCommand(
                "INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", connection, transaction))
            {
                record.Parameters.Add(new NpgsqlParameter { Value = next.Version });
                record.Parameters.Add(new NpgsqlParameter { Value = next.Name });
                record.Parameters.Add(new NpgsqlParameter { Value = next.Checksum });
                await record.ExecuteNonQueryAsync(ct);
            }

            await transaction.CommitAsync(ct);
            applied++;
        }

        if (applied == 0)
        {
            LogUpToDate(logger, migrations.Count == 0 ? 0 : migrations[^1].Version);
        }
        else
        {
            LogApplied(logger, applied, migrations[^1].Version);
        }

        return applied;
    }

    /// <summary>The embedded scripts, ordered by version.</summary>
    internal static IReadOnlyList<Migration> LoadEmbeddedMigrations()
    {
        var assembly = typeof(SchemaMigrator).Assembly;
        var migrations = new List<Migration>();
        foreach (var resource in assembly.GetManifestResourceNames())
        {
            var match = ScriptName().Match(resource);
            if (!match.Success)
            {
                continue;
            }

            using var stream = assembly.GetManifestResourceStream(resource)
                ?? throw new InvalidOperationException($"Embedded resource {resource} could not be opened.");
            using var reader = new StreamReader(stream, Encoding.UTF8);
            var sql = reader.ReadToEnd();
            var version = int.Parse(match.Groups["version"].Value, System.Globalization.CultureInfo.InvariantCulture);
            migrations.Add(Migration.Of(version, match.Groups["name"].Value, sql));
        }

        migrations.Sort((a, b) => a.Version.CompareTo(b.Version));
        for (var i = 1; i < migrations.Count; i++)
        {
            if (migrations[i].Version == migrations[i - 1].Version)
            {
                throw new InvalidOperationException(
                    $"Two schema scripts share version {migrations[i].Version}: {migrations[i - 1].Name} and {migrations[i].Name}.");
            }
        }

        return migrations;
    }

    private void WarnAboutDrift(IReadOnlyList<Migration> migrations, Dictionary<int, string?> history)
    {
        // A newer build migrated this database (e.g. mid rolling upgrade); this build runs on, unaware of those.
        var known = migrations.Select(m => m.Version).ToHashSet();
        foreach (var version in history.Keys.Where(v => !known.Contains(v)).Order())
        {
            LogUnknownVersionApplied(logger, version);
        }

        // An applied script is never re-run; editing it changes nothing in databases that already have it.
        foreach (var migration in migrations)
        {
            if (history.TryGetValue(migration.Version, out var checksum) && checksum is not null && checksum != migration.Checksum)
            {
                LogChangedAfterApply(logger, migration.Version, migration.Name);
            }
        }
    }

    private static async Task<Dictionary<int, string?>> ReadHistoryAsync(
        NpgsqlConnection connection, NpgsqlTransaction transaction, CancellationToken ct)
    {
        var history = new Dictionary<int, string?>();
        await using var command = new NpgsqlCommand("SELECT version, checksum FROM schema_migrations", connection, transaction);
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            history[reader.GetInt32(0)] = reader.IsDBNull(1) ? null : reader.GetString(1);
        }

        return history;
    }

    /// <summary>
    /// Runs a no-transaction script under the session-level form of the migration lock; false when another migrator
    /// applied it meanwhile.
    /// </summary>
    private async Task<bool> ApplyOutsideTransactionAsync(NpgsqlConnection connection, Migration migration, CancellationToken ct)
    {
        await ExecuteAsync(connection, null, $"SELECT pg_advisory_lock({MigrationLockKey})", ct);
        try
        {
            await using (var check = new NpgsqlCommand("SELECT count(*) FROM schema_migrations WHERE version = $1", connection))
            {
                check.Parameters.Add(new NpgsqlParameter { Value = migration.Version });
                if ((long)(await check.ExecuteScalarAsync(ct))! > 0)
                {
                    return false;
                }
            }

            LogApplying(logger, migration.Version, migration.Name);
            await DropInvalidIndexesAsync(connection, ct);
            foreach (var statement in Statements(migration.Sql))
            {
                await ExecuteAsync(connection, null, statement, ct);
            }

            await using var record = new NpgsqlCommand("INSERT INTO schema_migrations (version, name, checksum) VALUES ($1, $2, $3)", connection);
            record.Parameters.Add(new NpgsqlParameter { Value = migration.Version });
            record.Parameters.Add(new NpgsqlParameter { Value = migration.Name });
            record.Parameters.Add(new NpgsqlParameter { Value = migration.Checksum });
            await record.ExecuteNonQueryAsync(ct);
            return true;
        }
        finally
        {
            await ExecuteAsync(connection, null, $"SELECT pg_advisory_unlock({MigrationLockKey})", CancellationToken.None);
        }
    }

    /// <summary>A concurrent index build that failed leaves an invalid index, which <c>IF NOT EXISTS</c> would keep.</summary>
    private static async Task DropInvalidIndexesAsync(NpgsqlConnection connection, CancellationToken ct)
    {
        var invalid = new List<string>();
        await using (var find = new NpgsqlCommand(
            "SELECT format('%I.%I', n.nspname, c.relname) FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid " +
            "JOIN pg_namespace n ON n.oid = c.relnamespace WHERE NOT i.indisvalid AND n.nspname = current_schema()", connection))
        await using (var reader = await find.ExecuteReaderAsync(ct))
        {
            while (await reader.ReadAsync(ct))
            {
                invalid.Add(reader.GetString(0));
            }
        }

        foreach (var index in invalid)
        {
            await ExecuteAsync(connection, null, $"DROP INDEX CONCURRENTLY IF EXISTS {index}", ct);
        }
    }

    /// <summary>The statements of a no-transaction script: each ends with <c>;</c> at the end of a line.</summary>
    internal static IEnumerable<string> Statements(string sql) =>
        StatementEnd().Split(sql.ReplaceLineEndings("\n"))
            .Select(statement => string.Join('\n', statement.Split('\n').Where(line => !line.TrimStart().StartsWith("--", StringComparison.Ordinal))).Trim())
            .Where(statement => statement.Length > 0);

    private static async Task ExecuteAsync(
        NpgsqlConnection connection, NpgsqlTransaction? transaction, string sql, CancellationToken ct)
    {
        // No timeout: building an index on a large table may take long; cancellation still applies.
        await using var command = new NpgsqlCommand(sql, connection, transaction) { CommandTimeout = 0 };
        await command.ExecuteNonQueryAsync(ct);
    }

    private static string Checksum(string sql) =>
        Convert.ToHexStringLower(SHA256.HashData(Encoding.UTF8.GetBytes(sql.ReplaceLineEndings("\n"))));

    // Resource names end in "<dir>.NNNN_name.sql"; the directory part depends on how the project links them.
    [GeneratedRegex(@"(?:^|\.)(?<version>\d+)_(?<name>[A-Za-z0-9_]+)\.sql$")]
    private static partial Regex ScriptName();

    [GeneratedRegex(@";[ \t]*(?:\n|$)")]
    private static partial Regex StatementEnd();

    internal sealed record Migration(int Version, string Name, string Sql, string Checksum)
    {
        public bool RunsOutsideTransaction => Sql.StartsWith(NoTransactionMarker, StringComparison.Ordinal);

        public static Migration Of(int version, string name, string sql) => new(version, name, sql, SchemaMigrator.Checksum(sql));
    }
}
