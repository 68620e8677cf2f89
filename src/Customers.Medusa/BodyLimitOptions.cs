using System.ComponentModel.DataAnnotations;

namespace Customers.Medusa;

/// <summary>The largest request body read (<c>Customers:Http:MaxBodyBytes</c>); the server refuses larger ones too.</summary>
public sealed class BodyLimitOptions
{
    public const string Section = "Customers:Http";

    public const int DefaultMaxBodyBytes = 1024 * 1024;

    /// <summary>Bytes; 16 KiB (room for the largest metadata) to 16 MiB.</summary>
    [Range(16 * 1024, 16 * 1024 * 1024)]
    public int MaxBodyBytes { get; set; } = DefaultMaxBodyBytes;
}
