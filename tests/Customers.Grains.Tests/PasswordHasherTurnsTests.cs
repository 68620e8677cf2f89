using Customers.Grains.Auth;
using Microsoft.Extensions.Options;
using Xunit;

namespace Customers.Grains.Tests;

/// <summary>Hashing runs at most <see cref="PasswordOptions.MaxConcurrentHashes"/> at a time; the rest wait.</summary>
public sealed class PasswordHasherTurnsTests
{
    [Fact]
    public async Task No_more_hashes_than_the_limit_run_at_once_and_every_waiting_one_runs()
    {
        const int limit = 2, callers = 6;
        var hasher = new PasswordHasher(Options.Create(new PasswordOptions { WorkFactor = 4, MaxConcurrentHashes = limit }));
        var running = 0;
        var mostRunning = 0;
        using var entered = new SemaphoreSlim(0);
        using var finish = new SemaphoreSlim(0);

        // Stands in for one hash: it holds its turn until the test lets it finish.
        int Hashing()
        {
            var now = Interlocked.Increment(ref running);
            InterlockedMax(ref mostRunning, now);
            entered.Release();
            finish.Wait();
            Interlocked.Decrement(ref running);
            return now;
        }

        var calls = Enumerable.Range(0, callers).Select(_ => Task.Run(() => hasher.InTurnAsync(Hashing))).ToList();
        for (var i = 0; i < limit; i++)
        {
            await entered.WaitAsync();
        }

        // Each hash let finish makes room for exactly one waiting caller.
        for (var done = 0; done < callers; done++)
        {
            finish.Release();
            if (done < callers - limit)
            {
                await entered.WaitAsync();
            }
        }

        var concurrencySeen = await Task.WhenAll(calls);
        Assert.Equal(limit, mostRunning);
        Assert.All(concurrencySeen, seen => Assert.InRange(seen, 1, limit));
        Assert.Equal(0, running);
    }

    private static void InterlockedMax(ref int target, int value)
    {
        var current = Volatile.Read(ref target);
        while (value > current)
        {
            var seen = Interlocked.CompareExchange(ref target, value, current);
            if (seen == current)
            {
                return;
            }

            current = seen;
        }
    }
}
