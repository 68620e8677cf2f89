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
        foreach (var provider in _all)
        {
            if (!_byId.TryAdd(provider.Id, provider))
            {
                throw new InvalidOperationException($"Two auth providers have the id '{provider.Id}'.");
            }

            if (provider.Flow == AuthProviderFlow.Redirect && provider.CallbackUrls.Count == 0)
            {
                throw new InvalidOperationException($"The redirect auth provider '{provider.Id}' has no callback URL.");
            }
        }
    }

    public IReadOnlyList<IAuthProvider> All => _all;

    public IAuthProvider? Find(string id) => _byId.GetValueOrDefault(id);
}
