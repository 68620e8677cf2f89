namespace Customers.Host.Import;

/// <summary>A Medusa row that was not copied because it clashes with data here; never merged.</summary>
/// <param name="Kind">customer, customer group, membership or auth identity.</param>
/// <param name="Id">The Medusa id of the row.</param>
/// <param name="Reason">What clashes (e.g. the e-mail and the id that already holds it here).</param>
internal sealed record ImportConflict(string Kind, string Id, string Reason)
{
    public override string ToString() => $"conflict: {Kind} {Id}: {Reason}";
}
