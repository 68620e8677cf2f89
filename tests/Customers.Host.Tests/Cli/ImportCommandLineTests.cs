using Customers.Host.Cli;
using Xunit;

namespace Customers.Host.Tests.Cli;

public sealed class ImportCommandLineTests
{
    [Fact]
    public void Import_medusa_takes_its_source_flags_and_keeps_configuration()
    {
        var import = Assert.IsType<Invocation.ImportMedusa>(CommandLine.Parse(
            ["import", "medusa", "--from", "Host=db;Database=medusa", "--events", "--batch-size=500", "--ConnectionStrings:Customers", "x"]));
        Assert.Equal(("Host=db;Database=medusa", true, 500), (import.From, import.EmitEvents, import.BatchSize));
        Assert.Equal(["--ConnectionStrings:Customers", "x"], import.ConfigurationArgs);
    }

    [Fact]
    public void Import_medusa_defaults_to_no_events_and_batches_of_2000()
    {
        var import = Assert.IsType<Invocation.ImportMedusa>(CommandLine.Parse(["import", "medusa", "--from=Host=db"]));
        Assert.Equal(("Host=db", false, 2000), (import.From, import.EmitEvents, import.BatchSize));
    }

    [Theory]
    [InlineData("import medusa")]
    [InlineData("import medusa --from")]
    [InlineData("import medusa --from Host=db --batch-size 0")]
    [InlineData("import medusa --from Host=db --batch-size lots")]
    [InlineData("import shopify --from Host=db")]
    public void Import_without_a_source_or_with_a_bad_batch_size_is_refused(string line)
    {
        Assert.IsType<Invocation.Invalid>(CommandLine.Parse(line.Split(' ')));
    }

    [Fact]
    public void Help_mentions_import_medusa()
    {
        Assert.Contains("import medusa --from", CommandLine.Usage);
    }
}
