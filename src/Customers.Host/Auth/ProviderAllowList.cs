namespace Customers.Host.Auth;

/// <summary>
/// Which auth providers each actor type may use (Medusa's <c>authMethodsPerActor</c>). Safe by default, stricter than
/// Medusa: <c>customer</c> may use every installed provider and <c>user</c> (admins) e-mail and password only, unless
/// configured; each configured actor type replaces only its own entry; any other actor type gets <c>emailpass</c> only.
/// </summary>
internal sealed class ProviderAllowList(IConfiguration configuration)
{
    public const string Section = "Customers:Auth:MethodsPerActor";

    private static readonly string[] EmailPassOnly = [EmailPasswordFlow.Provider];

    /// <summary>Per actor type; null means every installed provider.</summary>
    private readonly Dictionary<string, string[]?> _methods = Load(configuration);

    public bool Allows(string actorType, string provider) =>
        (_methods.TryGetValue(actorType, out var allowed) ? allowed : EmailPassOnly) is not { } list
        || list.Contains(provider, StringComparer.Ordinal);

    public static string NotAllowedMessage(string actorType, string provider) =>
        $"The actor type {actorType} is not allowed to use the auth provider {provider}";

    private static Dictionary<string, string[]?> Load(IConfiguration configuration)
    {
        var methods = new Dictionary<string, string[]?>(StringComparer.Ordinal)
        {
            ["customer"] = null,
            ["user"] = EmailPassOnly,
        };
        foreach (var child in configuration.GetSection(Section).GetChildren())
        {
            methods[child.Key] = child.Get<string[]>() ?? [];
        }

        return methods;
    }
}
