using Customers.Host.Events;
using Xunit;

namespace Customers.Host.Tests.Events;

/// <summary>Event options the host refuses to start with.</summary>
public sealed class EventOptionsTests
{
    private static bool Valid(EventOptions options) => new EventOptionsValidator().Validate(null, options).Succeeded;

    [Fact]
    public void The_defaults_are_valid() => Assert.True(Valid(new EventOptions()));

    [Theory]
    [InlineData(0.5, 30, 60)] // delivered events kept less than a minute
    [InlineData(7 * 1440, 1440, 60)] // dead letters kept shorter than delivered events
    [InlineData(1440, 1440, 0)] // no pruning interval
    public void Retention_settings_out_of_range_are_refused(double deliveredMinutes, double deadLetterMinutes, double intervalMinutes)
    {
        var options = new EventOptions
        {
            DeliveredRetention = TimeSpan.FromMinutes(deliveredMinutes),
            DeadLetterRetention = TimeSpan.FromMinutes(deadLetterMinutes),
            PruneInterval = TimeSpan.FromMinutes(intervalMinutes),
        };

        Assert.False(Valid(options));
    }
}
