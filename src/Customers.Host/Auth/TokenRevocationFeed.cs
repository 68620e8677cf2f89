using Microsoft.Extensions.Options;
using Customers.Host.Telemetry;
using Npgsql;

namespace Customers.Host.Auth;

/// <summary>Keeps <see cref="TokenRevocations"/> current from the <c>auth_identity</c> read model.</summary>
internal sealed partial class TokenRevocationFeed(
    NpgsqlDataSource database,
    TokenRevocations revocations,
    IOptions<JwtOptions> options,
    TimeProvider time,
    CustomersMetrics metrics,
    ILogger<TokenRevocationFeed> logger) : BackgroundService
{
    private long _lastSequence;

    /// <summary>Pulls revocations newer than the last one seen. Public so tests and startup can force a refresh.</summary>
    public async Task PullAsync(CancellationToken ct)
    {
        await using var command = database.CreateCommand(
            """
            SELECT id, tokens_valid_after, revocation_seq, kept_credential FROM auth_identity
            WHERE revocation_seq > $1 ORDER BY revocation_seq
            """);
        command.Parameters.Add(new NpgsqlParameter { Value = _lastSequence });
        await using var reader = await command.ExecuteReaderAsync(ct);
        while (await reader.ReadAsync(ct))
        {
            // Revocations older than the longest credential lifetime can no longer void anything.
            if (!reader.IsDBNull(1) && revocations.CanStillMatter(reader.GetFieldValue<DateTimeOffset>(1)))
            {
                revocations.Record(reader.GetString(0), reader.GetFieldValue<DateTimeOffset>(1), reader.IsDBNull(3) ? null : reader.GetString(3));
            }

            _lastSequence = reader.GetInt64(2);
        }

        revocations.PruneIfDue();
        metrics.RevocationsPulled();
    }

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(options.Value.RevocationPollInterval, time);
        do
        {
            try
            {
                await PullAsync(stoppingToken);
            }
            catch (Exception error) when (error is not OperationCanceledException)
            {
                LogPullFailed(logger, error);
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken));
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Could not pull token revocations; retrying")]
    private static partial void LogPullFailed(ILogger logger, Exception error);
}
