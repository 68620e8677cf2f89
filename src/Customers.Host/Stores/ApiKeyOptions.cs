using System.ComponentModel.DataAnnotations;

namespace Customers.Host.Stores;

/// <summary>API key checks (<c>Customers:ApiKeys</c>).</summary>
public sealed class ApiKeyOptions
{
    public const string Section = "Customers:ApiKeys";

    /// <summary>How long a silo trusts a key's answer: a key revoked on another silo works at most this long more.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "00:01:00")]
    public TimeSpan CacheLifetime { get; set; } = TimeSpan.FromSeconds(5);
}
