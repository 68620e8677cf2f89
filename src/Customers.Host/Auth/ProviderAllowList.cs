namespace Customers.Host.Auth;

/// <summary>
/// Which auth providers each actor type may use (Medusa's <c>authMethodsPerActor</c>). An actor type with no entry
/// may use every installed provider; the default restricts admins (<c>user</c>) to e-mail and password.
/// </summary>
internal sealed class ProviderAllowList(IConfiguration configuration)
{
    public const string Section = "Customers:Auth:MethodsPerActor";

    private readonly Dictionary<string, string[]> _methods = Load(configuration);

    public bool Allows(string actorType, string provider) =>
        !_methods.TryGetValue(actorType, out var allowed) || allowed.Contains(provider, StringComparer.Ordinal);

    public static string NotAllowedMessage(string actorType, string provider) =>
        $"The actor type {actorType} is not allowed to use the auth provider {provider}";

    private static Dictionary<string, string[]> Load(IConfiguration configuration)
    {
        var section = configuration.GetSection(Section);
        var methods = section.GetChildren().ToDictionary(
            child => child.Key,
            child => child.Get<string[]>() ?? [],
            StringComparer.Ordinal);
        if (!section.Exists())
        {
            methods["user"] = ["emailpass"];
        }

        return methods;
    }
}
