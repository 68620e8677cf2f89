using System.Text.Json.Nodes;
using Npgsql;
using NpgsqlTypes;

namespace Customers.Host.Notifications;

/// <summary>
/// Development only (<c>Customers:Notifications:DevelopmentSink</c>): records each event in the
/// <c>dev_notification</c> table, so a developer, or a test, can read a reset token there instead of an inbox. The
/// rows hold live secrets, which is why production hosts leave the table empty.
/// </summary>
internal sealed partial class DevelopmentNotificationSink(
    NpgsqlDataSource database, TimeProvider time, ILogger<DevelopmentNotificationSink> logger) : INotificationSink
{
    public async Task PublishAsync(string eventName, JsonObject data, CancellationToken ct)
    {
        await using var command = database.CreateCommand(
            "INSERT INTO dev_notification (event_name, data, created_at) VALUES ($1, $2, $3) RETURNING id");
        command.Parameters.Add(new NpgsqlParameter { Value = eventName });
        command.Parameters.Add(new NpgsqlParameter { Value = data.ToJsonString(), NpgsqlDbType = NpgsqlDbType.Jsonb });
        command.Parameters.Add(new NpgsqlParameter { Value = time.GetUtcNow() });
        var id = (long)(await command.ExecuteScalarAsync(ct))!;
        LogRecorded(logger, eventName, id);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Development notification sink: {EventName} recorded as dev_notification {Id}")]
    private static partial void LogRecorded(ILogger logger, string eventName, long id);
}
