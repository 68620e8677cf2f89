namespace Customers.Host.Events;

internal sealed partial class EventDispatcher
{
    [LoggerMessage(Level = LogLevel.Information, Message = "Event {EventId} ({EventName}) to {Target}: try {Attempt} failed ({Error}); will retry")]
    private static partial void LogTryFailed(ILogger logger, string eventId, string eventName, string target, int attempt, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event {EventId} ({EventName}) to {Target}: dead-lettered after {Attempts} tries ({Error})")]
    private static partial void LogDeadLettered(ILogger logger, string eventId, string eventName, string target, int attempts, string error);

    [LoggerMessage(Level = LogLevel.Error, Message = "Event dispatch round failed; the claimed events are tried again when their lease ends")]
    private static partial void LogRoundFailed(ILogger logger, Exception exception);
}
