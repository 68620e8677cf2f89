using System.Buffers.Text;
using System.Security.Cryptography;
using System.Text;
using Customers.Host.Stores;
using Microsoft.Extensions.Options;

namespace Customers.Host.Auth;

/// <summary>
/// Medusa's <c>connect.sid</c> sessions: the cookie holds <c>s:&lt;id&gt;.&lt;HMAC&gt;</c> (express-session's
/// signed format); the claims live server-side in PostgreSQL so every silo sees them.
/// </summary>
internal sealed class SessionCookies(
    SessionStore store,
    SigningKey key,
    TokenRevocations revocations,
    IOptions<SessionCookieOptions> options,
    IHostEnvironment environment,
    TimeProvider time)
{
    private SessionCookieOptions Settings => options.Value;

    private bool Secure => Settings.SecureCookie ?? !environment.IsDevelopment();

    /// <summary>The session's actor and its stored claim set, or null without a valid, live, unrevoked session.</summary>
    public async Task<(Actor Actor, string Claims)?> ReadAsync(HttpContext http)
    {
        var sessionId = ReadSessionId(http);
        if (sessionId is null || await store.FindAsync(sessionId, http.RequestAborted) is not { } claims)
        {
            return null;
        }

        var json = claims.GetRawText();
        return BearerTokens.ActorFromClaims(claims) is { } actor && !revocations.IsSessionRevoked(actor, json) ? (actor, json) : null;
    }

    /// <summary>Starts (or, when the caller already has a session cookie, overwrites) a session for these claims.</summary>
    public async Task StartAsync(HttpContext http, string claimsJson)
    {
        var sessionId = ReadSessionId(http) ?? Base64Url.EncodeToString(RandomNumberGenerator.GetBytes(24));
        await store.CreateAsync(sessionId, claimsJson, Settings.Ttl, http.RequestAborted);
        var value = Uri.EscapeDataString("s:" + sessionId + "." + Sign(sessionId));
        var expires = (time.GetUtcNow() + Settings.Ttl).ToString("R");
        http.Response.Headers.Append("Set-Cookie", $"{Settings.CookieName}={value}; Path=/; Expires={expires}; HttpOnly{SecureAttributes}");
    }

    /// <summary>Ends the caller's session and clears the cookie. Returns false when there was no valid session.</summary>
    public async Task<bool> EndAsync(HttpContext http)
    {
        var sessionId = ReadSessionId(http);
        if (sessionId is null)
        {
            return false;
        }

        await store.DeleteAsync(sessionId, http.RequestAborted);
        http.Response.Headers.Append("Set-Cookie", $"{Settings.CookieName}=; Path=/; Expires=Thu, 01 Jan 1970 00:00:00 GMT{SecureAttributes}");
        return true;
    }

    private string SecureAttributes => Secure ? "; Secure; SameSite=Lax" : "";

    private string? ReadSessionId(HttpContext http)
    {
        if (!http.Request.Cookies.TryGetValue(Settings.CookieName, out var raw) || !raw.StartsWith("s:", StringComparison.Ordinal))
        {
            return null;
        }

        var dot = raw.LastIndexOf('.');
        if (dot < 3)
        {
            return null;
        }

        var sessionId = raw[2..dot];
        var expected = Encoding.ASCII.GetBytes(Sign(sessionId));
        var actual = Encoding.ASCII.GetBytes(raw[(dot + 1)..]);
        return CryptographicOperations.FixedTimeEquals(expected, actual) ? sessionId : null;
    }

    // express-session signs with HMAC-SHA256 and base64 without padding.
    private string Sign(string sessionId) =>
        Convert.ToBase64String(HMACSHA256.HashData(key.CookieKey, Encoding.UTF8.GetBytes(sessionId))).TrimEnd('=');
}
