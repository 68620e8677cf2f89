using System.Text.Json;

namespace Customers.Medusa;

/// <summary>
/// A Medusa error response (docs/medusa-compatibility.md §2.2). The body is <c>{code?, type?, message}</c> in that key
/// order; the SDK throws <c>FetchError(body.message)</c>, so every error carries a message.
/// </summary>
/// <param name="Status">HTTP status code.</param>
/// <param name="Type">Medusa error type; null only for the auth middleware's bare 401.</param>
/// <param name="Message">Client-facing text. Clients and Medusa's tests compare it, so keep the exact wording.</param>
/// <param name="Code">Extra slug some types carry (<c>invalid_state_error</c>, <c>invalid_request_error</c>, ...).</param>
public sealed record MedusaError(int Status, string? Type, string Message, string? Code = null)
{
    internal const string ConflictMessage =
        "The request conflicted with another request. You may retry the request with the provided Idempotency-Key.";

    internal const string UnknownMessage = "An unknown error occurred.";

    private static readonly MedusaError AuthMiddlewareUnauthorizedError = new(StatusCodes.Status401Unauthorized, null, "Unauthorized");
    private static readonly MedusaError SecretKeyAsBearerError = new(
        StatusCodes.Status401Unauthorized,
        null,
        "A secret API key was passed as a Bearer token. Secret API keys must be sent using HTTP Basic authentication instead (Authorization: Basic <secret-api-key>).");
    private static readonly MedusaError ConflictError = new(StatusCodes.Status409Conflict, "conflict", ConflictMessage, "invalid_state_error");
    private static readonly MedusaError UnknownError = new(StatusCodes.Status500InternalServerError, "unknown_error", UnknownMessage, "unknown_error");
    private static readonly MedusaError PayloadTooLargeError = new(StatusCodes.Status413PayloadTooLarge, "invalid_data", "Request body too large");

    /// <summary>400 <c>invalid_data</c>: validation failures and broken business rules.</summary>
    public static MedusaError InvalidData(string message) => new(StatusCodes.Status400BadRequest, "invalid_data", message);

    /// <summary>400 <c>not_allowed</c>, e.g. the publishable-key gate.</summary>
    public static MedusaError NotAllowed(string message) => new(StatusCodes.Status400BadRequest, "not_allowed", message);

    /// <summary>401 <c>unauthorized</c> thrown by route logic (login, reset tokens).</summary>
    public static MedusaError Unauthorized(string message) => new(StatusCodes.Status401Unauthorized, "unauthorized", message);

    /// <summary>The authentication middleware's rejection: 401 <c>{"message":"Unauthorized"}</c>, with no type.</summary>
    public static MedusaError AuthMiddlewareUnauthorized() => AuthMiddlewareUnauthorizedError;

    /// <summary>The authentication middleware's hint for <c>Authorization: Bearer sk_…</c> on admin routes (401, no type).</summary>
    public static MedusaError SecretKeyAsBearer() => SecretKeyAsBearerError;

    /// <summary>404 <c>not_found</c>.</summary>
    public static MedusaError NotFound(string message) => new(StatusCodes.Status404NotFound, "not_found", message);

    /// <summary>409 <c>conflict</c>; Medusa always replaces the message with the fixed retry hint.</summary>
    public static MedusaError Conflict() => ConflictError;

    /// <summary>422 <c>duplicate_error</c> from explicit duplicate checks (not from unique indexes: those are 400).</summary>
    public static MedusaError Duplicate(string message) =>
        new(StatusCodes.Status422UnprocessableEntity, "duplicate_error", message, "invalid_request_error");

    /// <summary>500 <c>unknown_error</c>; Medusa never leaks the cause.</summary>
    public static MedusaError Unknown() => UnknownError;

    /// <summary>503 <c>unexpected_state</c>: storage or cluster is unavailable and nothing was written.</summary>
    public static MedusaError Unavailable(string message) =>
        new(StatusCodes.Status503ServiceUnavailable, "unexpected_state", message);

    /// <summary>413 <c>invalid_data</c> for bodies over <see cref="BodyLimitOptions.MaxBodyBytes"/>.</summary>
    public static MedusaError PayloadTooLarge() => PayloadTooLargeError;

    /// <summary>An <see cref="IResult"/> that writes this error; usable in <c>Results&lt;..., MedusaErrorResult&gt;</c>.</summary>
    public MedusaErrorResult ToResult() => new(this);

    /// <summary>Writes the body (<c>code</c> when present, <c>type</c> when present, <c>message</c>).</summary>
    public void WriteTo(Utf8JsonWriter writer)
    {
        writer.WriteStartObject();
        if (Code is not null)
        {
            writer.WriteString("code"u8, Code);
        }

        if (Type is not null)
        {
            writer.WriteString("type"u8, Type);
        }

        writer.WriteString("message"u8, Message);
        writer.WriteEndObject();
    }

    /// <summary>The body as UTF-8 JSON bytes (tests, logging).</summary>
    public byte[] ToJsonBytes()
    {
        var buffer = new System.Buffers.ArrayBufferWriter<byte>(128);
        using (var writer = new Utf8JsonWriter(buffer, MedusaJson.WriterOptions))
        {
            WriteTo(writer);
        }

        return buffer.WrittenSpan.ToArray();
    }
}

/// <summary>Writes a <see cref="MedusaError"/> with <c>application/json; charset=utf-8</c>.</summary>
public sealed class MedusaErrorResult(MedusaError error)
    : IResult, IStatusCodeHttpResult, IContentTypeHttpResult, IValueHttpResult, IValueHttpResult<MedusaError>
{
    public MedusaError Error { get; } = error;

    public int? StatusCode => Error.Status;

    public string ContentType => MedusaJson.ContentType;

    MedusaError? IValueHttpResult<MedusaError>.Value => Error;

    object? IValueHttpResult.Value => Error;

    public async Task ExecuteAsync(HttpContext httpContext)
    {
        var response = httpContext.Response;
        response.StatusCode = Error.Status;
        response.ContentType = MedusaJson.ContentType;

        // Small body: build it in one go so Content-Length is known and there is a single write.
        var body = Error.ToJsonBytes();
        response.ContentLength = body.Length;
        await response.Body.WriteAsync(body, httpContext.RequestAborted);
    }
}
