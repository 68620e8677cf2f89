using System.Globalization;
using System.Text;

namespace Customers.Faults;

/// <summary>One injected fault: when it began, when it was undone, and when its observation window closed.</summary>
public sealed record FaultWindow(string Fault, DateTime Start, DateTime Undone, DateTime End)
{
    public int WritesLost { get; set; }
}

/// <summary>What the clients saw during one fault window.</summary>
public sealed record FaultFigures(string Fault, int Requests, int Errors, int ServerErrors500, TimeSpan LongestOutage, TimeSpan? RecoveredAfterUndo, int WritesLost)
{
    public static FaultFigures Of(FaultWindow window, IEnumerable<Sample> samples)
    {
        var inWindow = samples.Where(s => s.Answer.At >= window.Start && s.Answer.At < window.End).OrderBy(s => s.Answer.At).ToList();
        var errors = inWindow.Where(s => s.Answer.IsError).ToList();

        // The longest stretch in which no request of any kind succeeded (from the end of the last success before the
        // first error to the start of the next success): what a client saw as the service being down.
        var longest = TimeSpan.Zero;
        DateTime? failingSince = null;
        foreach (var sample in inWindow)
        {
            if (sample.Answer.IsError)
            {
                failingSince ??= sample.Answer.At;
                longest = Max(longest, sample.Answer.At + sample.Answer.Elapsed - failingSince.Value);
            }
            else if (sample.Answer.IsSuccess)
            {
                failingSince = null;
            }
        }

        TimeSpan? recovered = errors.Count == 0
            ? null
            : Max(TimeSpan.Zero, errors.Max(e => e.Answer.At + e.Answer.Elapsed) - window.Undone);
        return new FaultFigures(window.Fault, inWindow.Count, errors.Count, inWindow.Count(s => s.Answer.Status == 500), longest, recovered, window.WritesLost);
    }

    private static TimeSpan Max(TimeSpan a, TimeSpan b) => a > b ? a : b;
}

/// <summary>The table of docs/reliability.md, and the run's other findings, as Markdown.</summary>
public static class FaultReport
{
    public static string Markdown(FaultScale scale, IReadOnlyList<FaultFigures> rows, int duplicates, IEnumerable<string> notes)
    {
        var text = new StringBuilder();
        text.Append(CultureInfo.InvariantCulture, $"Run: {scale.Name} form, {scale.Shoppers} shoppers and 1 admin, faults held {scale.Hold.TotalSeconds:0} s, {scale.Settle.TotalSeconds:0} s of steady traffic after each, {DateTime.UtcNow:yyyy-MM-dd}.\n\n");
        text.Append("| fault | requests | errors (5xx or no answer) | of which 500 | longest outage | last error after undo | writes lost | duplicates |\n");
        text.Append("|---|---:|---:|---:|---:|---:|---:|---:|\n");
        foreach (var row in rows)
        {
            var recovered = row.RecoveredAfterUndo is { } r ? $"{r.TotalSeconds:0.0} s" : "no errors";
            text.Append(CultureInfo.InvariantCulture,
                $"| {row.Fault} | {row.Requests} | {row.Errors} | {row.ServerErrors500} | {row.LongestOutage.TotalSeconds:0.0} s | {recovered} | {row.WritesLost} | {duplicates} |\n");
        }

        text.Append('\n');
        foreach (var note in notes)
        {
            text.Append("- ").Append(note).Append('\n');
        }

        return text.ToString();
    }
}
