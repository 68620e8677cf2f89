using Customers.Abstractions.Errors;
using Customers.Medusa;
using Microsoft.AspNetCore.Diagnostics;
using Npgsql;

namespace Customers.Host.Http;

/// <summary>
/// Turns errors that escape a handler into Medusa error bodies: our own error kinds map through one table; cluster
/// unavailability is a retryable 503; anything else is logged and answered with Medusa's opaque 500.
/// </summary>
internal sealed partial class MedusaExceptionHandler(ILogger<MedusaExceptionHandler> logger) : IExceptionHandler
{
    public async ValueTask<bool> TryHandleAsync(HttpContext httpContext, Exception exception, CancellationToken cancellationToken)
    {
        var error = ToMedusaError(exception);
        if (error.Status >= 500)
        {
            LogUnhandled(logger, exception, httpContext.Request.Method, httpContext.Request.Path);
        }

        if (exception is CustomersException { RetryAfter: { } retryAfter })
        {
            RetryAfter.Set(httpContext.Response, retryAfter);
        }
        else if (error.Status == StatusCodes.Status503ServiceUnavailable)
        {
            httpContext.Response.Headers.RetryAfter = "1";
        }

        await error.ToResult().ExecuteAsync(httpContext);
        return true;
    }

    /// <summary>
    /// The first level of <paramref name="exception"/>'s inner chain that maps to a known answer: a grain whose
    /// activation could not read its state from an unreachable database surfaces as an <c>OrleansException</c> around
    /// the <see cref="NpgsqlException"/>, and is as retryable as the bare one.
    /// </summary>
    public static MedusaError ToMedusaError(Exception exception)
    {
        for (var current = exception; current is not null; current = current.InnerException)
        {
            if (ToKnownError(current) is { } known)
            {
                return known;
            }
        }

        return MedusaError.Unknown();
    }

    private static MedusaError? ToKnownError(Exception exception) => exception switch
    {
        CustomersException known => FromKind(known.Kind, known.Message),
        BadHttpRequestException { StatusCode: StatusCodes.Status413PayloadTooLarge } => MedusaError.PayloadTooLarge(),
        BadHttpRequestException bad => MedusaError.InvalidData(bad.Message),
        SiloUnavailableException or OrleansMessageRejectionException or TimeoutException =>
            MedusaError.Unavailable("The service is briefly unavailable. Please retry the request."),
        // A statement past its timeout (Customers:Database:StatementTimeouts), or no database: retryable, never a 500.
        PostgresException postgres when SqlStateOf(postgres) == PostgresErrorCodes.QueryCanceled =>
            MedusaError.Unavailable("The database took too long to answer. Please retry the request."),
        // The server shutting down, crashed or still starting (57P01-57P03), or the connection lost (class 08): the
        // request did not complete and a retry once PostgreSQL is back can succeed.
        PostgresException postgres when SqlStateOf(postgres) is { } state && (state.StartsWith("57P", StringComparison.Ordinal) || state.StartsWith("08", StringComparison.Ordinal)) =>
            MedusaError.Unavailable("The database is briefly unavailable. Please retry the request."),
        NpgsqlException { IsTransient: true } =>
            MedusaError.Unavailable("The database is briefly unavailable. Please retry the request."),
        _ => null,
    };

    /// <summary>
    /// The SQLSTATE of <paramref name="error"/>. One that crossed silos (a grain activation failed on another silo)
    /// arrives with only its message, which Npgsql starts with the SQLSTATE (<c>57P03: the database system is …</c>).
    /// </summary>
    internal static string? SqlStateOf(PostgresException error) =>
        error.SqlState ?? (error.Message is { Length: > 6 } message && message[5] == ':' ? message[..5] : null);

    /// <summary>The one table from our error kinds to Medusa's (docs/medusa-compatibility.md §2.3).</summary>
    public static MedusaError FromKind(ErrorKind kind, string message) => kind switch
    {
        ErrorKind.InvalidData or ErrorKind.UniqueViolation => MedusaError.InvalidData(message),
        ErrorKind.NotAllowed => MedusaError.NotAllowed(message),
        ErrorKind.Unauthorized => MedusaError.Unauthorized(message),
        ErrorKind.NotFound => MedusaError.NotFound(message),
        ErrorKind.Conflict => MedusaError.Conflict(),
        ErrorKind.TooManyAttempts => new MedusaError(StatusCodes.Status429TooManyRequests, "not_allowed", message),
        ErrorKind.StorageUnavailable => MedusaError.Unavailable(message),
        _ => MedusaError.Unknown(),
    };

    [LoggerMessage(Level = LogLevel.Error, Message = "Request {Method} {Path} failed")]
    private static partial void LogUnhandled(ILogger logger, Exception exception, string method, string path);
}
