using Customers.Host.Cli;
using Xunit;

namespace Customers.Host.Tests.Cli;

public sealed class CommandLineTests
{
    [Fact]
    public void No_arguments_serve_the_api()
    {
        Assert.IsType<Invocation.Serve>(CommandLine.Parse([]));
    }

    [Fact]
    public void Configuration_arguments_alone_serve_the_api_with_them()
    {
        var serve = Assert.IsType<Invocation.Serve>(CommandLine.Parse(["--urls", "http://127.0.0.1:9001"]));
        Assert.Equal(["--urls", "http://127.0.0.1:9001"], serve.ConfigurationArgs);
    }

    [Theory]
    [InlineData("--help")]
    [InlineData("-h")]
    [InlineData("help")]
    public void Help_is_recognised(string argument)
    {
        Assert.IsType<Invocation.Help>(CommandLine.Parse([argument]));
    }

    [Fact]
    public void User_create_takes_email_and_password_and_keeps_configuration()
    {
        var user = Assert.IsType<Invocation.CreateUser>(CommandLine.Parse(
            ["user", "create", "--email", "a@b.co", "--password=pw with space", "--Customers:Cluster:SiloPort", "1"]));
        Assert.Equal("a@b.co", user.Email);
        Assert.Equal("pw with space", user.Password);
        Assert.Equal(["--Customers:Cluster:SiloPort", "1"], user.ConfigurationArgs);
    }

    [Fact]
    public void User_create_without_password_is_an_error()
    {
        var invalid = Assert.IsType<Invocation.Invalid>(CommandLine.Parse(["user", "create", "--email", "a@b.co"]));
        Assert.Contains("--password", invalid.Error);
    }

    [Theory]
    [InlineData("publishable")]
    [InlineData("secret")]
    public void Api_key_create_takes_a_type_and_title(string type)
    {
        var key = Assert.IsType<Invocation.CreateApiKey>(CommandLine.Parse(["api-key", "create", "--type", type, "--title", "Web"]));
        Assert.Equal(type, key.Type);
        Assert.Equal("Web", key.Title);
    }

    [Fact]
    public void Api_key_create_refuses_an_unknown_type()
    {
        Assert.IsType<Invocation.Invalid>(CommandLine.Parse(["api-key", "create", "--type", "admin", "--title", "x"]));
    }

    [Fact]
    public void Unknown_commands_are_errors_naming_the_command()
    {
        var invalid = Assert.IsType<Invocation.Invalid>(CommandLine.Parse(["frobnicate", "--x", "1"]));
        Assert.Contains("frobnicate", invalid.Error);
    }
}
