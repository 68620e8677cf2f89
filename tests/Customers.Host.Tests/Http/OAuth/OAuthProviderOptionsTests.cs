using Customers.Host.Auth.Providers;
using Xunit;

namespace Customers.Host.Tests.Http.OAuth;

/// <summary>Provider configuration is checked at startup, each failure naming its key and none showing the secret.</summary>
public sealed class OAuthProviderOptionsTests
{
    private static readonly OAuthProviderOptionsValidator Validator = new(new HashSet<string> { "google", "corp", "github", "emailpass", "Bad Name" });

    [Fact]
    public void A_complete_provider_passes()
    {
        var result = Validator.Validate("corp", new OAuthProviderOptions
        {
            Type = "oidc",
            Issuer = "https://id.example.com/realms/shop",
            ClientId = "shop",
            CallbackUrls = ["https://shop.example/auth/corp/callback"],
        });

        Assert.True(result.Succeeded, result.FailureMessage);
    }

    [Fact]
    public void Missing_settings_are_named_by_their_keys_and_the_secret_is_never_shown()
    {
        var options = new OAuthProviderOptions
        {
            Type = "github",
            ClientSecret = "do-not-print-me",
            CallbackUrls = ["/relative", "https://shop.example/cb#fragment"],
            TokenEndpoint = "http://github.internal.example/login/oauth/access_token",
        };

        var result = Validator.Validate("github", options);

        Assert.True(result.Failed);
        Assert.Contains("Customers:Auth:Providers:github:ClientId is required.", result.Failures!);
        Assert.Contains("Customers:Auth:Providers:github:CallbackUrls:0 must be an absolute http(s) URL without a fragment.", result.Failures!);
        Assert.Contains("Customers:Auth:Providers:github:CallbackUrls:1 must be an absolute http(s) URL without a fragment.", result.Failures!);
        Assert.Contains("Customers:Auth:Providers:github:TokenEndpoint must be an absolute https URL (http only on loopback).", result.Failures!);
        Assert.DoesNotContain("do-not-print-me", result.FailureMessage, StringComparison.Ordinal);
        Assert.DoesNotContain("do-not-print-me", options.ToString(), StringComparison.Ordinal);
    }

    [Theory]
    [InlineData("google", null, "Customers:Auth:Providers:google:Type must be oidc, google or github.")]
    [InlineData("corp", "oidc", "Customers:Auth:Providers:corp:Issuer is required.")]
    [InlineData("google", "google", "Customers:Auth:Providers:google:ClientSecret is required.")]
    [InlineData("emailpass", "oidc", "Customers:Auth:Providers:emailpass: the provider name must be lowercase letters, digits, '-' or '_', and not 'emailpass' or 'providers'.")]
    [InlineData("Bad Name", "oidc", "Customers:Auth:Providers:Bad Name: the provider name must be lowercase letters, digits, '-' or '_', and not 'emailpass' or 'providers'.")]
    public void Each_rule_has_its_message(string name, string? type, string message)
    {
        var result = Validator.Validate(name, new OAuthProviderOptions
        {
            Type = type,
            ClientId = "id",
            CallbackUrls = ["https://shop.example/cb"],
        });

        Assert.Contains(message, result.Failures!);
    }

    [Theory]
    [InlineData("http://127.0.0.1:8080/realms/x", true)]
    [InlineData("http://localhost:8080/realms/x", true)]
    [InlineData("https://id.example.com", true)]
    [InlineData("http://id.example.com", false)]
    [InlineData("ftp://id.example.com", false)]
    public void Identity_provider_addresses_must_be_https_except_on_loopback(string address, bool acceptable)
    {
        Assert.Equal(acceptable, OAuthProviderOptionsValidator.IsAcceptableEndpoint(new Uri(address)));
    }
}
