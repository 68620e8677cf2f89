using System.Diagnostics;
using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Customers.Grains.Auth.Mfa;
using Xunit;
using static Customers.Cluster.Tests.MedusaApi;
using static Customers.Cluster.Tests.TwoSiloTests;

namespace Customers.Cluster.Tests;

/// <summary>
/// Second factors across two silo processes: a factor enrolled on one silo is confirmed on the other, a challenge
/// opened on one is answered on the other (its failed attempts count on both), and enabling the factor revokes the
/// identity's other tokens on both silos while the enrolling token keeps working.
/// </summary>
public sealed class MfaClusterTests
{
    [Fact]
    public async Task A_challenge_opened_on_one_silo_is_answered_on_the_other()
    {
        await using var cluster = await SiloCluster.CreateAsync("mfa", new Dictionary<string, string>
        {
            ["Customers__Mfa__EncryptionKey"] = Convert.ToHexString(System.Security.Cryptography.RandomNumberGenerator.GetBytes(32)),
        });
        var api = new MedusaApi(cluster.PublishableKey);
        var silos = await cluster.StartSilosAsync("A", "B");
        var (a, b) = (silos[0], silos[1]);
        var email = NewEmail();
        // The registration token enrols (it differs from every login token, which all look alike within one second).
        var enrolling = Token(Expect(await api.RegisterAsync(a, email, Password), HttpStatusCode.OK, "register on A"));
        Expect(await api.CreateCustomerAsync(b, enrolling, email), HttpStatusCode.OK, "create the customer on B");
        var user = new SignedUp(email, "", Token(Expect(await api.LoginAsync(b, email, Password), HttpStatusCode.OK, "login on B")));
        var other = user.Token;

        var started = Expect(await SendAsync(a, HttpMethod.Post, "/auth/mfa/factors", new JsonObject { ["provider"] = "totp" }, enrolling), HttpStatusCode.OK, "enrol on A");
        var factorId = (string)started.Body!["mfa_factor"]!["id"]!;
        var secret = Base32.Decode((string)started.Body!["secret"]!)!;
        var code = Totp.Code(secret, Totp.StepAt(DateTimeOffset.UtcNow, 30), 6);
        Expect(await SendAsync(b, HttpMethod.Post, $"/auth/mfa/factors/{factorId}/verify", new JsonObject { ["code"] = code }, enrolling), HttpStatusCode.OK, "confirm on B");
        var sinceEnabled = Stopwatch.StartNew();
        var recovery = Expect(await SendAsync(a, HttpMethod.Post, "/auth/mfa/recovery-codes", new JsonObject { ["count"] = 2 }, enrolling), HttpStatusCode.OK, "recovery codes on A")
            .Body!["recovery_codes"]!.AsArray().Select(c => (string)c!).ToArray();

        // The other token dies on the silo that enabled the factor at once, and on the other within the baseline's 5 s.
        Assert.Equal(HttpStatusCode.Unauthorized, (await api.GetMeAsync(b, other)).Status);
        ApiResponse onA;
        while ((onA = await api.GetMeAsync(a, other)).Status == HttpStatusCode.OK && sinceEnabled.Elapsed < TimeSpan.FromSeconds(5))
        {
            await Task.Delay(100);
        }

        Assert.Equal(HttpStatusCode.Unauthorized, onA.Status);
        foreach (var silo in silos)
        {
            Expect(await GetAsync(silo, "/auth/mfa/factors", enrolling), HttpStatusCode.OK, $"the enrolling token on {silo.Name}");
        }

        // Five wrong answers alternating between the silos exhaust one challenge.
        var login = Expect(await api.LoginAsync(a, user.Email, Password), HttpStatusCode.OK, "login with MFA on A");
        var challengeId = (string)login.Body!["mfa_challenge"]!["id"]!;
        var pending = (string)login.Body!["token"]!;
        var last = login;
        for (var i = 0; i < 5; i++)
        {
            last = await AnswerAsync(silos[i % 2], challengeId, pending, "recovery_code", "0000-0000-0000-0000-0000-0000-0000-0000");
        }

        Assert.Equal("MFA challenge has too many failed attempts", last.Message);
        Assert.Equal("MFA challenge has too many failed attempts", (await AnswerAsync(b, challengeId, pending, "recovery_code", recovery[0])).Message);

        var second = Expect(await api.LoginAsync(a, user.Email, Password), HttpStatusCode.OK, "second login with MFA on A");
        var answered = Expect(await AnswerAsync(b, (string)second.Body!["mfa_challenge"]!["id"]!, (string)second.Body!["token"]!, "recovery_code", recovery[0]),
            HttpStatusCode.OK, "answer on B");
        var complete = Token(answered);
        Assert.NotNull((string?)Claims(complete)["mfa_challenge_completed_at"]);
        Expect(await api.GetMeAsync(a, complete), HttpStatusCode.OK, "MFA-complete token on A");

        // The spent recovery code is gone on both silos.
        var third = Expect(await api.LoginAsync(b, user.Email, Password), HttpStatusCode.OK, "third login with MFA on B");
        var reused = await AnswerAsync(a, (string)third.Body!["mfa_challenge"]!["id"]!, (string)third.Body!["token"]!, "recovery_code", recovery[0]);
        Assert.Equal("Invalid MFA challenge code", reused.Message);
    }

    private static async Task<ApiResponse> GetAsync(SiloProcess silo, string path, string token)
    {
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await silo.Http.SendAsync(request);
        var raw = await response.Content.ReadAsStringAsync();
        return new ApiResponse(response.StatusCode, JsonNode.Parse(raw) as JsonObject, response.Headers, raw);
    }

    private static Task<ApiResponse> AnswerAsync(SiloProcess silo, string challengeId, string token, string method, string code) =>
        SendAsync(silo, HttpMethod.Post, $"/auth/mfa/challenges/{challengeId}/verify", new JsonObject { ["method"] = method, ["code"] = code }, token);

    private static async Task<ApiResponse> SendAsync(SiloProcess silo, HttpMethod method, string path, JsonObject body, string token)
    {
        using var request = new HttpRequestMessage(method, path)
        {
            Content = new StringContent(body.ToJsonString(), Encoding.UTF8, "application/json"),
        };
        request.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
        using var response = await silo.Http.SendAsync(request);
        var raw = await response.Content.ReadAsStringAsync();
        var json = response.Content.Headers.ContentType?.MediaType == "application/json" ? JsonNode.Parse(raw) as JsonObject : null;
        return new ApiResponse(response.StatusCode, json, response.Headers, raw);
    }
}
