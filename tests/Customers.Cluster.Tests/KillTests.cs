using System.Collections.Concurrent;
using System.Diagnostics;
using System.Net;
using Xunit;
using Xunit.Abstractions;
using static Customers.Cluster.Tests.MedusaApi;
using static Customers.Cluster.Tests.TwoSiloTests;

namespace Customers.Cluster.Tests;

/// <summary>"A write that returned 2xx survives kill -9 of any silo" (security baseline, durability).</summary>
public sealed class KillTests(ITestOutputHelper output)
{
    private const int Customers = 8;
    private const int SignUpWriters = 2;
    private const int AcksBeforeKill = 120;
    private const int AcksAfterKill = 80;

    /// <summary>
    /// How long requests for grains that lived on the killed silo may answer 503: until membership declares it dead
    /// (about 2-3 s with the 1 s probe timeout the silos run with). Retrying within this bound waits for failure
    /// detection; it is not a sleep standing in for an event.
    /// </summary>
    private static readonly TimeSpan FailoverBound = TimeSpan.FromSeconds(60);

    [Fact]
    public async Task Every_acknowledged_write_survives_kill_9_of_a_silo_and_is_served_by_the_survivor()
    {
        await using var cluster = await SiloCluster.CreateAsync("kill");
        var api = new MedusaApi(cluster.PublishableKey);
        var (a, b) = Pair(await cluster.StartSilosAsync("A", "B"));
        var customers = await Task.WhenAll(Enumerable.Range(0, Customers)
            .Select(i => api.SignUpAsync(i % 2 == 0 ? a : b, i % 2 == 0 ? b : a, NewEmail(), Password)));

        var log = new WriteLog(Customers + SignUpWriters);
        using var stop = new CancellationTokenSource();
        var killed = 0;
        SiloProcess Pick(int turn) => Volatile.Read(ref killed) == 1 || turn % 2 == 1 ? b : a;

        var writers = new List<Task>();
        for (var i = 0; i < Customers; i++)
        {
            var writer = i;
            writers.Add(Task.Run(() => AddAddressesAsync(writer, customers[writer])));
        }

        for (var i = 0; i < SignUpWriters; i++)
        {
            var writer = Customers + i;
            writers.Add(Task.Run(() => SignUpAsync(writer)));
        }

        try
        {
            await log.Acknowledged(AcksBeforeKill).WaitAsync(TimeSpan.FromSeconds(60));
            Volatile.Write(ref killed, 1);
            a.Kill();
            log.MarkKilled();

            // Keep writing through B until every writer has had a write acknowledged that it started after the kill
            // (so the grains A hosted are served by B again) and B took a good number more.
            var sinceKill = Stopwatch.StartNew();
            await log.EveryWriterAcknowledgedAfterKill(AcksAfterKill).WaitAsync(FailoverBound);
            output.WriteLine($"Every writer was served again {sinceKill.Elapsed} after the kill.");
        }
        catch (TimeoutException)
        {
            Assert.Fail($"Writes stalled: {log.Summary}\nB's recent output:\n{b.RecentOutput}");
        }
        finally
        {
            await stop.CancelAsync();
            await Task.WhenAll(writers);
        }

        output.WriteLine(log.Summary);
        output.WriteLine($"{log.Addresses.Count} addresses, {log.Registrations.Count} registrations, {log.SignUps.Count} customers acknowledged.");
        Assert.True(log.Unexpected.IsEmpty, "unexpected answers: " + string.Join("\n", log.Unexpected.Take(20)));

        // 1. PostgreSQL's read model holds every acknowledged write.
        foreach (var address in log.Addresses)
        {
            Assert.Equal(customers[address.Writer].CustomerId, await cluster.ScalarAsync<string>(
                "SELECT customer_id FROM customer_address WHERE id = $1 AND city = $2 AND deleted_at IS NULL", address.Id, address.City));
        }

        foreach (var registration in log.Registrations)
        {
            Assert.Equal(registration.IdentityId, await cluster.ScalarAsync<string>(
                "SELECT auth_identity_id FROM provider_identity WHERE provider = 'emailpass' AND entity_id = $1", registration.Email));
        }

        foreach (var signUp in log.SignUps)
        {
            Assert.Equal(signUp.IdentityId, await cluster.ScalarAsync<string>(
                "SELECT a.id FROM auth_identity a JOIN customer c ON c.id = a.app_metadata ->> 'customer_id' WHERE c.id = $1 AND c.email = $2 AND c.has_account",
                signUp.CustomerId, signUp.Email));
        }

        // 2. The survivor serves all of it, including what lived on A (after membership declares A dead).
        var deadline = Stopwatch.StartNew();
        foreach (var group in log.Addresses.GroupBy(x => x.Writer))
        {
            var me = await UntilServedAsync(() => api.GetMeAsync(b, customers[group.Key].Token), deadline);
            Assert.True(me.Status == HttpStatusCode.OK, $"GET me of writer {group.Key} via B: {me}");
            var served = Addresses(me).Select(x => (string?)x!["id"]).ToHashSet();
            Assert.All(group, address => Assert.Contains(address.Id, served));
        }

        foreach (var registration in log.Registrations)
        {
            var login = await UntilServedAsync(() => api.LoginAsync(b, registration.Email, Password), deadline);
            Assert.True(login.Status == HttpStatusCode.OK, $"login of {registration.Email} via B: {login}");
            Assert.Equal(registration.IdentityId, (string?)Claims(Token(login))["auth_identity_id"]);
            var customerId = log.SignUps.FirstOrDefault(s => s.Email == registration.Email)?.CustomerId;
            if (customerId is not null)
            {
                var me = await UntilServedAsync(() => api.GetMeAsync(b, Token(login)), deadline);
                Assert.True(me.Status == HttpStatusCode.OK, $"GET me of {registration.Email} via B: {me}");
                Assert.Equal(customerId, (string?)me.Body!["customer"]!["id"]);
            }
        }

        async Task AddAddressesAsync(int writer, SignedUp customer)
        {
            for (var turn = writer; !stop.IsCancellationRequested; turn++)
            {
                var city = $"w{writer}-{turn}";
                var afterKill = log.Killed;
                var response = await TryAsync(() => api.AddAddressAsync(Pick(turn), customer.Token, city));
                if (response is null || !await log.AcceptAsync(response))
                {
                    continue;
                }

                log.Addresses.Add(new AckedAddress(writer, AddressIdOf(response, city), city));
                log.Acknowledge(writer, afterKill);
            }
        }

        async Task SignUpAsync(int writer)
        {
            for (var turn = writer; !stop.IsCancellationRequested; turn++)
            {
                var email = NewEmail();
                var afterKill = log.Killed;
                var registered = await TryAsync(() => api.RegisterAsync(Pick(turn), email, Password));
                if (registered is null || !await log.AcceptAsync(registered))
                {
                    continue;
                }

                var identityId = (string)Claims(Token(registered))["auth_identity_id"]!;
                log.Registrations.Add(new AckedRegistration(email, identityId));
                log.Acknowledge(writer, afterKill);

                afterKill = log.Killed;
                var created = await TryAsync(() => api.CreateCustomerAsync(Pick(turn + 1), Token(registered), email));
                if (created is null || !await log.AcceptAsync(created))
                {
                    continue;
                }

                log.SignUps.Add(new AckedSignUp(email, identityId, (string)created.Body!["customer"]!["id"]!));
                log.Acknowledge(writer, afterKill);
            }
        }
    }

    /// <summary>Null when the request never got an answer (the silo died under it): that write was not acknowledged.</summary>
    private static async Task<ApiResponse?> TryAsync(Func<Task<ApiResponse>> call)
    {
        try
        {
            return await call();
        }
        catch (HttpRequestException)
        {
            return null;
        }
        catch (TaskCanceledException)
        {
            return null;
        }
    }

    /// <summary>Repeats a request while it answers 503 (grains of the dead silo not yet re-homed), within the bound.</summary>
    private static async Task<ApiResponse> UntilServedAsync(Func<Task<ApiResponse>> call, Stopwatch since)
    {
        while (true)
        {
            var response = await call();
            if (response.Status != HttpStatusCode.ServiceUnavailable || since.Elapsed > FailoverBound)
            {
                return response;
            }

            await Task.Delay(100);
        }
    }

    private sealed record AckedAddress(int Writer, string Id, string City);

    private sealed record AckedRegistration(string Email, string IdentityId);

    private sealed record AckedSignUp(string Email, string IdentityId, string CustomerId);

    /// <summary>What the writers had acknowledged, and the two moments the test waits for.</summary>
    private sealed class WriteLog(int writers)
    {
        private readonly int[] _afterKill = new int[writers];
        private readonly TaskCompletionSource _beforeKillReached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private readonly TaskCompletionSource _afterKillReached = new(TaskCreationOptions.RunContinuationsAsynchronously);
        private int _total;
        private int _totalAfterKill;
        private int _beforeKillTarget = int.MaxValue;
        private int _afterKillTarget = int.MaxValue;
        private int _killed;
        private int _refused;

        public ConcurrentBag<AckedAddress> Addresses { get; } = [];
        public ConcurrentBag<AckedRegistration> Registrations { get; } = [];
        public ConcurrentBag<AckedSignUp> SignUps { get; } = [];
        public ConcurrentQueue<string> Unexpected { get; } = new();

        public bool Killed => Volatile.Read(ref _killed) == 1;

        public string Summary =>
            $"{_total} acknowledged, {_totalAfterKill} after the kill, {_refused} refused (503/409); " +
            $"per writer after the kill: [{string.Join(", ", _afterKill)}]";

        public Task Acknowledged(int count)
        {
            Volatile.Write(ref _beforeKillTarget, count);
            Check();
            return _beforeKillReached.Task;
        }

        public Task EveryWriterAcknowledgedAfterKill(int count)
        {
            Volatile.Write(ref _afterKillTarget, count);
            Check();
            return _afterKillReached.Task;
        }

        public void MarkKilled() => Volatile.Write(ref _killed, 1);

        /// <summary>
        /// 2xx: acknowledged. 503 (grain unreachable until failover) and 409 (ETag conflict) are refusals a client
        /// retries after a short back-off, as it would honour Retry-After; anything else is unexpected.
        /// </summary>
        public async Task<bool> AcceptAsync(ApiResponse response)
        {
            if (response.IsSuccess)
            {
                return true;
            }

            Interlocked.Increment(ref _refused);
            if (response.Status is not (HttpStatusCode.ServiceUnavailable or HttpStatusCode.Conflict))
            {
                Unexpected.Enqueue(response.ToString());
            }

            await Task.Delay(100);
            return false;
        }

        public void Acknowledge(int writer, bool startedAfterKill)
        {
            Interlocked.Increment(ref _total);
            if (startedAfterKill)
            {
                Interlocked.Increment(ref _afterKill[writer]);
                Interlocked.Increment(ref _totalAfterKill);
            }

            Check();
        }

        private void Check()
        {
            if (Volatile.Read(ref _total) >= Volatile.Read(ref _beforeKillTarget))
            {
                _beforeKillReached.TrySetResult();
            }

            if (Volatile.Read(ref _totalAfterKill) >= Volatile.Read(ref _afterKillTarget)
                && _afterKill.All(n => n > 0))
            {
                _afterKillReached.TrySetResult();
            }
        }
    }
}
