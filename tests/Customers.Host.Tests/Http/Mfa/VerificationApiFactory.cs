using Xunit;

namespace Customers.Host.Tests.Http.Mfa;

/// <summary>
/// A host that requires customers who sign in with e-mail and password to verify their address, and that disables
/// second factors only with a code (the <c>challenge</c> policy).
/// </summary>
public sealed class VerificationApiFactory : CustomersApiFactory
{
    public static readonly TimeSpan CodeTtl = TimeSpan.FromSeconds(600);

    protected override string DatabasePrefix => "http_verification";

    protected override IEnumerable<KeyValuePair<string, string>> OverrideSettings() =>
    [
        new("Customers:Verification:Required:customer:0", "emailpass"),
        new("Customers:Verification:CodeTtl", "00:10:00"),
        new("Customers:Mfa:DisablePolicy", "Challenge"),
    ];
}

[CollectionDefinition(Name)]
public sealed class VerificationCollection : ICollectionFixture<VerificationApiFactory>
{
    public const string Name = "Verification API";
}
