using Customers.Host.Cli;
using Xunit;

namespace Customers.Host.Tests.Cli;

public sealed class SeedCommandLineTests
{
    [Fact]
    public void Seed_takes_its_counts_and_run_and_keeps_configuration()
    {
        var seed = Assert.IsType<Invocation.Seed>(CommandLine.Parse(
            ["seed", "--customers", "1000000", "--addresses-per-customer=2", "--groups", "0", "--run", "r1", "--urls", "x"]));
        Assert.Equal((1_000_000, 2, 0, "r1"), (seed.Customers, seed.AddressesPerCustomer, seed.Groups, seed.Run));
        Assert.Equal(["--urls", "x"], seed.ConfigurationArgs);
    }

    [Fact]
    public void Seed_defaults_to_one_address_and_ten_groups()
    {
        var seed = Assert.IsType<Invocation.Seed>(CommandLine.Parse(["seed", "--customers", "5"]));
        Assert.Equal((5, 1, 10, (string?)null), (seed.Customers, seed.AddressesPerCustomer, seed.Groups, seed.Run));
    }

    [Theory]
    [InlineData("seed")]
    [InlineData("seed --customers 0")]
    [InlineData("seed --customers many")]
    [InlineData("seed --customers 5 --groups -1")]
    [InlineData("seed --customers 5 --addresses-per-customer x")]
    public void Seed_without_a_valid_count_is_refused(string line)
    {
        Assert.IsType<Invocation.Invalid>(CommandLine.Parse(line.Split(' ')));
    }

    [Theory]
    [InlineData("bad name!")]
    [InlineData("")]
    [InlineData("café")]
    public void Seed_with_a_bad_run_name_is_refused_with_the_rule(string run)
    {
        var invalid = Assert.IsType<Invocation.Invalid>(CommandLine.Parse(["seed", "--customers", "5", "--run", run]));
        Assert.Equal("seed --run: The run name may hold only letters, digits, '-' and '_'.", invalid.Error);
    }

    [Fact]
    public void Help_mentions_seed()
    {
        Assert.Contains("seed --customers N", CommandLine.Usage);
    }
}
