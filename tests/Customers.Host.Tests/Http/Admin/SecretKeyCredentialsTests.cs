using System.Text;
using Customers.Host.Auth;
using Xunit;

namespace Customers.Host.Tests.Http.Admin;

/// <summary>Reading a secret API key out of <c>Authorization</c> as Medusa does (docs/medusa-compatibility.md §2.15).</summary>
public sealed class SecretKeyCredentialsTests
{
    private const string Key = "sk_0123456789abcdef";

    [Theory]
    [InlineData("Basic sk_0123456789abcdef")]
    [InlineData("Basic sk_0123456789abcdef:")]
    [InlineData("basic sk_0123456789abcdef")]
    [InlineData("BASIC  sk_0123456789abcdef ")]
    public void Raw_keys_are_read(string header) => Assert.Equal(Key, SecretKeyCredentials.FromAuthorization(header));

    [Theory]
    [InlineData("sk_0123456789abcdef:")]
    [InlineData("sk_0123456789abcdef")]
    public void Base64_keys_are_read(string credentials) =>
        Assert.Equal(Key, SecretKeyCredentials.FromAuthorization("Basic " + Convert.ToBase64String(Encoding.UTF8.GetBytes(credentials))));

    [Theory]
    [InlineData(null)]
    [InlineData("")]
    [InlineData("Basic")]
    [InlineData("Basic ")]
    [InlineData("Bearer sk_0123456789abcdef")]
    [InlineData("Basic pk_0123456789abcdef")]
    [InlineData("Basic !!!")]
    [InlineData("Basic dXNlcjpwYXNz")] // user:pass
    [InlineData("Basic //79")] // not UTF-8
    public void Anything_else_is_no_secret_key(string? header) => Assert.Null(SecretKeyCredentials.FromAuthorization(header));

    [Theory]
    [InlineData("Bearer sk_abc", true)]
    [InlineData("bearer sk_abc", true)]
    [InlineData("Bearer eyJhbGciOi", false)]
    [InlineData("Basic sk_abc", false)]
    [InlineData(null, false)]
    public void Secret_keys_sent_as_bearer_tokens_are_recognised(string? header, bool expected) =>
        Assert.Equal(expected, SecretKeyCredentials.IsSentAsBearer(header));
}
