using System.Diagnostics;
using System.Runtime.ExceptionServices;
using System.Threading.Channels;
using Customers.Grains.Auth;
using Customers.Grains.Storage;
using Customers.Host.Database;
using Npgsql;

namespace Customers.Host.Import;

/// <summary>
/// Copies a Medusa 2.x store's customers into this service (<c>import medusa</c>, docs/migrating-from-medusa.md):
/// customer groups, customers with their addresses, group memberships, then auth identities with their provider
/// identities, every row under its Medusa id. Each phase streams: one reader takes batches from the Medusa snapshot
/// (<see cref="MedusaSource"/>) into a small bounded queue, <see cref="Options.Writers"/> writers store them
/// (<see cref="ImportWriter"/>), so memory does not grow with the store. Idempotent and resumable: rows already here
/// are left alone, so running it again (after an interruption, or after it finished) adds only what is missing.
/// </summary>
internal sealed class MedusaImporter(NpgsqlDataSource target, string serviceId, TimeProvider clock)
{
    /// <param name="From">Npgsql connection string of the Medusa database (only read).</param>
    /// <param name="EmitEvents">Emit customer and group events for imported rows (off: an import is not a sign-up wave).</param>
    /// <param name="BatchSize">Rows per read and per write transaction.</param>
    /// <param name="Writers">Batches written at once.</param>
    /// <param name="ProgressInterval">Least time between two progress lines of a phase (default 2 s).</param>
    public sealed record Options(string From, bool EmitEvents = false, int BatchSize = 2_000, int Writers = 2, TimeSpan? ProgressInterval = null);

    public sealed record Result(IReadOnlyList<ImportTally> Tallies, IReadOnlyList<ImportConflict> Conflicts, TimeSpan Elapsed)
    {
        public ImportTally Of(string kind) => Tallies.Single(t => t.Kind == kind);

        public long ConflictCount => Tallies.Sum(t => t.Conflicts);
    }

    public const string Groups = "customer groups";
    public const string Customers = "customers";
    public const string Memberships = "memberships";
    public const string Identities = "auth identities";

    // Conflicts are printed as they happen; the result keeps the first ones for the summary (memory stays bounded).
    private const int ConflictsKept = 1_000;

    private static readonly TimeSpan DefaultProgressInterval = TimeSpan.FromSeconds(2);

    public async Task<Result> ImportAsync(Options options, Action<string> progress, CancellationToken ct)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Writers, 1);
        var stopwatch = Stopwatch.StartNew();
        var conflicts = new List<ImportConflict>();
        void Report(ImportConflict conflict)
        {
            progress(conflict.ToString());
            lock (conflicts)
            {
                if (conflicts.Count < ConflictsKept)
                {
                    conflicts.Add(conflict);
                }
            }
        }

        var writer = new ImportWriter(target, serviceId, options.EmitEvents);
        var groups = new ImportTally(Groups);
        var customers = new ImportTally(Customers);
        var memberships = new ImportTally(Memberships);
        var identities = new ImportTally(Identities);
        await using var source = await MedusaSource.OpenAsync(options.From, ct);

        await RunPhaseAsync(groups, source.GroupsAsync(options.BatchSize, ct), options, progress, async (batch, token) =>
        {
            groups.AddRead(batch.Count);
            await writer.WriteStatesAsync(StateNames.CustomerGroup, "customer group",
                batch.Select(g => new ImportWriter.StateRow(g.Id!, GrainStorageRows.Payload(g))).ToList(), groups, Report, token);
        }, ct);

        await RunPhaseAsync(customers, source.CustomersAsync(options.BatchSize, ct), options, progress, async (batch, token) =>
        {
            customers.AddRead(batch.Count);
            await writer.WriteStatesAsync(StateNames.Customer, "customer",
                batch.Select(c => new ImportWriter.StateRow(c.Id!, GrainStorageRows.Payload(c))).ToList(), customers, Report, token);
        }, ct);

        await RunPhaseAsync(memberships, source.MembershipsAsync(options.BatchSize, ct), options, progress, async (batch, token) =>
        {
            memberships.AddRead(batch.Count);
            var live = batch.Where(m => !m.Deleted).ToList();
            memberships.AddSkipped(batch.Count - live.Count);
            await writer.WriteMembershipsAsync(live, memberships, Report, token);
        }, ct);

        await RunPhaseAsync(identities, source.IdentitiesAsync(options.BatchSize, ct), options, progress, async (batch, token) =>
        {
            identities.AddRead(batch.Count);
            await WriteIdentitiesAsync(writer, batch, identities, Report, progress, token);
        }, ct);

        // The batches were committed without waiting for their WAL flush (ImportWriter): nothing is reported done before it is durable.
        await writer.FlushAsync(ct);
        return new Result([groups, customers, memberships, identities], conflicts, stopwatch.Elapsed);
    }

    /// <summary>
    /// Customer identities only: soft-deleted ones and admin users' (<c>user_id</c> without <c>customer_id</c>) are
    /// skipped, and <c>user_id</c> is dropped from the rest (Medusa's admin users are not imported, so nothing here may
    /// take an identity for one). An identity whose customer was refused as a conflict is refused too. An emailpass
    /// password that is not a scrypt-kdf hash is copied with a warning: it never matches, so that customer must reset it.
    /// </summary>
    private static async Task WriteIdentitiesAsync(
        ImportWriter writer, List<MedusaIdentity> batch, ImportTally tally, Action<ImportConflict> report, Action<string> warn,
        CancellationToken ct)
    {
        var candidates = new List<MedusaIdentity>(batch.Count);
        foreach (var identity in batch)
        {
            var metadata = identity.State.AppMetadata!;
            if (identity.Deleted || (metadata.ContainsKey("user_id") && !metadata.ContainsKey("customer_id")))
            {
                tally.AddSkipped(1);
                continue;
            }

            metadata.Remove("user_id");
            candidates.Add(identity);
        }

        var linked = candidates.Select(CustomerIdOf).OfType<string>().ToList();
        var present = await writer.ExistingCustomersAsync(linked, ct);
        var rows = new List<ImportWriter.StateRow>(candidates.Count);
        foreach (var identity in candidates)
        {
            var customerId = CustomerIdOf(identity);
            if (customerId is not null && !present.Contains(customerId))
            {
                tally.AddConflicts(1);
                report(new ImportConflict("auth identity", identity.State.Id!, $"its customer {customerId} was not imported (see its conflict)."));
                continue;
            }

            foreach (var login in identity.State.ProviderIdentities.Where(p => p.PasswordHash is not null && !ScryptKdfHash.IsScryptKdf(p.PasswordHash)))
            {
                warn($"warning: auth identity {identity.State.Id}: the emailpass password of {login.EntityId} is not a scrypt-kdf hash " +
                     "this service can verify; copied, but that customer must reset the password.");
            }

            rows.Add(new ImportWriter.StateRow(identity.State.Id!, GrainStorageRows.Payload(identity.State)));
        }

        await writer.WriteStatesAsync(StateNames.AuthIdentity, "auth identity", rows, tally, report, ct);
    }

    private static string? CustomerIdOf(MedusaIdentity identity) =>
        identity.State.AppMetadata!.TryGetPropertyValue("customer_id", out var id) && id is not null ? id.ToString() : null;

    /// <summary>One reader feeding the writers through a bounded queue, with a progress line now and then.</summary>
    private async Task RunPhaseAsync<T>(
        ImportTally tally, IAsyncEnumerable<T> batches, Options options, Action<string> progress, Func<T, CancellationToken, Task> write,
        CancellationToken ct)
    {
        var writers = options.Writers;
        var interval = options.ProgressInterval ?? DefaultProgressInterval;
        var started = clock.GetTimestamp();
        var lastReport = started;
        using var failed = CancellationTokenSource.CreateLinkedTokenSource(ct);
        var queue = Channel.CreateBounded<T>(new BoundedChannelOptions(writers) { SingleReader = false, SingleWriter = true });

        async Task ReadAsync()
        {
            try
            {
                await foreach (var batch in batches.WithCancellation(failed.Token))
                {
                    await queue.Writer.WriteAsync(batch, failed.Token);
                }

                queue.Writer.Complete();
            }
            catch (Exception error)
            {
                queue.Writer.TryComplete(error);
                await failed.CancelAsync();
                throw;
            }
        }

        async Task WriteAsync()
        {
            try
            {
                await foreach (var batch in queue.Reader.ReadAllAsync(failed.Token))
                {
                    await write(batch, failed.Token);
                    var now = clock.GetTimestamp();
                    lock (tally)
                    {
                        if (clock.GetElapsedTime(lastReport, now) >= interval)
                        {
                            lastReport = now;
                            progress($"{tally} ({Rate(tally.Read, clock.GetElapsedTime(started, now))})");
                        }
                    }
                }
            }
            catch (Exception)
            {
                await failed.CancelAsync();
                throw;
            }
        }

        var tasks = new List<Task> { Task.Run(ReadAsync, CancellationToken.None) };
        tasks.AddRange(Enumerable.Range(0, writers).Select(_ => Task.Run(WriteAsync, CancellationToken.None)));
        try
        {
            await Task.WhenAll(tasks);
        }
        catch
        {
            // Rethrow the first real failure rather than the cancellations it caused in the other tasks.
            var failure = tasks.Where(t => t.IsFaulted).Select(t => t.Exception!.InnerException!).FirstOrDefault(e => e is not OperationCanceledException);
            if (failure is not null)
            {
                ExceptionDispatchInfo.Throw(failure);
            }

            if (ct.IsCancellationRequested)
            {
                throw new OperationCanceledException("The import was interrupted; run it again to complete it.", ct);
            }

            throw;
        }

        progress($"{tally} in {clock.GetElapsedTime(started).TotalSeconds:F1} s ({Rate(tally.Read, clock.GetElapsedTime(started))})");
    }

    private static string Rate(long rows, TimeSpan elapsed) =>
        $"{(elapsed.TotalSeconds > 0 ? rows / elapsed.TotalSeconds : 0):N0}/s";
}
