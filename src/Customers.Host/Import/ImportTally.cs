namespace Customers.Host.Import;

/// <summary>What happened to the rows of one kind: counted as they are written, safe across writers.</summary>
internal sealed class ImportTally(string kind)
{
    private long _read;
    private long _imported;
    private long _alreadyPresent;
    private long _conflicts;
    private long _skipped;

    public string Kind { get; } = kind;

    public long Read => Interlocked.Read(ref _read);

    /// <summary>Written by this run.</summary>
    public long Imported => Interlocked.Read(ref _imported);

    /// <summary>Already here under the same id (an earlier run, or an interrupted one): left as they are.</summary>
    public long AlreadyPresent => Interlocked.Read(ref _alreadyPresent);

    /// <summary>Refused because they clash with data here (each one reported).</summary>
    public long Conflicts => Interlocked.Read(ref _conflicts);

    /// <summary>Not copied on purpose (soft-deleted memberships and identities, admin users, duplicates Medusa keeps).</summary>
    public long Skipped => Interlocked.Read(ref _skipped);

    public void AddRead(long count) => Interlocked.Add(ref _read, count);

    public void AddImported(long count) => Interlocked.Add(ref _imported, count);

    public void AddAlreadyPresent(long count) => Interlocked.Add(ref _alreadyPresent, count);

    public void AddConflicts(long count) => Interlocked.Add(ref _conflicts, count);

    public void AddSkipped(long count) => Interlocked.Add(ref _skipped, count);

    public override string ToString() =>
        $"{Kind}: {Read:N0} read, {Imported:N0} imported, {AlreadyPresent:N0} already here, {Conflicts:N0} conflicts, {Skipped:N0} skipped";
}
