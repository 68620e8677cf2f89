using Microsoft.Extensions.Options;

namespace Customers.Host.Auth.Providers;

/// <summary>
/// The installed auth providers, by id, in registration order: the configured ones (by name), <c>emailpass</c>,
/// then any registered in code. <c>GET /auth/{actor}/providers</c> lists them in this order.
/// </summary>
internal sealed class AuthProviders
{
    private readonly IAuthProvider[] _all;
    private readonly Dictionary<string, IAuthProvider> _byId = new(StringComparer.Ordinal);

    public AuthProviders(IEnumerable<IAuthProvider> providers)
    {
        _all = providers.ToArray();
        if (Problem(_all) is { } problem)
        {
            throw new InvalidOperationException(problem);
        }

        foreach (var provider in _all)
        {
            _byId.Add(provider.Id, provider);
        }
    }

    /// <summary>What makes this set of providers unusable (a duplicate id, a redirect provider without callback URL),
    /// or null. Checked at start-up by <see cref="InstalledProvidersValidator"/>.</summary>
    public static string? Problem(IReadOnlyList<IAuthProvider> providers)
    {
        var ids = new HashSet<string>(StringComparer.Ordinal);
        foreach (var provider in providers)
        {
            if (!ids.Add(provider.Id))
            {
                return $"Two auth providers have the id '{provider.Id}'.";
            }

            if (provider.Flow == AuthProviderFlow.Redirect && provider.CallbackUrls.Count == 0)
            {
                return $"The redirect auth provider '{provider.Id}' has no callback URL.";
            }
        }

        return null;
    }

    public IReadOnlyList<IAuthProvider> All => _all;

    public IAuthProvider? Find(string id) => _byId.GetValueOrDefault(id);
}

/// <summary>The set of installed providers as an options type, so that <c>ValidateOnStart</c> checks it before the host
/// serves anything (docs/auth-providers.md: duplicate ids stop start-up).</summary>
internal sealed class InstalledProviders;

internal sealed class InstalledProvidersValidator(IEnumerable<IAuthProvider> providers) : IValidateOptions<InstalledProviders>
{
    public ValidateOptionsResult Validate(string? name, InstalledProviders options) =>
        AuthProviders.Problem(providers.ToArray()) is { } problem ? ValidateOptionsResult.Fail(problem) : ValidateOptionsResult.Success;
}
