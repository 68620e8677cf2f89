using System.ComponentModel.DataAnnotations;

namespace Customers.Host.Database;

/// <summary>Where the data lives. The connection string is <c>ConnectionStrings:Customers</c>; without it the host
/// runs an embedded PostgreSQL from the installed binaries in <see cref="EmbeddedDataDirectory"/>.</summary>
public sealed class DatabaseOptions
{
    public const string Section = "Customers:Database";
    public const string ConnectionStringName = "Customers";

    [Required]
    public string EmbeddedDataDirectory { get; set; } = ".data/postgres";
}
