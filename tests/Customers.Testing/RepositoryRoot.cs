namespace Customers.Testing;

/// <summary>The checkout the tests run from: the directory above the test assembly that holds Customers.sln.</summary>
public static class RepositoryRoot
{
    public static string Path { get; } = Find();

    private static string Find()
    {
        var start = System.IO.Path.GetDirectoryName(typeof(RepositoryRoot).Assembly.Location)!;
        for (var directory = new DirectoryInfo(start); directory is not null; directory = directory.Parent)
        {
            if (File.Exists(System.IO.Path.Combine(directory.FullName, "Customers.sln")))
            {
                return directory.FullName;
            }
        }

        throw new InvalidOperationException($"No Customers.sln above {start}.");
    }
}
