using Customers.Abstractions.Errors;

namespace Customers.Host.Auth.Providers;

/// <summary>Medusa's refusals for what a provider does not do (docs/medusa-compatibility.md §3.5, §3.6, §3.13), worded
/// as Medusa words them.</summary>
public static class AuthProviderErrors
{
    /// <summary>401 <c>&lt;Name&gt; does not support registration. Use method `authenticate` instead.</c></summary>
    /// <param name="name">The provider's name as Medusa capitalizes it: <c>Google</c>, <c>Github</c>.</param>
    public static CustomersException RegistrationNotSupported(string name) =>
        CustomersException.Unauthorized($"{name} does not support registration. Use method `authenticate` instead.");

    /// <summary>401 <c>Callback authentication not implemented for provider &lt;id&gt;</c>.</summary>
    public static CustomersException CallbackNotSupported(string providerId) =>
        CustomersException.Unauthorized($"Callback authentication not implemented for provider {providerId}");

    /// <summary>401 <c>Authentication failed</c>: the identity provider's answer lacked what the flow needs.</summary>
    public static CustomersException AuthenticationFailed() => CustomersException.Unauthorized("Authentication failed");

    /// <summary>401 <c>Could not exchange token, &lt;status&gt;, &lt;reason&gt;</c>: the token endpoint refused.</summary>
    public static CustomersException CodeExchangeRefused(int status, string? reason) =>
        CustomersException.Unauthorized($"Could not exchange token, {status}, {reason}");

    /// <summary>401 <c>fetch failed</c>: the identity provider could not be reached (Medusa shows fetch's text).</summary>
    public static CustomersException Unreachable() => CustomersException.Unauthorized("fetch failed");
}
