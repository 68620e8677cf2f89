namespace Customers.Host.Auth;

/// <summary>Session tokens (HS256 JWTs, Medusa-compatible).</summary>
public sealed class JwtOptions
{
    public const string Section = "Customers:Jwt";

    /// <summary>HMAC secret, at least 32 bytes. Required outside Development unless the embedded database is used,
    /// where one is generated and kept beside the data.</summary>
    public string? Secret { get; set; }

    public TimeSpan ExpiresIn { get; set; } = TimeSpan.FromDays(1);

    /// <summary>Checked and issued when set.</summary>
    public string? Issuer { get; set; }

    /// <summary>Checked and issued when set.</summary>
    public string? Audience { get; set; }

    /// <summary>Clock skew allowed when checking <c>exp</c>; at most 30 s by policy.</summary>
    public TimeSpan ClockSkew { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often each silo pulls token revocations from the database (logout takes effect within this).</summary>
    public TimeSpan RevocationPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Validated bearer tokens remembered per generation (two generations; about 0.3 KiB each): at least the
    /// number of customers active within a few minutes, or a storefront's working set pays a full validation per
    /// request. 0 turns the cache off.</summary>
    [System.ComponentModel.DataAnnotations.Range(0, 10_000_000)]
    public int ValidatedTokenCacheSize { get; set; } = 100_000;
}
