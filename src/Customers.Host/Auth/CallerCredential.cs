using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;

namespace Customers.Host.Auth;

/// <summary>
/// The claim set of the credential a request was admitted with, read from the request itself: the bearer token in its
/// <c>Authorization</c> header, or the session's stored claims. Cached actors do not hold it (a token's claims are
/// about 0.4 KiB per active customer), and only <c>POST /auth/session</c> and credential-keeping revocations need it.
/// </summary>
internal static class CallerCredential
{
    private const string EmptyClaims = "{}";

    /// <summary>Marks the request as admitted by a session (else a bearer token, or a secret key: no claims).</summary>
    public static void SetSessionClaims(HttpContext http, string claims) => http.Features.Set(new SessionClaims(claims));

    /// <summary>The caller's claim set as JSON text (a token's decoded payload, or a session's stored claims).</summary>
    public static string Claims(HttpContext http)
    {
        if (http.Features.Get<SessionClaims>() is { } session)
        {
            return session.Json;
        }

        if (http.GetActor().ActorType == Actor.ApiKeyActorType || BearerToken(http) is not { } token
            || !TryDecodePayload(token, out var payload))
        {
            return EmptyClaims;
        }

        return Encoding.UTF8.GetString(payload);
    }

    /// <summary>Names the caller's credential without holding it (what a revocation keeps): see <see cref="Fingerprint(string)"/>.</summary>
    public static string Fingerprint(HttpContext http) => Fingerprint(Claims(http));

    /// <summary>SHA-256 of a claim set's UTF-8 text, base64url.</summary>
    public static string Fingerprint(string claims) =>
        Base64Url.EncodeToString(SHA256.HashData(Encoding.UTF8.GetBytes(claims)));

    /// <summary>The fingerprint of a bearer token's claims (its decoded payload), or null when the token is malformed.</summary>
    public static string? FingerprintOfToken(ReadOnlySpan<char> token) =>
        TryDecodePayload(token, out var payload) ? Base64Url.EncodeToString(SHA256.HashData(payload)) : null;

    /// <summary>The bearer token of the request's <c>Authorization</c> header (without the scheme), or null.</summary>
    private static string? BearerToken(HttpContext http)
    {
        var header = http.Request.Headers.Authorization.ToString();
        const string scheme = "Bearer ";
        return header.StartsWith(scheme, StringComparison.OrdinalIgnoreCase) ? header[scheme.Length..].Trim() : null;
    }

    private static bool TryDecodePayload(ReadOnlySpan<char> token, out byte[] payload)
    {
        payload = [];
        var first = token.IndexOf('.');
        var last = token.LastIndexOf('.');
        if (first < 0 || last <= first)
        {
            return false;
        }

        var encoded = token[(first + 1)..last];
        if (!Base64Url.IsValid(encoded, out var length))
        {
            return false;
        }

        payload = new byte[length];
        return Base64Url.TryDecodeFromChars(encoded, payload, out _);
    }

    private sealed record SessionClaims(string Json);
}
