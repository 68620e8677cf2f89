using Customers.Host.Cli;
using Customers.Host.Hosting;

return CommandLine.Parse(args) switch
{
    Invocation.Serve serve => await Server.RunAsync(serve.Args),
    Invocation.Migrate migrate => await Commands.MigrateAsync(migrate),
    Invocation.CreateUser user => await Commands.CreateUserAsync(user),
    Invocation.CreateApiKey key => await Commands.CreateApiKeyAsync(key),
    Invocation.Seed seed => await Commands.SeedAsync(seed),
    Invocation.ImportMedusa import => await Commands.ImportMedusaAsync(import),
    Invocation.Help => PrintUsage(Console.Out, 0),
    Invocation.Invalid invalid => PrintUsage(Console.Error, 2, invalid.Error),
    _ => 2,
};

static int PrintUsage(TextWriter writer, int exitCode, string? error = null)
{
    if (error is not null)
    {
        writer.WriteLine(error);
        writer.WriteLine();
    }

    writer.WriteLine(CommandLine.Usage);
    return exitCode;
}

/// <summary>The entry point type, visible to <c>WebApplicationFactory&lt;Program&gt;</c> in tests.</summary>
public partial class Program;
