using System.Diagnostics;
using OpenTelemetry;

namespace Customers.Host.Telemetry;

/// <summary>
/// Last line of defence before export: exception messages and status descriptions can quote what a client sent (an
/// e-mail in "Customer with email … already exists"), so spans keep the error code and exception type only.
/// </summary>
internal sealed class SensitiveTagScrubber : BaseProcessor<Activity>
{
    private static readonly string[] Dropped = ["exception.message", "exception.stacktrace", "otel.status_description", "enduser.id"];

    public override void OnEnd(Activity data)
    {
        foreach (var key in Dropped)
        {
            if (data.GetTagItem(key) is not null)
            {
                data.SetTag(key, null);
            }
        }

        if (data.StatusDescription is not null)
        {
            data.SetStatus(data.Status);
        }
    }
}
