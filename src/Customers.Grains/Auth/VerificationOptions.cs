using System.ComponentModel.DataAnnotations;

namespace Customers.Grains.Auth;

/// <summary>E-mail verification. Off unless <see cref="Required"/> names (actor type, provider) pairs.</summary>
public sealed class VerificationOptions
{
    public const string Section = "Customers:Verification";

    /// <summary>
    /// Actor type → the providers whose identities must verify their e-mail before a login of that actor type answers a
    /// token with the actor, e.g. <c>Customers__Verification__Required__customer__0=emailpass</c>.
    /// </summary>
    public Dictionary<string, List<string>> Required { get; set; } = new(StringComparer.Ordinal);

    /// <summary>How long a code works, counted from its request.</summary>
    [Range(typeof(TimeSpan), "00:00:01", "7.00:00:00")]
    public TimeSpan CodeTtl { get; set; } = TimeSpan.FromMinutes(15);

    /// <summary>Least time between two codes for one address; a request sooner answers 429.</summary>
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00")]
    public TimeSpan ResendInterval { get; set; } = TimeSpan.FromSeconds(60);

    public bool IsRequired(string actorType, string provider) =>
        Required.TryGetValue(actorType, out var providers) && providers.Contains(provider, StringComparer.Ordinal);
}
