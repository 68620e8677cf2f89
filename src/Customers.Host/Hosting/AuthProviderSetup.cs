using Customers.Host.Auth;
using Customers.Host.Auth.Providers;
using Customers.Host.Stores;
using Microsoft.Extensions.Options;

namespace Customers.Host.Hosting;

/// <summary>
/// Installs the auth providers: one per <c>Customers:Auth:Providers:&lt;name&gt;</c> section (oidc, google, github),
/// then <c>emailpass</c>. A provider written in code is added with <see cref="AddAuthProvider{TProvider}"/>.
/// </summary>
internal static class AuthProviderSetup
{
    public static WebApplicationBuilder AddCustomersAuthProviders(this WebApplicationBuilder builder)
    {
        var services = builder.Services;
        var section = builder.Configuration.GetSection(OAuthProviderOptions.Section);
        var names = section.GetChildren().Select(child => child.Key).ToArray();

        services.AddSingleton<IValidateOptions<OAuthProviderOptions>>(new OAuthProviderOptionsValidator(names.ToHashSet(StringComparer.Ordinal)));
        foreach (var name in names)
        {
            services.AddOptions<OAuthProviderOptions>(name).Bind(section.GetSection(name)).ValidateOnStart();
            services.AddSingleton<IAuthProvider>(sp => CreateConfigured(name, sp));
        }

        services.AddSingleton<IAuthProvider, EmailPassProvider>();
        services.AddSingleton<AuthProviders>();
        services.AddSingleton<IValidateOptions<InstalledProviders>, InstalledProvidersValidator>();
        services.AddOptions<InstalledProviders>().ValidateOnStart();
        services.AddSingleton<OAuthStateStore>();
        services.AddSingleton<RedirectSignIn>();
        services.AddOptions<SignInLimitOptions>().BindConfiguration(SignInLimitOptions.Section).ValidateDataAnnotations().ValidateOnStart();
        services.AddHttpClient(OAuthHttp.ClientName)
            .ConfigureHttpClient((sp, client) =>
            {
                var limits = sp.GetRequiredService<IOptions<SignInLimitOptions>>().Value;
                client.Timeout = limits.ProviderTimeout;
                client.MaxResponseContentBufferSize = limits.MaxProviderResponseBytes;
            })
            .ConfigurePrimaryHttpMessageHandler(() => new SocketsHttpHandler { AllowAutoRedirect = false, UseCookies = false });
        return builder;
    }

    /// <summary>Adds a provider written in code (see <c>docs/auth-providers.md</c>); it is listed after the built-in ones.</summary>
    public static IServiceCollection AddAuthProvider<TProvider>(this IServiceCollection services)
        where TProvider : class, IAuthProvider =>
        services.AddSingleton<IAuthProvider, TProvider>();

    private static IAuthProvider CreateConfigured(string name, IServiceProvider services)
    {
        var options = services.GetRequiredService<IOptionsMonitor<OAuthProviderOptions>>().Get(name);
        var http = services.GetRequiredService<IHttpClientFactory>();
        return options.Type?.ToLowerInvariant() switch
        {
            OAuthProviderTypes.GitHub => new GitHubProvider(name, options, http, services.GetRequiredService<ILogger<GitHubProvider>>()),
            _ => new OidcProvider(name, options, http, services.GetRequiredService<ILogger<OidcProvider>>()),
        };
    }
}
