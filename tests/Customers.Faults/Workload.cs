using System.Collections.Concurrent;
using System.Net;
using System.Text.Json.Nodes;

namespace Customers.Faults;

/// <summary>A customer whose sign-up was acknowledged, with every write acknowledged for it since.</summary>
public sealed class Account(string email, string password, string customerId, string token)
{
    private readonly Lock _gate = new();
    private readonly List<string> _unacknowledgedNames = [];
    private readonly List<(string City, DateTime At)> _acknowledgedCities = [];

    public string Email { get; } = email;

    public string Password { get; } = password;

    public string CustomerId { get; } = customerId;

    public string Token { get; set; } = token;

    /// <summary>When the sign-up was acknowledged.</summary>
    public DateTime CreatedAt { get; } = DateTime.UtcNow;

    /// <summary>The first name of the last acknowledged profile update (null: none yet).</summary>
    public string? AcknowledgedName { get; private set; }

    public DateTime AcknowledgedNameAt { get; private set; }

    public IReadOnlyList<(string City, DateTime At)> AcknowledgedCities
    {
        get
        {
            lock (_gate)
            {
                return [.. _acknowledgedCities];
            }
        }
    }

    /// <summary>The names the profile may hold at the end: the last acknowledged one, or one sent after it whose
    /// answer was lost or an error (it may have been stored; it was never acknowledged as not stored).</summary>
    public IReadOnlySet<string?> AllowedNames
    {
        get
        {
            lock (_gate)
            {
                return new HashSet<string?>([AcknowledgedName, .. _unacknowledgedNames]);
            }
        }
    }

    public void NameSent(string name, bool acknowledged)
    {
        lock (_gate)
        {
            if (acknowledged)
            {
                AcknowledgedName = name;
                AcknowledgedNameAt = DateTime.UtcNow;
                _unacknowledgedNames.Clear();
            }
            else
            {
                _unacknowledgedNames.Add(name);
            }
        }
    }

    public void CityAcknowledged(string city)
    {
        lock (_gate)
        {
            _acknowledgedCities.Add((city, DateTime.UtcNow));
        }
    }
}

/// <summary>Everything the clients were told was stored, to be read back afterwards.</summary>
public sealed class Ledger
{
    public ConcurrentBag<Account> Accounts { get; } = [];

    /// <summary>(group id, customer id) pairs an admin was told were added.</summary>
    public ConcurrentBag<(string GroupId, string CustomerId, DateTime At)> Memberships { get; } = [];
}

/// <summary>One request as the harness saw it.</summary>
public sealed record Sample(string Operation, bool IsWrite, Answer Answer);

/// <summary>
/// The mixed workload: shoppers (one client address each) sign up, read and update their profile, add addresses and
/// log in again, each in turn; one admin lists customers and adds customers to groups. In a burst every shopper only
/// writes. Every answer goes to <see cref="Samples"/>; every acknowledged write to <see cref="Ledger"/>.
/// </summary>
public sealed class Workload(Uri balancer, string publishableKey, string secretKey, IReadOnlyList<string> groupIds, int shoppers, TimeSpan thinkTime)
{
    private const string Password = "correct horse battery staple";
    private static readonly TimeSpan RequestTimeout = TimeSpan.FromSeconds(65);
    private readonly ConcurrentQueue<Sample> _samples = new();
    private long _sequence;

    public Ledger Ledger { get; } = new();

    public IReadOnlyCollection<Sample> Samples => _samples;

    /// <summary>While true, shoppers only write (profile updates and addresses).</summary>
    public bool Burst { get; set; }

    /// <summary>Runs every shopper and the admin until <paramref name="stop"/> is cancelled.</summary>
    public Task RunAsync(CancellationToken stop) =>
        Task.WhenAll([.. Enumerable.Range(0, shoppers).Select(i => ShopperAsync(ShopperAddress(i), stop)), AdminAsync(stop)]);

    /// <summary>127.0.0.10, 127.0.0.11, …: a client address per shopper.</summary>
    public static IPAddress ShopperAddress(int index) => new([127, 0, 0, (byte)(10 + index)]);

    private async Task ShopperAsync(IPAddress address, CancellationToken stop)
    {
        using var client = new Client(balancer, address, publishableKey, RequestTimeout);
        var mine = new List<Account>();
        Answer? last = null;
        for (var step = 0; !stop.IsCancellationRequested; step++)
        {
            if (mine.Count == 0 || (!Burst && step % 25 == 0))
            {
                if (await SignUpAsync(client) is { } account)
                {
                    mine.Add(account);
                    Ledger.Accounts.Add(account);
                }

                continue;
            }

            var current = mine[step % mine.Count];
            switch (Burst ? 1 + (step % 2) : step % 5)
            {
                case 0:
                    last = await RecordAsync("GET /store/customers/me", false, client.SendAsync(HttpMethod.Get, "/store/customers/me", bearer: current.Token));
                    break;
                case 1:
                    var name = $"N{Interlocked.Increment(ref _sequence)}";
                    var updated = last = await RecordAsync("POST /store/customers/me", true,
                        client.SendAsync(HttpMethod.Post, "/store/customers/me", new JsonObject { ["first_name"] = name }, bearer: current.Token));
                    current.NameSent(name, updated.IsSuccess);
                    break;
                case 2:
                    var city = $"C{Interlocked.Increment(ref _sequence)}";
                    var added = last = await RecordAsync("POST /store/customers/me/addresses", true, client.SendAsync(HttpMethod.Post, "/store/customers/me/addresses",
                        new JsonObject { ["first_name"] = "Ada", ["address_1"] = "Main street 1", ["city"] = city, ["country_code"] = "dk" }, bearer: current.Token));
                    if (added.IsSuccess)
                    {
                        current.CityAcknowledged(city);
                    }

                    break;
                case 3:
                    var login = last = await RecordAsync("POST /auth/customer/emailpass", false, client.SendAsync(HttpMethod.Post, "/auth/customer/emailpass",
                        new JsonObject { ["email"] = current.Email, ["password"] = current.Password }));
                    if (login.IsSuccess && (string?)login.Body?["token"] is { } token)
                    {
                        current.Token = token;
                    }

                    break;
                default:
                    last = await RecordAsync("GET /store/customers/me/addresses", false, client.SendAsync(HttpMethod.Get, "/store/customers/me/addresses", bearer: current.Token));
                    break;
            }

            // Clients back off a little after an error, as real ones do, instead of spinning on a refusal.
            await Task.Delay(last is { IsError: true } ? TimeSpan.FromMilliseconds(100) : thinkTime, CancellationToken.None);
        }
    }

    /// <summary>Register, create the customer (retried with the same token), log in: acknowledged once created.</summary>
    private async Task<Account?> SignUpAsync(Client client)
    {
        var email = $"shopper{Interlocked.Increment(ref _sequence)}-{client.Source.GetAddressBytes()[3]}@example.com";
        var registered = await RecordAsync("POST /auth/customer/emailpass/register", true, client.SendAsync(HttpMethod.Post,
            "/auth/customer/emailpass/register", new JsonObject { ["email"] = email, ["password"] = Password }));
        if ((string?)registered.Body?["token"] is not { } registration)
        {
            return null;
        }

        for (var attempt = 0; attempt < 20; attempt++)
        {
            var created = await RecordAsync("POST /store/customers", true, client.SendAsync(HttpMethod.Post, "/store/customers",
                new JsonObject { ["email"] = email, ["first_name"] = "New" }, bearer: registration));
            if (created.IsSuccess)
            {
                var id = (string)created.Body!["customer"]!["id"]!;
                var login = await RecordAsync("POST /auth/customer/emailpass", false, client.SendAsync(HttpMethod.Post, "/auth/customer/emailpass",
                    new JsonObject { ["email"] = email, ["password"] = Password }));
                var account = new Account(email, Password, id, (string?)login.Body?["token"] ?? registration);
                account.NameSent("New", acknowledged: true);
                return account;
            }

            if (!created.IsError)
            {
                return null; // refused (e.g. created by an earlier attempt whose answer was lost): not acknowledged
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }

        return null;
    }

    private async Task AdminAsync(CancellationToken stop)
    {
        using var client = new Client(balancer, IPAddress.Parse("127.0.0.9"), publishableKey, RequestTimeout);
        for (var step = 0; !stop.IsCancellationRequested; step++)
        {
            if (step % 2 == 0 || Ledger.Accounts.IsEmpty)
            {
                await RecordAsync("GET /admin/customers", false, client.SendAsync(HttpMethod.Get, "/admin/customers?limit=20&order=-created_at", secretKey: secretKey));
            }
            else
            {
                var customer = Ledger.Accounts.ElementAt(step % Ledger.Accounts.Count).CustomerId;
                var group = groupIds[step % groupIds.Count];
                var added = await RecordAsync("POST /admin/customer-groups/{id}/customers", true, client.SendAsync(HttpMethod.Post,
                    $"/admin/customer-groups/{group}/customers", new JsonObject { ["add"] = new JsonArray(customer) }, secretKey: secretKey));
                if (added.IsSuccess)
                {
                    Ledger.Memberships.Add((group, customer, DateTime.UtcNow));
                }
            }

            await Task.Delay(TimeSpan.FromMilliseconds(50), CancellationToken.None);
        }
    }

    private async Task<Answer> RecordAsync(string operation, bool isWrite, Task<Answer> sending)
    {
        var answer = await sending;
        _samples.Enqueue(new Sample(operation, isWrite, answer));
        return answer;
    }
}
