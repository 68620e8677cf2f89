using System.Net;
using Microsoft.AspNetCore.Hosting;
using Microsoft.Extensions.Hosting;
using Xunit;

namespace Customers.Host.Tests.Http.Mfa;

/// <summary>
/// A production host (so no local key is generated in place of a missing one) with the MFA keys a test names, on a
/// database of its own or on another host's: hosts started one after another on one database stand for one deployment
/// restarted with a new configuration. Second factors are disabled only with a code (the <c>challenge</c> policy).
/// </summary>
public sealed class MfaKeyHost(string? encryptionKey, string[] previousKeys, string? database) : CustomersApiFactory
{
    protected override string DatabasePrefix => "http_mfa_keys";

    protected override Task<string> CreateDatabaseAsync() => database is null ? base.CreateDatabaseAsync() : Task.FromResult(database);

    protected override IEnumerable<KeyValuePair<string, string>> OverrideSettings() =>
    [
        new("Customers:Mfa:EncryptionKey", encryptionKey ?? ""),
        new("Customers:Mfa:DisablePolicy", "Challenge"),
        .. previousKeys.Select((key, i) => KeyValuePair.Create($"Customers:Mfa:PreviousEncryptionKeys:{i}", key)),
    ];

    protected override void ConfigureWebHost(IWebHostBuilder builder)
    {
        base.ConfigureWebHost(builder);
        builder.UseEnvironment(Environments.Production);
    }
}

/// <summary>
/// The encryption key of TOTP secrets (docs/security.md): without one every TOTP operation answers 400 and a host
/// refuses to start once secrets are sealed; a rotated key still opens secrets sealed with the previous one and seals
/// them again with the new one.
/// </summary>
public sealed class MfaKeyTests : IAsyncLifetime
{
    private const string KeyA = "rotation-key-a-0123456789abcdef0123456789abcdef";
    private const string KeyB = "rotation-key-b-fedcba9876543210fedcba9876543210";

    private readonly List<MfaKeyHost> _hosts = [];

    public Task InitializeAsync() => Task.CompletedTask;

    public async Task DisposeAsync()
    {
        foreach (var host in _hosts)
        {
            await host.DisposeAsync();
        }
    }

    [Fact]
    public async Task Without_a_key_enrol_confirm_challenge_and_disable_with_a_code_answer_400()
    {
        var keyless = await StartAsync(null, [], database: null);
        var plain = await keyless.CreateCustomerAsync();
        ExpectKeyRequired(await keyless.Api.PostAsync("/auth/mfa/factors", new { provider = "totp" }, plain.Token));

        // Factors sealed by a host that has the key, used through the keyless one (same database, a cluster of its own).
        var keyed = await StartAsync(KeyA, [], keyless.ConnectionString, after: keyless);
        var enrolling = await keyed.CreateCustomerAsync();
        var (pendingFactor, pendingSecret) = await keyed.EnrolAsync(enrolling.Token);
        var enabled = await keyed.CreateCustomerAsync();
        var (enabledFactor, enabledSecret) = await keyed.EnableAsync(enabled.Token);
        var recovery = (await keyed.Api.PostAsync("/auth/mfa/recovery-codes", new { count = 1 }, enabled.Token)).Expect(HttpStatusCode.OK)
            .Object["recovery_codes"]![0]!.GetValue<string>();
        Continue(keyless, after: keyed);

        var enrollingToken = await keyless.LoginAsync(enrolling.Email, enrolling.Password);
        ExpectKeyRequired(await keyless.Api.PostAsync(
            $"/auth/mfa/factors/{pendingFactor}/verify", new { code = keyless.NextCode(pendingSecret) }, enrollingToken));

        var (challenge, pending) = await keyless.ChallengeAsync(enabled.Email, enabled.Password);
        var challengeId = challenge["id"]!.GetValue<string>();
        ExpectKeyRequired(await keyless.AnswerAsync(challengeId, pending, "totp", keyless.NextCode(enabledSecret)));

        // Recovery codes need no key: they give the MFA-complete login that disabling asks for.
        var complete = (await keyless.AnswerAsync(challengeId, pending, "recovery_code", recovery)).Token();
        ExpectKeyRequired(await keyless.Api.SendAsync(HttpMethod.Delete, $"/auth/mfa/factors/{enabledFactor}",
            ApiClient.JsonContent(new { method = "totp", code = keyless.NextCode(enabledSecret) }), complete));
    }

    [Fact]
    public async Task A_host_without_a_key_refuses_to_start_once_a_secret_is_sealed_and_says_why()
    {
        var keyed = await StartAsync(KeyA, [], database: null);
        var customer = await keyed.CreateCustomerAsync();
        var (_, secret) = await keyed.EnableAsync(customer.Token);
        var database = keyed.ConnectionString;
        await DisposeAsync();
        _hosts.Clear();

        var refused = await Assert.ThrowsAnyAsync<Exception>(() => StartAsync(null, [], database));

        var message = string.Join(" | ", Chain(refused).Select(e => e.Message));
        Assert.Contains("Customers:Mfa:EncryptionKey is required: identities have second factors whose secrets it sealed", message);
        Assert.DoesNotContain(KeyA, message, StringComparison.Ordinal);
        Assert.DoesNotContain(secret, message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task After_a_rotation_the_previous_key_still_opens_the_secret_which_is_then_sealed_with_the_new_key()
    {
        var first = await StartAsync(KeyA, [], database: null);
        var customer = await first.CreateCustomerAsync();
        var (_, secret) = await first.EnableAsync(customer.Token);

        var rotated = await StartAsync(KeyB, [KeyA], first.ConnectionString, after: first);
        await AnswerWithAuthenticatorAsync(rotated, customer, secret);

        // Key A is gone: only a secret sealed again with B still opens.
        var onlyB = await StartAsync(KeyB, [], first.ConnectionString, after: rotated);
        await AnswerWithAuthenticatorAsync(onlyB, customer, secret);
    }

    private static async Task AnswerWithAuthenticatorAsync(MfaKeyHost host, TestCustomer customer, string secret)
    {
        var (challenge, pending) = await host.ChallengeAsync(customer.Email, customer.Password);
        var token = (await host.AnswerAsync(challenge["id"]!.GetValue<string>(), pending, "totp", host.NextCode(secret))).Token();
        Assert.NotNull(Jwt.Payload(token)["mfa_challenge_completed_at"]);
    }

    private async Task<MfaKeyHost> StartAsync(string? key, string[] previousKeys, string? database, MfaKeyHost? after = null)
    {
        var host = new MfaKeyHost(key, previousKeys, database);
        _hosts.Add(host);
        if (after is not null)
        {
            Continue(host, after);
        }

        await host.InitializeAsync();
        return host;
    }

    /// <summary>Moves <paramref name="host"/>'s clock up to <paramref name="after"/>'s: a TOTP step the earlier host
    /// accepted is spent, so a later code must come from a later step on every host.</summary>
    private static void Continue(MfaKeyHost host, MfaKeyHost after)
    {
        var behind = after.Clock.GetUtcNow() - host.Clock.GetUtcNow();
        if (behind > TimeSpan.Zero)
        {
            host.Clock.Advance(behind);
        }
    }

    private static void ExpectKeyRequired(ApiResponse response) =>
        response.ExpectError(HttpStatusCode.BadRequest, "invalid_data", "MFA encryption key is required to use MFA methods");

    private static IEnumerable<Exception> Chain(Exception error) =>
        error is AggregateException many
            ? many.InnerExceptions.SelectMany(Chain)
            : error.InnerException is null ? [error] : [error, .. Chain(error.InnerException)];
}
