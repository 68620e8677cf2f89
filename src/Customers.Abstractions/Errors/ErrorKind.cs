namespace Customers.Abstractions.Errors;

/// <summary>What went wrong, independent of transport. The HTTP host maps each kind to Medusa's error table.</summary>
public enum ErrorKind
{
    /// <summary>The request is malformed or breaks a business rule (Medusa <c>invalid_data</c>, 400).</summary>
    InvalidData = 0,

    /// <summary>The operation is not allowed (Medusa <c>not_allowed</c>, 400).</summary>
    NotAllowed = 1,

    /// <summary>Credentials are missing or wrong (Medusa <c>unauthorized</c>, 401).</summary>
    Unauthorized = 2,

    /// <summary>The entity does not exist (Medusa <c>not_found</c>, 404).</summary>
    NotFound = 3,

    /// <summary>A unique constraint was violated (Medusa maps it to 400 <c>invalid_data</c> "... already exists.").</summary>
    UniqueViolation = 4,

    /// <summary>A concurrent write won; the caller may retry (Medusa <c>conflict</c>, 409).</summary>
    Conflict = 5,

    /// <summary>Storage is unreachable or failed; the write did not happen (503).</summary>
    StorageUnavailable = 6,

    /// <summary>Too many attempts; retry after <see cref="CustomersException.RetryAfter"/> (429).</summary>
    TooManyAttempts = 7,
}
