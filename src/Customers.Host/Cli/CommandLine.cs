using Customers.Host.Database;

namespace Customers.Host.Cli;

/// <summary>What the executable was asked to do. Everything after the command words is configuration
/// (<c>--urls</c>, <c>--Customers:Cluster:SiloPort=…</c>), the same for every command.</summary>
internal abstract record Invocation(string[] ConfigurationArgs)
{
    public sealed record Serve(string[] Args) : Invocation(Args);
    public sealed record Help(string[] Args) : Invocation(Args);
    public sealed record Migrate(string[] Args) : Invocation(Args);
    public sealed record CreateUser(string Email, string Password, string[] Args) : Invocation(Args);
    public sealed record CreateApiKey(string Type, string Title, string[] Args) : Invocation(Args);
    public sealed record Seed(int Customers, int AddressesPerCustomer, int Groups, string? Run, string[] Args) : Invocation(Args);
    public sealed record ImportMedusa(string From, bool EmitEvents, int BatchSize, string[] Args) : Invocation(Args);
    public sealed record Invalid(string Error) : Invocation([]);
}

internal static class CommandLine
{
    public const string Usage = """
        Customers: a Medusa-compatible customer service on an Orleans cluster over PostgreSQL.

        Usage:
          Customers.Host [options]                                   serve the API (default http://127.0.0.1:9000)
          Customers.Host migrate [options]                           apply database migrations and exit
          Customers.Host user create --email E --password P [options]
                                                                     create an admin user (emailpass login)
          Customers.Host api-key create --type publishable|secret --title T [options]
                                                                     create an API key; its token is the last line
          Customers.Host seed --customers N [--addresses-per-customer 1] [--groups 10] [--run NAME] [options]
                                                                     bulk-load N synthetic customers (e-mails
                                                                     seed-NAME-i@example.com; a run name loads once)
          Customers.Host import medusa --from "Host=…;Database=medusa;…" [--events] [--batch-size 2000] [options]
                                                                     copy a Medusa 2.x store's customers, addresses,
                                                                     groups and logins (ids and passwords kept); reads
                                                                     one snapshot, never writes there; run it again to
                                                                     resume (docs/migrating-from-medusa.md)
          Customers.Host --help                                      show this help

        Options are configuration keys, e.g. --urls http://127.0.0.1:9001
          --ConnectionStrings:Customers "Host=…;Database=…"   use this database (else an embedded PostgreSQL
                                                               in ./.data/postgres is started)
          --Customers:Cluster:SiloPort 11112 --Customers:Cluster:GatewayPort 30001
        Environment variables work too (ConnectionStrings__Customers, Customers__Jwt__Secret, …); see README.md.
        """;

    public static Invocation Parse(string[] args)
    {
        if (args.Length == 0 || args[0].StartsWith('-') && !IsHelp(args[0]))
        {
            return new Invocation.Serve(args);
        }

        if (IsHelp(args[0]))
        {
            return new Invocation.Help([]);
        }

        return args switch
        {
            ["migrate", .. var rest] => new Invocation.Migrate(rest),
            ["user", "create", .. var rest] => ParseCreateUser(rest),
            ["api-key", "create", .. var rest] => ParseCreateApiKey(rest),
            ["seed", .. var rest] => ParseSeed(rest),
            ["import", "medusa", .. var rest] => ParseImportMedusa(rest),
            _ => new Invocation.Invalid($"Unknown command '{string.Join(' ', args.TakeWhile(a => !a.StartsWith('-')))}'. Run with --help."),
        };
    }

    private static bool IsHelp(string arg) => arg is "--help" or "-h" or "help";

    private static Invocation ParseCreateUser(string[] args)
    {
        var (values, rest) = TakeOptions(args, "--email", "--password");
        return values.TryGetValue("--email", out var email) && values.TryGetValue("--password", out var password)
            ? new Invocation.CreateUser(email, password, rest)
            : new Invocation.Invalid("user create needs --email and --password.");
    }

    private static Invocation ParseCreateApiKey(string[] args)
    {
        var (values, rest) = TakeOptions(args, "--type", "--title");
        if (!values.TryGetValue("--type", out var type) || type is not ("publishable" or "secret"))
        {
            return new Invocation.Invalid("api-key create needs --type publishable or --type secret.");
        }

        return values.TryGetValue("--title", out var title) && title.Length > 0
            ? new Invocation.CreateApiKey(type, title, rest)
            : new Invocation.Invalid("api-key create needs --title.");
    }

    private static Invocation ParseSeed(string[] args)
    {
        var (values, rest) = TakeOptions(args, "--customers", "--addresses-per-customer", "--groups", "--run");
        if (!values.TryGetValue("--customers", out var customersText) || !int.TryParse(customersText, out var customers) || customers <= 0)
        {
            return new Invocation.Invalid("seed needs --customers N (a positive number).");
        }

        var addresses = 1;
        if (values.TryGetValue("--addresses-per-customer", out var addressesText) && (!int.TryParse(addressesText, out addresses) || addresses < 0))
        {
            return new Invocation.Invalid("seed --addresses-per-customer must be 0 or more.");
        }

        var groups = 10;
        if (values.TryGetValue("--groups", out var groupsText) && (!int.TryParse(groupsText, out groups) || groups < 0))
        {
            return new Invocation.Invalid("seed --groups must be 0 or more.");
        }

        var run = values.GetValueOrDefault("--run");
        if (run is not null && !CustomerSeeder.IsValidRunName(run))
        {
            return new Invocation.Invalid($"seed --run: {CustomerSeeder.RunNameRule}");
        }

        return new Invocation.Seed(customers, addresses, groups, run, rest);
    }

    private static Invocation ParseImportMedusa(string[] args)
    {
        var (values, rest) = TakeOptions(args, "--from", "--batch-size");
        if (!values.TryGetValue("--from", out var from) || string.IsNullOrWhiteSpace(from))
        {
            return new Invocation.Invalid("import medusa needs --from \"<Npgsql connection string of the Medusa database>\".");
        }

        var batchSize = 2_000;
        if (values.TryGetValue("--batch-size", out var batchText) && (!int.TryParse(batchText, out batchSize) || batchSize is < 1 or > 50_000))
        {
            return new Invocation.Invalid("import medusa --batch-size must be between 1 and 50000.");
        }

        var events = rest.Contains("--events");
        return new Invocation.ImportMedusa(from, events, batchSize, rest.Where(a => a != "--events").ToArray());
    }

    /// <summary>Takes the named options (<c>--name value</c> or <c>--name=value</c>); the rest is configuration.</summary>
    private static (Dictionary<string, string> Values, string[] Remaining) TakeOptions(string[] args, params string[] names)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        var rest = new List<string>();
        for (var i = 0; i < args.Length; i++)
        {
            var name = names.FirstOrDefault(n => args[i] == n || args[i].StartsWith(n + "=", StringComparison.Ordinal));
            if (name is null)
            {
                rest.Add(args[i]);
            }
            else if (args[i].Length > name.Length)
            {
                values[name] = args[i][(name.Length + 1)..];
            }
            else if (i + 1 < args.Length)
            {
                values[name] = args[++i];
            }
        }

        return (values, rest.ToArray());
    }
}
