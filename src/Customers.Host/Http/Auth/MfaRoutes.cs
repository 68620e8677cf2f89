using System.Text.Json;
using System.Text.Json.Nodes;
using Customers.Abstractions.Auth;
using Customers.Grains.Auth;
using Customers.Host.Auth;
using Customers.Host.Notifications;
using Customers.Host.Http.OpenApi;
using Customers.Medusa;
using Microsoft.Extensions.Options;

namespace Customers.Host.Http.Auth;

/// <summary>
/// <c>/auth/mfa</c> (docs/medusa-compatibility.md §3.18-§3.20): the caller's second factors, recovery codes, and the
/// answer to a login challenge. Every route takes a token or session of any actor type, with or without an actor; all
/// but the challenge answer are behind the MFA gate. Enabling or disabling a factor revokes every other token and
/// session of the identity at once on this silo (the others learn of it through the revocation feed) and publishes
/// <c>auth.mfa_enabled</c> / <c>auth.mfa_disabled</c>.
/// </summary>
internal static class MfaRoutes
{
    public const string EnabledEvent = "auth.mfa_enabled";
    public const string DisabledEvent = "auth.mfa_disabled";
    public const string RecoveryCodesEvent = "auth.mfa_recovery_codes_generated";
    private const int MaxRecoveryCodes = 50;

    private static readonly ObjectSchema NoQuery = new();

    private static readonly ObjectSchema StartBody = new(
        Field.RequiredString("provider"), Field.NullableString("label"), Field.String("issuer"), Field.Record("metadata"));

    private static readonly ObjectSchema ConfirmBody = new(Field.RequiredString("code"));

    private static readonly ObjectSchema DisableBody = new(Field.String("method"), Field.String("code"));

    private static readonly ObjectSchema RecoveryCodesBody = new(Field.Custom("count", CheckCount));

    private static readonly ObjectSchema ChallengeBody = new(Field.RequiredString("method"), Field.RequiredString("code"));

    /// <summary><c>GET /auth/mfa/factors</c>: all the caller's factors, disabled ones included, oldest first.</summary>
    internal static async Task<IResult> ListAsync(HttpContext http, IGrainFactory grains)
    {
        if (!RequestQuery.Read(http.Request, NoQuery).TryGetValue(out _, out var error))
        {
            return error.ToResult();
        }

        var factors = await Identity(http, grains).ListMfaFactorsAsync();
        return JsonBodyResult.Wrapped("mfa_factors", new JsonArray([.. factors.Select(AuthWire.Factor)]));
    }

    /// <summary><c>POST /auth/mfa/factors</c>: a pending TOTP factor, its secret and its <c>otpauth://</c> URL (shown once).</summary>
    internal static async Task<IResult> StartAsync(HttpContext http, IGrainFactory grains)
    {
        if (!(await ReadAsync(http, StartBody)).TryGetValue(out var body, out var error))
        {
            return error.ToResult();
        }

        var enrolment = await Identity(http, grains).StartMfaEnrolmentAsync(new StartMfaEnrolment(
            Validation.AsString(body["provider"])!,
            Validation.AsString(body["label"]),
            Validation.AsString(body["issuer"]),
            body["metadata"] is JsonObject metadata ? metadata.ToJsonString() : null));
        return JsonBodyResult.Of(new JsonObject
        {
            ["mfa_factor"] = AuthWire.Factor(enrolment.Factor),
            ["secret"] = enrolment.Secret,
            ["otpauth_url"] = enrolment.OtpAuthUrl,
        });
    }

    /// <summary><c>POST /auth/mfa/factors/{id}/verify</c>: confirms the factor with a first code.</summary>
    internal static async Task<IResult> ConfirmAsync(
        string id, HttpContext http, IGrainFactory grains, TokenRevocations revocations, INotificationSink notifications)
    {
        if (!(await ReadAsync(http, ConfirmBody)).TryGetValue(out var body, out var error))
        {
            return error.ToResult();
        }

        var actor = http.GetActor();
        var kept = CallerCredential.Fingerprint(http);
        var change = await Identity(http, grains).ConfirmMfaFactorAsync(new ChangeMfaFactor(id, null, Validation.AsString(body["code"]), kept));
        await AnnounceAsync(change, EnabledEvent, actor, kept, revocations, notifications);
        return JsonBodyResult.Wrapped("mfa_factor", AuthWire.Factor(change.Changed));
    }

    /// <summary><c>DELETE /auth/mfa/factors/{id}</c>: disables the factor (a code may be needed, see the disable policy).</summary>
    internal static async Task<IResult> DisableAsync(
        string id, HttpContext http, IGrainFactory grains, TokenRevocations revocations, INotificationSink notifications)
    {
        if (!(await ReadAsync(http, DisableBody)).TryGetValue(out var body, out var error))
        {
            return error.ToResult();
        }

        var actor = http.GetActor();
        var kept = CallerCredential.Fingerprint(http);
        var change = await Identity(http, grains).DisableMfaFactorAsync(
            new ChangeMfaFactor(id, Validation.AsString(body["method"]), Validation.AsString(body["code"]), kept));
        await AnnounceAsync(change, DisabledEvent, actor, kept, revocations, notifications);
        return JsonBodyResult.Wrapped("mfa_factor", AuthWire.Factor(change.Changed));
    }

    /// <summary><c>POST /auth/mfa/recovery-codes</c>: a new batch replacing the old one, shown once.</summary>
    internal static async Task<IResult> GenerateRecoveryCodesAsync(
        HttpContext http, IGrainFactory grains, IOptions<MfaOptions> options, INotificationSink notifications)
    {
        if (!(await ReadAsync(http, RecoveryCodesBody)).TryGetValue(out var body, out var error))
        {
            return error.ToResult();
        }

        var count = body["count"] is JsonValue requested ? (int)requested.GetValue<double>() : options.Value.RecoveryCodeCount;
        var actor = http.GetActor();
        var codes = await Identity(http, grains).GenerateRecoveryCodesAsync(count);
        await notifications.PublishAsync(
            RecoveryCodesEvent, new JsonObject { ["auth_identity_id"] = actor.AuthIdentityId, ["count"] = codes.Length }, CancellationToken.None);
        return JsonBodyResult.Wrapped("recovery_codes", new JsonArray([.. codes.Select(code => JsonValue.Create(code))]));
    }

    /// <summary>
    /// <c>POST /auth/mfa/challenges/{id}/verify</c>: answers a login challenge of the caller's identity; success answers
    /// the MFA-complete token for the caller's actor type and the challenge's provider.
    /// </summary>
    internal static async Task<IResult> AnswerChallengeAsync(string id, HttpContext http, IGrainFactory grains, TokenIssuer tokens)
    {
        if (!(await ReadAsync(http, ChallengeBody)).TryGetValue(out var body, out var error))
        {
            return error.ToResult();
        }

        var actor = http.GetActor();
        var completion = await Identity(http, grains).AnswerMfaChallengeAsync(
            new AnswerMfaChallenge(id, Validation.AsString(body["method"])!, Validation.AsString(body["code"])!));
        var challenge = completion.Challenge;
        return SignInAnswer.Token(tokens.Issue(
            completion.Identity, actor.ActorType, challenge.AuthProvider, MfaClaims.Completed(challenge.CompletedAt!.Value)));
    }

    private static IAuthIdentityGrain Identity(HttpContext http, IGrainFactory grains) =>
        grains.GetGrain<IAuthIdentityGrain>(http.GetActor().AuthIdentityId);

    /// <summary>Every route checks its query too: these routes take none.</summary>
    private static async ValueTask<MedusaResult<JsonObject>> ReadAsync(HttpContext http, ObjectSchema body)
    {
        if (!RequestQuery.Read(http.Request, NoQuery).TryGetValue(out _, out var error))
        {
            return error;
        }

        return await RequestQuery.ReadBodyAsync(http.Request, body);
    }

    /// <summary>After a status change: the revocation (keeping the caller's credential, <paramref name="kept"/>) holds
    /// on this silo at once, and shops hear of it.</summary>
    private static async Task AnnounceAsync(
        MfaFactorChange change, string eventName, Actor actor, string kept, TokenRevocations revocations, INotificationSink notifications)
    {
        if (!change.StatusChanged)
        {
            return;
        }

        if (change.Identity.TokensValidAfter is { } revokedAt)
        {
            revocations.Revoke(actor.AuthIdentityId, revokedAt, TokenRevocations.SecondFactorChange, kept);
        }

        // The change is stored: announce it even if the client has gone away meanwhile.
        await notifications.PublishAsync(eventName, new JsonObject
        {
            ["auth_identity_id"] = change.Changed.AuthIdentityId,
            ["mfa_id"] = change.Changed.Id,
            ["provider"] = change.Changed.Provider,
        }, CancellationToken.None);
    }

    private static string? CheckCount(JsonNode? value, string name)
    {
        if (value is not JsonValue number || number.GetValueKind() != JsonValueKind.Number)
        {
            return Validation.ExpectedType("number", name, value);
        }

        var count = number.GetValue<double>();
        return count < 1 ? Validation.TooSmall(name, 1)
            : count > MaxRecoveryCodes ? Validation.TooBig(name, MaxRecoveryCodes)
            : count != Math.Floor(count) ? Validation.ExpectedType("integer", name, value)
            : null;
    }

    /// <summary>The OpenAPI description of these routes.</summary>
    internal static class Docs
    {
        public static readonly RouteDoc List = new(
            "AuthListMfaFactors", "List the caller's second factors", JsonSchemas.Wrapped("mfa_factors", JsonSchemas.ArrayOf(JsonSchemas.Ref(WireSchemas.MfaFactor))))
        {
            Query = NoQuery,
        };

        public static readonly RouteDoc Start = new(
            "AuthStartMfaEnrolment",
            "Enrol a TOTP factor: answers its secret and otpauth:// URL once",
            JsonSchemas.Shape(
                ["mfa_factor", "secret", "otpauth_url"],
                ("mfa_factor", JsonSchemas.Ref(WireSchemas.MfaFactor)), ("secret", JsonSchemas.Text()), ("otpauth_url", JsonSchemas.Text())))
        {
            Query = NoQuery,
            Body = JsonSchemas.Of(StartBody),
        };

        public static readonly RouteDoc Confirm = new("AuthConfirmMfaFactor", "Confirm a pending factor with a first code", Factor())
        {
            Query = NoQuery,
            Body = JsonSchemas.Of(ConfirmBody),
            Errors = [StatusCodes.Status404NotFound],
        };

        public static readonly RouteDoc Disable = new("AuthDisableMfaFactor", "Disable a factor", Factor())
        {
            Query = NoQuery,
            Body = JsonSchemas.Of(DisableBody),
            Errors = [StatusCodes.Status404NotFound],
        };

        public static readonly RouteDoc RecoveryCodes = new(
            "AuthGenerateRecoveryCodes",
            "Make a new batch of recovery codes (shown once; replaces the old batch)",
            JsonSchemas.Wrapped("recovery_codes", JsonSchemas.ArrayOf(JsonSchemas.Text())))
        {
            Query = NoQuery,
            Body = JsonSchemas.Of(RecoveryCodesBody),
        };

        public static readonly RouteDoc AnswerChallenge = new(
            "AuthVerifyMfaChallenge", "Answer a login challenge with a TOTP or recovery code", WireSchemas.Token())
        {
            Query = NoQuery,
            Body = JsonSchemas.Of(ChallengeBody),
            Errors = [StatusCodes.Status404NotFound],
        };

        private static JsonObject Factor() => WireSchemas.One("mfa_factor", WireSchemas.MfaFactor);
    }
}
