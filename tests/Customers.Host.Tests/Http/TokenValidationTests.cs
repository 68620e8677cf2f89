using System.Net;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json.Nodes;
using Xunit;

namespace Customers.Host.Tests.Http;

/// <summary>
/// Bearer tokens are validated strictly (security baseline, stricter than Medusa: docs/medusa-compatibility.md D16):
/// HS256 only, signature with our secret, <c>exp</c> required and checked, no keys named in the header, and the route's
/// actor type.
/// </summary>
[Collection(HttpCollection.Name)]
public sealed class TokenValidationTests(CustomersApiFactory api)
{
    private const string Me = "/store/customers/me";

    [Fact]
    public async Task Hand_made_HS256_token_with_our_secret_is_accepted()
    {
        // The control for the refusals below: the same forging code, done right, passes.
        var customer = await api.CreateCustomerAsync();

        var response = await api.Api.GetAsync(Me, Jwt.Sign(Claims(customer), api.JwtKey));

        Assert.Equal(customer.CustomerId, response.Expect(HttpStatusCode.OK).Object["customer"]!["id"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("alg_none")]
    [InlineData("hs512_with_our_secret")]
    [InlineData("hs384_with_our_secret")]
    [InlineData("hs256_with_another_secret")]
    [InlineData("expired_five_minutes_ago")]
    [InlineData("without_exp")]
    [InlineData("with_jku_header")]
    [InlineData("with_jwk_header")]
    [InlineData("with_x5u_header")]
    [InlineData("signature_stripped")]
    [InlineData("payload_swapped_to_another_customer")]
    [InlineData("user_actor_type")]
    [InlineData("not_a_jwt")]
    public async Task Invalid_token_is_refused_with_the_bare_401(string variant)
    {
        var customer = await api.CreateCustomerAsync();
        var other = await api.CreateCustomerAsync();
        var claims = Claims(customer);
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        var token = variant switch
        {
            "alg_none" => Jwt.Unsigned(claims),
            "hs512_with_our_secret" => Jwt.Sign(Header("HS512"), claims, api.JwtKey),
            "hs384_with_our_secret" => Jwt.Sign(Header("HS384"), claims, api.JwtKey),
            "hs256_with_another_secret" => Jwt.Sign(claims, Encoding.UTF8.GetBytes(new string('7', 64))),
            "expired_five_minutes_ago" => Jwt.Sign(With(claims, c => { c["iat"] = now - 3600; c["exp"] = now - 300; }), api.JwtKey),
            "without_exp" => Jwt.Sign(With(claims, c => c.Remove("exp")), api.JwtKey),
            "with_jku_header" => Jwt.Sign(With(Header("HS256"), h => h["jku"] = "https://attacker.example/jwks.json"), claims, api.JwtKey),
            "with_jwk_header" => Jwt.Sign(With(Header("HS256"), h => h["jwk"] = new JsonObject { ["kty"] = "oct", ["k"] = "AAAA" }), claims, api.JwtKey),
            "with_x5u_header" => Jwt.Sign(With(Header("HS256"), h => h["x5u"] = "https://attacker.example/cert.pem"), claims, api.JwtKey),
            "signature_stripped" => customer.Token[..(customer.Token.LastIndexOf('.') + 1)],
            "payload_swapped_to_another_customer" => SwapPayload(customer.Token, other.Token),
            "user_actor_type" => Jwt.Sign(With(claims, c => { c["actor_type"] = "user"; c["actor_id"] = "user_01JTESTUSER0000000000000000"; }), api.JwtKey),
            "not_a_jwt" => "not-a-jwt",
            _ => throw new ArgumentOutOfRangeException(nameof(variant)),
        };

        var response = await api.Api.GetAsync(Me, token);

        response.ExpectUnauthorized();
    }

    [Fact]
    public async Task A_validated_tokens_signature_does_not_admit_another_payload()
    {
        // Validated tokens are remembered by their signature segment: a token that reuses a remembered signature with
        // another customer's payload must still be refused, not served from the cache as the first customer.
        var customer = await api.CreateCustomerAsync();
        var other = await api.CreateCustomerAsync();
        (await api.Api.GetAsync(Me, customer.Token)).Expect(HttpStatusCode.OK);

        var forged = await api.Api.GetAsync(Me, SwapPayload(customer.Token, other.Token));
        var again = await api.Api.GetAsync(Me, customer.Token);

        forged.ExpectUnauthorized();
        Assert.Equal(customer.CustomerId, again.Expect(HttpStatusCode.OK).Object["customer"]!["id"]!.GetValue<string>());
    }

    [Theory]
    [InlineData("bearer")]
    [InlineData("BEARER")]
    public async Task Bearer_scheme_is_matched_case_insensitively(string scheme)
    {
        var customer = await api.CreateCustomerAsync();

        var response = await api.Api.GetAsync(Me, configure: r => r.Headers.Authorization = new AuthenticationHeaderValue(scheme, customer.Token));

        response.Expect(HttpStatusCode.OK);
    }

    [Fact]
    public async Task Other_schemes_are_not_bearer_tokens()
    {
        var customer = await api.CreateCustomerAsync();

        var response = await api.Api.GetAsync(Me, configure: r => r.Headers.Authorization = new AuthenticationHeaderValue("Token", customer.Token));

        response.ExpectUnauthorized();
    }

    /// <summary>Claims as our issuer writes them, with a real <c>exp</c> an hour ahead of the real clock.</summary>
    private static JsonObject Claims(TestCustomer customer)
    {
        var now = DateTimeOffset.UtcNow.ToUnixTimeSeconds();
        return new JsonObject
        {
            ["actor_id"] = customer.CustomerId,
            ["actor_type"] = "customer",
            ["auth_identity_id"] = customer.AuthIdentityId,
            ["auth_provider"] = "emailpass",
            ["mfa_enabled"] = false,
            ["mfa_challenge_completed_at"] = null,
            ["app_metadata"] = new JsonObject { ["customer_id"] = customer.CustomerId },
            ["user_metadata"] = new JsonObject(),
            ["iat"] = now,
            ["exp"] = now + 3600,
        };
    }

    private static JsonObject Header(string alg) => new() { ["alg"] = alg, ["typ"] = "JWT" };

    private static JsonObject With(JsonObject json, Action<JsonObject> change)
    {
        var copy = json.DeepClone().AsObject();
        change(copy);
        return copy;
    }

    /// <summary>The header and signature of one valid token around the payload of another.</summary>
    private static string SwapPayload(string token, string payloadSource)
    {
        var parts = token.Split('.');
        return parts[0] + "." + payloadSource.Split('.')[1] + "." + parts[2];
    }
}
