using System.Text.RegularExpressions;
using Customers.Testing;
using Xunit;

namespace Customers.Host.Tests.Architecture;

/// <summary>
/// The direction of dependencies that docs/architecture.md draws, checked on the source: the storage side and the
/// features under the HTTP layer never reach back into it, and the Medusa wire library stands alone.
/// </summary>
public sealed partial class LayeringTests
{
    private static readonly string Host = Path.Combine(RepositoryRoot.Path, "src", "Customers.Host");

    [Theory]
    [InlineData("ReadModel", "Http")]
    [InlineData("Stores", "Http")]
    [InlineData("Database", "Http")]
    [InlineData("Events", "Http")]
    [InlineData("Notifications", "Http")]
    [InlineData("Auth", "Http")]
    [InlineData("ReadModel", "Hosting")]
    [InlineData("Stores", "Hosting")]
    [InlineData("Database", "Hosting")]
    [InlineData("Auth", "Hosting")]
    [InlineData("Http", "Hosting")]
    [InlineData("ReadModel", "Stores")]
    [InlineData("Import", "Http")]
    [InlineData("Import", "Hosting")]
    [InlineData("Import", "Cli")]
    public void A_folder_does_not_use_a_layer_above_it(string folder, string above)
    {
        var offenders = SourceFiles(Path.Combine(Host, folder))
            .Where(file => Usings(file).Any(u => u == $"Customers.Host.{above}" || u.StartsWith($"Customers.Host.{above}.", StringComparison.Ordinal)))
            .Select(file => Path.GetRelativePath(RepositoryRoot.Path, file))
            .ToList();

        Assert.True(offenders.Count == 0, $"{folder} uses {above}: {string.Join(", ", offenders)}");
    }

    [Fact]
    public void The_Medusa_library_uses_nothing_else_of_the_solution()
    {
        var library = typeof(Customers.Medusa.MedusaError).Assembly;

        Assert.DoesNotContain(library.GetReferencedAssemblies(), name => name.Name!.StartsWith("Customers.", StringComparison.Ordinal));
        Assert.DoesNotContain(library.GetReferencedAssemblies(), name => name.Name!.StartsWith("Orleans", StringComparison.Ordinal));
        Assert.DoesNotContain(library.GetReferencedAssemblies(), name => name.Name!.StartsWith("Npgsql", StringComparison.Ordinal));
    }

    [Fact]
    public void The_checks_see_the_files_they_check()
    {
        // Guards the tests above against passing on an empty tree.
        Assert.Contains(Usings(Path.Combine(Host, "Http", "RouteMap.cs")), u => u == "Customers.Host.Http.Admin");
        Assert.True(SourceFiles(Path.Combine(Host, "ReadModel")).Count() > 5);
    }

    private static IEnumerable<string> SourceFiles(string directory) =>
        Directory.EnumerateFiles(directory, "*.cs", SearchOption.AllDirectories).Where(IsSource);

    private static bool IsSource(string file) =>
        !file.Contains($"{Path.DirectorySeparatorChar}bin{Path.DirectorySeparatorChar}", StringComparison.Ordinal)
        && !file.Contains($"{Path.DirectorySeparatorChar}obj{Path.DirectorySeparatorChar}", StringComparison.Ordinal);

    private static IEnumerable<string> Usings(string file) =>
        UsingDirective().Matches(File.ReadAllText(file)).Select(match => match.Groups["namespace"].Value);

    [GeneratedRegex(@"^using (?:static )?(?<namespace>[\w.]+);", RegexOptions.Multiline)]
    private static partial Regex UsingDirective();
}
