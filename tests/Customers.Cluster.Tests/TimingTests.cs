using System.Diagnostics;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;
using Xunit.Abstractions;
using static Customers.Cluster.Tests.TwoSiloTests;

namespace Customers.Cluster.Tests;

/// <summary>A real silo process with a bcrypt work factor high enough (9) that a skipped hash would stand out.</summary>
public sealed class TimingSilo : IAsyncLifetime
{
    private SiloCluster? _cluster;

    public SiloProcess Silo { get; private set; } = null!;

    public MedusaApi Api { get; private set; } = null!;

    public async Task InitializeAsync()
    {
        _cluster = await SiloCluster.CreateAsync("timing");
        Api = new MedusaApi(_cluster.PublishableKey);
        Silo = (await _cluster.StartSilosAsync(["--Customers:Passwords:WorkFactor", "9"], "timing"))[0];
    }

    public async Task DisposeAsync()
    {
        if (_cluster is not null)
        {
            await _cluster.DisposeAsync();
        }
    }
}

/// <summary>
/// No account enumeration by timing: for each route, requests about registered and unknown identifiers are sent in
/// interleaved pairs (the order alternating, after a warm-up) and the medians of the two groups are compared. This
/// compares two medians measured under the same load; it asserts no absolute speed.
/// </summary>
public sealed class TimingTests(TimingSilo host, ITestOutputHelper output) : IClassFixture<TimingSilo>
{
    private const int Pairs = 80;
    private const int WarmUp = 8;

    [Fact]
    public async Task Reset_password_medians_for_existing_and_unknown_identifiers_differ_by_less_than_1_ms()
    {
        var existing = await RegisterAsync();

        var (known, unknown) = await MeasurePairsAsync(
            _ => PostAsync("/auth/customer/emailpass/reset-password", new JsonObject { ["identifier"] = existing }, HttpStatusCode.Created),
            _ => PostAsync("/auth/customer/emailpass/reset-password", new JsonObject { ["identifier"] = NewEmail() }, HttpStatusCode.Created));

        AssertMediansClose(known, unknown, TimeSpan.FromMilliseconds(1), "reset-password");
    }

    [Fact]
    public async Task Login_medians_for_a_wrong_password_and_an_unknown_e_mail_differ_by_less_than_half_the_faster_one()
    {
        // One account per pair, so no account reaches its lockout and every wrong password costs what the first does.
        var accounts = await RegisterManyAsync(Pairs + WarmUp);

        var (wrongPassword, unknownEmail) = await MeasurePairsAsync(
            i => PostAsync("/auth/customer/emailpass", Credentials(accounts[i], "wrong-password-for-timing"), HttpStatusCode.Unauthorized),
            _ => PostAsync("/auth/customer/emailpass", Credentials(NewEmail(), "wrong-password-for-timing"), HttpStatusCode.Unauthorized));

        AssertBcryptMediansClose(wrongPassword, unknownEmail, "login");
    }

    [Fact]
    public async Task Register_medians_for_a_registered_and_a_new_e_mail_differ_by_less_than_half_the_faster_one()
    {
        var accounts = await RegisterManyAsync(Pairs + WarmUp);

        var (registered, fresh) = await MeasurePairsAsync(
            i => PostAsync("/auth/customer/emailpass/register", Credentials(accounts[i], "another-password-for-timing"), HttpStatusCode.Unauthorized),
            _ => PostAsync("/auth/customer/emailpass/register", Credentials(NewEmail(), Password), HttpStatusCode.OK));

        AssertBcryptMediansClose(registered, fresh, "register");
    }

    /// <summary>Runs <see cref="WarmUp"/> + <see cref="Pairs"/> pairs, A then B on even rounds and B then A on odd ones,
    /// and returns the times of the measured pairs.</summary>
    private static async Task<(List<double> A, List<double> B)> MeasurePairsAsync(Func<int, Task<double>> a, Func<int, Task<double>> b)
    {
        List<double> timesA = [];
        List<double> timesB = [];
        for (var round = 0; round < WarmUp + Pairs; round++)
        {
            double first, second;
            if (round % 2 == 0)
            {
                first = await a(round);
                second = await b(round);
            }
            else
            {
                second = await b(round);
                first = await a(round);
            }

            if (round >= WarmUp)
            {
                timesA.Add(first);
                timesB.Add(second);
            }
        }

        return (timesA, timesB);
    }

    private void AssertMediansClose(List<double> a, List<double> b, TimeSpan tolerance, string route)
    {
        var (medianA, medianB) = (Median(a), Median(b));
        output.WriteLine($"{route}: median {medianA:F2} ms vs {medianB:F2} ms over {a.Count} pairs");
        Assert.True(
            Math.Abs(medianA - medianB) < tolerance.TotalMilliseconds,
            $"{route}: medians {medianA:F2} ms and {medianB:F2} ms differ by {tolerance.TotalMilliseconds} ms or more");
    }

    /// <summary>
    /// Both medians are dominated by one bcrypt. A path that skipped it is far faster than half the other (its own
    /// median is then tiny, and so is the tolerance); a path that hashed twice is about twice the other: both fail.
    /// A database write more on one side (a wrong password counts against the account) stays well inside.
    /// </summary>
    private void AssertBcryptMediansClose(List<double> a, List<double> b, string route)
    {
        var smaller = Math.Min(Median(a), Median(b));
        AssertMediansClose(a, b, TimeSpan.FromMilliseconds(smaller / 2), route);
    }

    private static double Median(List<double> values)
    {
        var sorted = values.Order().ToList();
        return sorted.Count % 2 == 1 ? sorted[sorted.Count / 2] : (sorted[(sorted.Count / 2) - 1] + sorted[sorted.Count / 2]) / 2;
    }

    private async Task<string> RegisterAsync()
    {
        var email = NewEmail();
        MedusaApi.Expect(await host.Api.RegisterAsync(host.Silo, email, Password), HttpStatusCode.OK, "register");
        return email;
    }

    private async Task<List<string>> RegisterManyAsync(int count)
    {
        List<string> emails = [];
        for (var i = 0; i < count; i++)
        {
            emails.Add(await RegisterAsync());
        }

        return emails;
    }

    private static JsonObject Credentials(string email, string password) => new() { ["email"] = email, ["password"] = password };

    /// <summary>The milliseconds from sending the request to having read the whole answer.</summary>
    private async Task<double> PostAsync(string path, JsonObject body, HttpStatusCode expected)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, path)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        var clock = Stopwatch.StartNew();
        using var response = await host.Silo.Http.SendAsync(request);
        var raw = await response.Content.ReadAsStringAsync();
        var elapsed = clock.Elapsed.TotalMilliseconds;
        Assert.True(response.StatusCode == expected, $"{path}: expected {(int)expected}, got {(int)response.StatusCode} {raw}");
        return elapsed;
    }
}
