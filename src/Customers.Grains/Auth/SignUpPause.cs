using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;

namespace Customers.Grains.Auth;

/// <summary>The durable steps of a sign-up (<c>POST /store/customers</c>), in order.</summary>
public enum SignUpStep
{
    /// <summary>The identity has stored the id its customer will have.</summary>
    PendingRecorded,

    /// <summary>The customer is stored, which links it; the answer is not sent yet.</summary>
    CustomerWritten,
}

/// <summary>
/// TEST ONLY: <c>Customers:Testing:SignUpPauseAt</c> names a <see cref="SignUpStep"/> at which every sign-up stops
/// for good, after logging that it did, so a crash test can kill the silo process exactly there. Unset (always, outside
/// tests) it does nothing.
/// </summary>
public sealed class SignUpPauseOptions
{
    public const string Section = "Customers:Testing";

    public SignUpStep? SignUpPauseAt { get; set; }
}

/// <summary>The test-only pause point of <see cref="SignUpPauseOptions"/>; inert unless configured.</summary>
public sealed partial class SignUpPause(IOptions<SignUpPauseOptions> options, ILogger<SignUpPause> logger)
{
    public Task AfterAsync(SignUpStep step)
    {
        if (options.Value.SignUpPauseAt != step)
        {
            return Task.CompletedTask;
        }

        LogPaused(logger, step);
        return Task.Delay(Timeout.Infinite);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Test pause point: sign-up paused after step {Step}")]
    private static partial void LogPaused(ILogger logger, SignUpStep step);
}
