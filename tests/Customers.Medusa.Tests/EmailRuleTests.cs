using Xunit;

namespace Customers.Medusa.Tests;

/// <summary>The one e-mail rule of every route (docs/security.md): length, local part, no control characters or
/// whitespace. It says nothing about the format: register accepts any other text, as Medusa does.</summary>
public sealed class EmailRuleTests
{
    [Theory]
    [InlineData("ada@example.com")]
    [InlineData("not-an-email")]
    [InlineData("ünïcode@例え.jp")]
    [InlineData("a@b@c")]
    public void Text_within_the_rule_passes(string email) => Assert.Null(EmailAddress.BreaksRule(email, "email"));

    [Theory]
    [InlineData("ada @example.com", "whitespace")]
    [InlineData(" ada@example.com", "whitespace")]
    [InlineData("ada@example.com\n", "whitespace")]
    [InlineData("ada\u0000@example.com", "control")]
    [InlineData("ada\u007f@example.com", "control")]
    [InlineData("ada\u00a0@example.com", "whitespace")]
    [InlineData("ada\u2028@example.com", "whitespace")]
    public void Control_characters_and_whitespace_break_it(string email, string word) =>
        Assert.Contains(word, EmailAddress.BreaksRule(email, "email"), StringComparison.Ordinal);

    [Fact]
    public void Lengths_are_counted_on_the_whole_text_and_before_the_last_at()
    {
        Assert.Equal("Field 'email' must be at most 254 characters", EmailAddress.BreaksRule(new string('a', 60) + "@" + new string('b', 194), "email"));
        Assert.Null(EmailAddress.BreaksRule(new string('a', 60) + "@" + new string('b', 193), "email"));
        Assert.Equal(
            "Field 'identifier' must have at most 64 characters before the '@'",
            EmailAddress.BreaksRule(new string('a', 65) + "@x.io", "identifier"));
        Assert.NotNull(EmailAddress.BreaksRule(new string('a', 65), "email")); // no '@': all of it is the local part
    }
}
