// Measures how many bcrypt verifications per second this machine does, hashed exactly as the Customers host
// does it (BCrypt.Net-Next enhanced mode, SHA-384 pre-hash), at a given work factor on a given number of threads.
//
// Usage: dotnet run -c Release -- [--work-factor 11] [--threads 2] [--seconds 5]
using System.Diagnostics;
using System.Globalization;
using BCryptNet = BCrypt.Net.BCrypt;
using HashType = BCrypt.Net.HashType;

var workFactor = Option("--work-factor", 11);
var threads = Option("--threads", 2);
var seconds = Option("--seconds", 5);

const string password = "Str0ng-bench-password";
var hash = BCryptNet.EnhancedHashPassword(password, HashType.SHA384, workFactor);
if (!BCryptNet.EnhancedVerify(password, hash, HashType.SHA384) || BCryptNet.EnhancedVerify("wrong", hash, HashType.SHA384))
{
    Console.Error.WriteLine("bcrypt self-check failed");
    return 1;
}

// Hashing cost on its own (one thread), for reference.
var hashWatch = Stopwatch.StartNew();
const int hashSamples = 3;
for (var i = 0; i < hashSamples; i++)
{
    BCryptNet.EnhancedHashPassword(password, HashType.SHA384, workFactor);
}

var msPerHash = hashWatch.Elapsed.TotalMilliseconds / hashSamples;

var counts = new long[threads];
var deadline = Stopwatch.GetTimestamp() + (long)(seconds * (double)Stopwatch.Frequency);
var clock = Stopwatch.StartNew();
var workers = Enumerable.Range(0, threads).Select(t => new Thread(() =>
{
    while (Stopwatch.GetTimestamp() < deadline)
    {
        if (!BCryptNet.EnhancedVerify(password, hash, HashType.SHA384))
        {
            throw new InvalidOperationException("verification failed");
        }

        counts[t]++;
    }
})
{ IsBackground = true }).ToList();
workers.ForEach(w => w.Start());
workers.ForEach(w => w.Join());
clock.Stop();

var total = counts.Sum();
var rate = total / clock.Elapsed.TotalSeconds;
Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
    $"bcrypt enhanced SHA-384, work factor {workFactor}: {total} verifications in {clock.Elapsed.TotalSeconds:F2} s on {threads} thread(s)"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"one hash on one thread: {msPerHash:F1} ms"));
Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"verify_per_sec={rate:F1}"));
return 0;

int Option(string name, int fallback)
{
    var index = Array.IndexOf(args, name);
    return index >= 0 && index + 1 < args.Length && int.TryParse(args[index + 1], CultureInfo.InvariantCulture, out var value) && value > 0
        ? value
        : fallback;
}
