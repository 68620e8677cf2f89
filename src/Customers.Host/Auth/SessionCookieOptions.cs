namespace Customers.Host.Auth;

/// <summary>Cookie sessions made by <c>POST /auth/session</c>.</summary>
public sealed class SessionCookieOptions
{
    public const string Section = "Customers:Session";

    public string CookieName { get; set; } = "connect.sid";

    public TimeSpan Ttl { get; set; } = TimeSpan.FromHours(10);

    /// <summary>Adds <c>Secure; SameSite=Lax</c>; on by default outside Development.</summary>
    public bool? SecureCookie { get; set; }
}
