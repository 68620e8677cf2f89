using System.Text;
using Customers.Host.Events;
using Microsoft.AspNetCore.Http;
using StandardWebhooks;
using Xunit;

namespace Customers.Host.Tests.Events;

/// <summary>Our Standard Webhooks signer against the specification's example and the reference library.</summary>
public sealed class WebhookSignatureTests
{
    // The example of the Standard Webhooks specification.
    private const string SpecSecret = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw";
    private const string SpecId = "msg_p5jXN8AQM9LWM0D4loKWxJek";
    private const long SpecTimestamp = 1614265330;
    private const string SpecBody = """{"test": 2432232314}""";

    [Fact]
    public void Signature_matches_the_specification_example()
    {
        var key = WebhookSignature.DecodeSecret(SpecSecret)!;

        Assert.Equal("v1,g0hM9SsE+OTPJTGt/tmIKtSyZlE3uFJELVlNIOLJ1OE=", WebhookSignature.Sign([key], SpecId, SpecTimestamp, Encoding.UTF8.GetBytes(SpecBody)));
    }

    [Fact]
    public void Signature_equals_the_reference_library_for_every_key_in_order()
    {
        var secrets = new[] { EventsApiFactory.NewSecret(), EventsApiFactory.NewSecret() };
        var at = DateTimeOffset.FromUnixTimeSeconds(1_800_000_000);

        var ours = WebhookSignature.Sign(secrets.Select(s => WebhookSignature.DecodeSecret(s)!), "evt_1", at.ToUnixTimeSeconds(), Encoding.UTF8.GetBytes(SpecBody));

        Assert.Equal(string.Join(' ', secrets.Select(s => new StandardWebhook(s).Sign("evt_1", at, SpecBody))), ours);
    }

    [Fact]
    public void A_fresh_signature_verifies_with_the_reference_library_and_a_stale_one_does_not()
    {
        var secret = EventsApiFactory.NewSecret();
        var key = WebhookSignature.DecodeSecret(secret)!;
        HeaderDictionary Headers(DateTimeOffset at) => new()
        {
            [WebhookSignature.IdHeader] = "evt_1",
            [WebhookSignature.TimestampHeader] = at.ToUnixTimeSeconds().ToString(System.Globalization.CultureInfo.InvariantCulture),
            [WebhookSignature.SignatureHeader] = WebhookSignature.Sign([key], "evt_1", at.ToUnixTimeSeconds(), Encoding.UTF8.GetBytes(SpecBody)),
        };

        Assert.True(WebhookReceiver.Verifies(secret, SpecBody, Headers(DateTimeOffset.UtcNow)));
        Assert.False(WebhookReceiver.Verifies(secret, SpecBody, Headers(DateTimeOffset.UtcNow.AddHours(-1))));
    }

    [Theory]
    [InlineData("")]
    [InlineData("MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw")] // no whsec_ prefix
    [InlineData("whsec_not base64!")]
    [InlineData("whsec_c2hvcnQ=")] // 5 bytes: too short a key
    public void Secrets_that_are_not_whsec_keys_of_24_to_64_bytes_are_refused(string secret)
    {
        Assert.Null(WebhookSignature.DecodeSecret(secret));
        var options = new EventOptions { Webhooks = { ["crm"] = new WebhookOptions { Url = "https://crm.example.com/hooks", Secrets = [secret] } } };

        var result = new EventOptionsValidator().Validate(null, options);

        Assert.Contains("Customers:Events:Webhooks:crm:Secrets:0", result.FailureMessage);
    }

    [Fact]
    public void A_webhook_without_secrets_is_refused() =>
        Assert.Contains("Customers:Events:Webhooks:crm:Secrets", new EventOptionsValidator().Validate(null,
            new EventOptions { Webhooks = { ["crm"] = new WebhookOptions { Url = "https://crm.example.com/hooks" } } }).FailureMessage);
}
