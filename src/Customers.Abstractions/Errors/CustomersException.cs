namespace Customers.Abstractions.Errors;

/// <summary>
/// The one error type grains throw across the cluster boundary. It is serializable by Orleans, so a caller on another
/// silo sees the same kind and message (raw database exceptions would arrive as codec errors).
/// </summary>
[GenerateSerializer]
[Alias("customers.error")]
public sealed class CustomersException : Exception
{
    /// <summary>Creates an error of the given kind with a client-facing message.</summary>
    public CustomersException(ErrorKind kind, string message, TimeSpan? retryAfter = null)
        : base(message)
    {
        Kind = kind;
        RetryAfter = retryAfter;
    }

    /// <summary>What went wrong.</summary>
    [Id(0)]
    public ErrorKind Kind { get; init; }

    /// <summary>For <see cref="ErrorKind.TooManyAttempts"/> and a locked account's refusal: how long the caller should wait.</summary>
    [Id(1)]
    public TimeSpan? RetryAfter { get; init; }

    /// <summary>Shorthand for a not-found error.</summary>
    public static CustomersException NotFound(string message) => new(ErrorKind.NotFound, message);

    /// <summary>Shorthand for an invalid-data error.</summary>
    public static CustomersException InvalidData(string message) => new(ErrorKind.InvalidData, message);

    /// <summary>Shorthand for an unauthorized error.</summary>
    public static CustomersException Unauthorized(string message) => new(ErrorKind.Unauthorized, message);
}
