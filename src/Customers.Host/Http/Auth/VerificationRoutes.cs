using System.Text.Json.Nodes;
using Customers.Abstractions.Auth;
using Customers.Abstractions.Errors;
using Customers.Grains.Auth;
using Customers.Host.Auth;
using Customers.Host.Notifications;
using Customers.Host.Stores;
using Customers.Host.Http.OpenApi;
using Customers.Medusa;

namespace Customers.Host.Http.Auth;

/// <summary>
/// <c>/auth/verification</c> (docs/medusa-compatibility.md §3.21): a signed-in caller asks for a code for one of
/// its own e-mail addresses, delivered as the event <c>auth.verification_requested</c> (never in a response or a
/// log); anyone holding the code confirms it. Failed confirms count toward the client address's failed-login budget,
/// because the code alone is the credential there.
/// </summary>
internal static class VerificationRoutes
{
    public const string RequestedEvent = "auth.verification_requested";
    public const string TokenCodeProvider = "token";
    private const string InvalidCode = "Verification code is invalid or already used";

    private static readonly ObjectSchema NoQuery = new();

    private static readonly ObjectSchema RequestBody = new(
        Field.RequiredString("entity_id"), Field.RequiredString("entity_type"), Field.String("code_provider"), Field.Record("metadata"));

    private static readonly ObjectSchema ConfirmBody = new(Field.RequiredString("code"), Field.String("code_provider"));

    /// <summary><c>POST /auth/verification/request</c> → 201 <c>{verification}</c>.</summary>
    internal static async Task<IResult> RequestAsync(HttpContext http, IGrainFactory grains, INotificationSink notifications)
    {
        if (!(await ReadAsync(http, RequestBody)).TryGetValue(out var body, out var error)
            || !SupportedProvider(body).TryGetValue(out var codeProvider, out error))
        {
            return error.ToResult();
        }

        var actor = http.GetActor();
        var metadata = body["metadata"] is JsonObject sent ? (JsonObject)sent.DeepClone() : new JsonObject();
        var ticket = await grains.GetGrain<IAuthIdentityGrain>(actor.AuthIdentityId).RequestVerificationAsync(new RequestVerification(
            Validation.AsString(body["entity_id"])!, Validation.AsString(body["entity_type"])!, codeProvider, metadata.ToJsonString()));
        var verification = ticket.Verification;
        if (ticket is { Code: { } code, ExpiresAt: { } expiresAt })
        {
            // The code exists now: deliver it even if the client has gone away meanwhile.
            await notifications.PublishAsync(RequestedEvent, new JsonObject
            {
                ["entity_id"] = verification.EntityId,
                ["entity_type"] = verification.EntityType,
                ["code_provider"] = verification.CodeProvider,
                ["auth_identity_id"] = verification.AuthIdentityId,
                ["code"] = code,
                ["expires_at"] = MillisecondUtcDateTimeOffsetConverter.Format(expiresAt),
                ["metadata"] = metadata,
            }, CancellationToken.None);
        }

        return JsonBodyResult.Of(new JsonObject { ["verification"] = AuthWire.Verification(verification) }, StatusCodes.Status201Created);
    }

    /// <summary><c>POST /auth/verification/confirm</c>: no credentials needed; the code names the verification.</summary>
    internal static async Task<IResult> ConfirmAsync(
        HttpContext http, IGrainFactory grains, VerificationCodeStore codes, FailedLoginLimiter failedAttempts)
    {
        if (!(await ReadAsync(http, ConfirmBody)).TryGetValue(out var body, out var error)
            || !SupportedProvider(body).TryGetValue(out _, out error))
        {
            return error.ToResult();
        }

        var client = ClientAddress.Of(http);
        if (await failedAttempts.RetryAfterAsync(client) is { } wait)
        {
            throw new CustomersException(ErrorKind.TooManyAttempts, "Too many failed attempts. Please try again later.", wait);
        }

        var codeHash = AuthIdentityGrain.HashSecret(Validation.AsString(body["code"])!);
        try
        {
            var identityId = await codes.FindIdentityAsync(codeHash, http.RequestAborted)
                ?? throw new CustomersException(ErrorKind.NotAllowed, InvalidCode);
            var verified = await grains.GetGrain<IAuthIdentityGrain>(identityId).ConfirmVerificationAsync(codeHash);
            return JsonBodyResult.Of(new JsonObject
            {
                ["entity_id"] = verified.EntityId,
                ["entity_type"] = verified.EntityType,
                ["code_provider"] = verified.CodeProvider,
                ["verified_at"] = verified.VerifiedAt is { } at ? MillisecondUtcDateTimeOffsetConverter.Format(at) : null,
            });
        }
        catch (CustomersException refused) when (refused.Kind == ErrorKind.NotAllowed)
        {
            await failedAttempts.RecordFailureAsync(client);
            throw;
        }
    }

    /// <summary><c>token</c> (the default) is the only code provider; Medusa answers 500 for others, we answer 400.</summary>
    private static MedusaResult<string> SupportedProvider(JsonObject body) =>
        Validation.AsString(body["code_provider"]) is { } named && named != TokenCodeProvider
            ? MedusaError.InvalidData($"Verification provider \"{named}\" is not supported")
            : TokenCodeProvider;

    private static async ValueTask<MedusaResult<JsonObject>> ReadAsync(HttpContext http, ObjectSchema body)
    {
        if (!RequestQuery.Read(http.Request, NoQuery).TryGetValue(out _, out var error))
        {
            return error;
        }

        return await RequestQuery.ReadBodyAsync(http.Request, body);
    }

    /// <summary>The OpenAPI description of these routes.</summary>
    internal static class Docs
    {
        public static readonly RouteDoc Request = new(
            "AuthRequestVerification", "Send a code for one of the caller's own addresses", WireSchemas.One("verification", WireSchemas.Verification))
        {
            Query = NoQuery,
            Body = JsonSchemas.Of(RequestBody),
            Status = StatusCodes.Status201Created,
            Errors = [StatusCodes.Status429TooManyRequests],
        };

        public static readonly RouteDoc Confirm = new(
            "AuthConfirmVerification",
            "Confirm an address with its code",
            JsonSchemas.Shape(
                ["entity_id", "entity_type", "code_provider", "verified_at"],
                ("entity_id", JsonSchemas.Text()), ("entity_type", JsonSchemas.Text()), ("code_provider", JsonSchemas.Text()),
                ("verified_at", JsonSchemas.Timestamp(nullable: true))))
        {
            Query = NoQuery,
            Body = JsonSchemas.Of(ConfirmBody),
            Errors = [StatusCodes.Status429TooManyRequests],
        };
    }
}
