using System.Net;
using Xunit;
using Xunit.Abstractions;
using static Customers.Cluster.Tests.MedusaApi;
using static Customers.Cluster.Tests.TwoSiloTests;

namespace Customers.Cluster.Tests;

/// <summary>
/// Sign-up (<c>POST /store/customers</c>) survives <c>kill -9</c> at each of its durable steps: the silo runs with the
/// test-only pause point <c>Customers:Testing:SignUpPauseAt</c>, is killed once it logs that the sign-up stopped
/// there, and a fresh silo serves the retry with the same registration token. Afterwards there is exactly one customer
/// with the e-mail, the identity links it, and the password logs into it.
/// </summary>
public sealed class SignUpCrashTests(ITestOutputHelper output)
{
    /// <summary>A bound for answers of 503 from the restarted silo while it settles.</summary>
    private static readonly TimeSpan RetryBound = TimeSpan.FromSeconds(60);

    [Theory]
    [InlineData("PendingRecorded")]
    [InlineData("CustomerWritten")]
    public async Task A_sign_up_killed_after_a_step_is_completed_by_its_retry_with_one_linked_customer(string step)
    {
        await using var cluster = await SiloCluster.CreateAsync("signup_crash");
        var api = new MedusaApi(cluster.PublishableKey);
        var paused = (await cluster.StartSilosAsync(["--Customers:Testing:SignUpPauseAt", step], "paused"))[0];
        var email = NewEmail();
        var registration = Token(Expect(await api.RegisterAsync(paused, email, Password), HttpStatusCode.OK, "register"));

        var interrupted = api.CreateCustomerAsync(paused, registration, email);
        await WaitForOutputAsync(paused, $"sign-up paused after step {step}");
        paused.Kill();
        await Assert.ThrowsAnyAsync<Exception>(() => interrupted);

        // The whole (one-silo) cluster crashed: it starts again under a new cluster id, as after a full outage, so the
        // new silo does not wait to reach the dead one. Grain state is keyed by the service id and carries over.
        var restarted = (await cluster.StartSilosAsync(["--Customers:Cluster:ClusterId", $"{cluster.Settings.ClusterId}-restarted"], "restarted"))[0];
        var retry = await RetryWhileUnavailableAsync(() => api.CreateCustomerAsync(restarted, registration, email));
        output.WriteLine($"after {step}: retry answered {retry}");

        string customerId;
        if (step == "CustomerWritten")
        {
            // The customer's write is the link, so the first attempt completed; only its answer was lost. The token's
            // account exists: Medusa's 422.
            Assert.Equal(HttpStatusCode.UnprocessableEntity, retry.Status);
            Assert.Equal("duplicate_error", (string?)retry.Body?["type"]);
            customerId = (await cluster.ScalarAsync<string>(
                "SELECT id FROM customer WHERE email = $1 AND deleted_at IS NULL", email))!;
        }
        else
        {
            Expect(retry, HttpStatusCode.OK, "retry");
            customerId = (string)retry.Body!["customer"]!["id"]!;
            Assert.Equal(email, (string?)retry.Body!["customer"]!["email"]);
        }

        Assert.Equal(1L, await cluster.ScalarAsync<long>("SELECT count(*) FROM customer WHERE email = $1 AND deleted_at IS NULL", email));
        Assert.True(await cluster.ScalarAsync<bool>("SELECT has_account FROM customer WHERE id = $1", customerId));
        Assert.Equal(customerId, await cluster.ScalarAsync<string>(
            "SELECT a.app_metadata ->> 'customer_id' FROM auth_identity a JOIN provider_identity p ON p.auth_identity_id = a.id WHERE p.entity_id = $1",
            email));

        var login = Expect(await api.LoginAsync(restarted, email, Password), HttpStatusCode.OK, "login");
        Assert.Equal(customerId, (string?)Claims(Token(login))["actor_id"]);
        var me = Expect(await api.GetMeAsync(restarted, Token(login)), HttpStatusCode.OK, "me");
        Assert.Equal(email, (string?)me.Body!["customer"]!["email"]);

        // Once linked, the token's e-mail is taken for good: another retry is the 422 and changes nothing.
        var again = await api.CreateCustomerAsync(restarted, registration, email);
        Assert.Equal(HttpStatusCode.UnprocessableEntity, again.Status);
        Assert.Equal(1L, await cluster.ScalarAsync<long>("SELECT count(*) FROM customer WHERE email = $1 AND deleted_at IS NULL", email));
    }

    private static async Task WaitForOutputAsync(SiloProcess silo, string text)
    {
        var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(60);
        while (!silo.RecentOutput.Contains(text, StringComparison.Ordinal))
        {
            Assert.True(DateTime.UtcNow < deadline && !silo.HasExited, $"{silo.Name} never logged '{text}':\n{silo.RecentOutput}");
            await Task.Delay(TimeSpan.FromMilliseconds(100));
        }
    }

    /// <summary>Sends until the answer is not a 503 (the killed silo's grains move to the new one), within the bound.</summary>
    private static async Task<ApiResponse> RetryWhileUnavailableAsync(Func<Task<ApiResponse>> send)
    {
        var deadline = DateTime.UtcNow + RetryBound;
        while (true)
        {
            var response = await send();
            if (response.Status != HttpStatusCode.ServiceUnavailable || DateTime.UtcNow > deadline)
            {
                return response;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(250));
        }
    }
}
