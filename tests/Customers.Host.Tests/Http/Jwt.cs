using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json.Nodes;

namespace Customers.Host.Tests.Http;

/// <summary>Reads and forges compact JWTs by hand, so tests can check the exact claims and craft hostile tokens.</summary>
internal static class Jwt
{
    /// <summary>The decoded header, keys in the order they were written.</summary>
    public static JsonObject Header(string token) => Decode(token.Split('.')[0]);

    /// <summary>The decoded payload, keys in the order they were written.</summary>
    public static JsonObject Payload(string token) => Decode(token.Split('.')[1]);

    public static long IssuedAt(string token) => Payload(token)["iat"]!.GetValue<long>();

    public static long Expires(string token) => Payload(token)["exp"]!.GetValue<long>();

    /// <summary>Signs <paramref name="payload"/> under <paramref name="header"/> with HMAC (HS256, HS384 or HS512).</summary>
    public static string Sign(JsonObject header, JsonObject payload, byte[] key)
    {
        var signingInput = Encode(header) + "." + Encode(payload);
        var data = Encoding.ASCII.GetBytes(signingInput);
        var signature = header["alg"]!.GetValue<string>() switch
        {
            "HS256" => HMACSHA256.HashData(key, data),
            "HS384" => HMACSHA384.HashData(key, data),
            "HS512" => HMACSHA512.HashData(key, data),
            var alg => throw new ArgumentException($"Cannot sign with {alg}.", nameof(header)),
        };
        return signingInput + "." + Base64Url.EncodeToString(signature);
    }

    /// <summary>Signs with HS256 and the standard header.</summary>
    public static string Sign(JsonObject payload, byte[] key) => Sign(new JsonObject { ["alg"] = "HS256", ["typ"] = "JWT" }, payload, key);

    /// <summary>An <c>alg: none</c> token: header and payload with an empty signature.</summary>
    public static string Unsigned(JsonObject payload) =>
        Encode(new JsonObject { ["alg"] = "none", ["typ"] = "JWT" }) + "." + Encode(payload) + ".";

    /// <summary>True when the token's HS256 signature is right for <paramref name="key"/>.</summary>
    public static bool HasValidHs256Signature(string token, byte[] key)
    {
        var parts = token.Split('.');
        var expected = HMACSHA256.HashData(key, Encoding.ASCII.GetBytes(parts[0] + "." + parts[1]));
        return CryptographicOperations.FixedTimeEquals(expected, Base64Url.DecodeFromChars(parts[2]));
    }

    private static string Encode(JsonObject json) => Base64Url.EncodeToString(Encoding.UTF8.GetBytes(json.ToJsonString()));

    private static JsonObject Decode(string part) =>
        JsonNode.Parse(Encoding.UTF8.GetString(Base64Url.DecodeFromChars(part)))!.AsObject();
}
