using System.Text.Json.Nodes;
using Customers.Abstractions.Auth;
using Customers.Abstractions.Errors;
using Customers.Host.Auth;
using Customers.Host.Http.OpenApi;
using Customers.Medusa;

namespace Customers.Host.Http.Auth;

/// <summary>
/// Password reset (docs/medusa-compatibility.md §3.10-§3.11): <c>reset-password</c> answers 201 at once, whether or not
/// the identifier exists and whether or not a token will be made (the work runs after the answer), or 429 when the
/// client address has spent its budget; <c>update</c> takes the reset token as Bearer (sessions
/// are not looked at) and answers every token problem with the same 401 <c>Invalid token</c>.
/// </summary>
internal static class PasswordResetRoutes
{
    private static readonly ObjectSchema ResetPasswordBody = new(Field.RequiredString("identifier"), Field.Record("metadata"));

    // What Express's res.sendStatus(201) answers.
    private static readonly IResult Created = Results.Text("Created", "text/plain; charset=utf-8", statusCode: StatusCodes.Status201Created);

    private static readonly MedusaErrorResult InvalidToken = MedusaError.Unauthorized("Invalid token").ToResult();

    internal static async Task<IResult> RequestResetAsync(
        string actorType, string provider, HttpContext http, ProviderAllowList allowList, PasswordResetFlow resets,
        ClientBudgets budgets, BackgroundWork background)
    {
        if (!allowList.Allows(actorType, provider))
        {
            return MedusaError.NotAllowed(ProviderAllowList.NotAllowedMessage(actorType, provider)).ToResult();
        }

        if (!(await RequestQuery.ReadBodyAsync(http.Request, ResetPasswordBody)).TryGetValue(out var body, out var error))
        {
            return error.ToResult();
        }

        var identifier = body["identifier"]!.GetValue<string>();
        if (provider == EmailPasswordFlow.Provider && EmailAddress.BreaksRule(identifier, "identifier") is { } issue)
        {
            return Validation.Fail(issue).ToResult();
        }

        if (await budgets.SpendAsync(ClientBudget.PasswordResets, ClientAddress.Of(http)) is { } wait)
        {
            throw new CustomersException(ErrorKind.TooManyAttempts, "Too many password reset requests. Please try again later.", wait);
        }

        // Answered before the identifier is looked up: the time to answer is the same whether or not it exists.
        var metadata = body["metadata"] is JsonObject sent ? (JsonObject)sent.DeepClone() : new JsonObject();
        background.Start("password reset request", () => resets.RequestAsync(actorType, provider, identifier, metadata, CancellationToken.None));
        return Created;
    }

    /// <summary>
    /// Order: allow-list (400), body parse (400), token (401 <c>Invalid token</c>), password present (else 401
    /// <c>Unauthorized</c> with the token spent, as Medusa does), password policy (400, token still valid), done.
    /// </summary>
    internal static async Task<IResult> UpdateAsync(
        string actorType, string provider, HttpContext http, ProviderAllowList allowList, PasswordResetTokens resetTokens,
        PasswordResetFlow resets)
    {
        if (!allowList.Allows(actorType, provider))
        {
            return MedusaError.NotAllowed(ProviderAllowList.NotAllowedMessage(actorType, provider)).ToResult();
        }

        if (!(await BodyReader.ReadAsync(http.Request)).TryGetValue(out var body, out var error))
        {
            return error.ToResult();
        }

        if (await resetTokens.ReadAsync(http.Request, actorType, provider) is not { } claims)
        {
            return InvalidToken;
        }

        // emailpass reads only a non-empty string "password"; anything else in the body (such as "email") is ignored.
        var password = body["password"] is JsonValue value && value.TryGetValue<string>(out var text) && text.Length > 0 ? text : null;
        return await resets.CompleteAsync(claims, password, http.RequestAborted) switch
        {
            PasswordResetStatus.Completed => JsonBodyResult.Raw("""{"success":true}"""),
            PasswordResetStatus.PasswordMissing => MedusaError.Unauthorized("Unauthorized").ToResult(),
            _ => InvalidToken,
        };
    }

    /// <summary>The OpenAPI description of these routes.</summary>
    internal static class Docs
    {
        public static readonly RouteDoc RequestReset = new(
            "AuthResetPassword",
            "Request a password reset token; 201 for any identifier, the token goes out as an event",
            JsonSchemas.Const("Created"))
        {
            Body = JsonSchemas.Of(ResetPasswordBody),
            Status = StatusCodes.Status201Created,
            ContentType = "text/plain",
            Errors = [StatusCodes.Status400BadRequest, StatusCodes.Status429TooManyRequests],
        };

        /// <summary>The reset token is sent as <c>Authorization: Bearer</c>; emailpass reads only <c>password</c>.</summary>
        public static readonly RouteDoc Update = new("AuthUpdateProvider", "Set a new password with a reset token", WireSchemas.Success())
        {
            Body = JsonSchemas.Shape([], ("password", JsonSchemas.Text())),
            Errors = [StatusCodes.Status400BadRequest, StatusCodes.Status401Unauthorized],
        };
    }
}
