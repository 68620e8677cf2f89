using System.ComponentModel.DataAnnotations;

namespace Customers.Host.Auth.Providers;

/// <summary>Limits of redirect (OAuth / OpenID Connect) sign-ins, the same for every provider.</summary>
public sealed class SignInLimitOptions
{
    public const string Section = "Customers:Auth:OAuth";

    /// <summary>How long a sign-in's <c>state</c> may be completed (security baseline: 10 minutes).</summary>
    [Range(typeof(TimeSpan), "00:01:00", "01:00:00")]
    public TimeSpan StateLifetime { get; set; } = TimeSpan.FromMinutes(10);

    /// <summary>How long one call to an identity provider may take (code exchange, user info, JWKS).</summary>
    [Range(typeof(TimeSpan), "00:00:01", "00:01:00")]
    public TimeSpan ProviderTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>The largest answer read from an identity provider, enforced while reading.</summary>
    [Range(4 * 1024, 4 * 1024 * 1024)]
    public int MaxProviderResponseBytes { get; set; } = 256 * 1024;
}
