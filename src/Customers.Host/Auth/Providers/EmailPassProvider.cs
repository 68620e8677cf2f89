using System.Text.Json.Nodes;
using Customers.Abstractions.Errors;
using Customers.Host.Telemetry;
using Customers.Medusa;

namespace Customers.Host.Auth.Providers;

/// <summary>
/// <c>emailpass</c> on the provider interface: the body is <c>{email, password}</c>, typed but not schema-checked
/// (docs/medusa-compatibility.md §3.4-§3.5: password first, then e-mail, each a 401), and
/// <see cref="EmailPasswordFlow"/> does the rest. Failed logins count against the client address's budget, shared by every silo.
/// </summary>
internal sealed class EmailPassProvider(EmailPasswordFlow flow, FailedLoginLimiter failedLogins, CustomersMetrics metrics) : IAuthProvider
{
    public string Id => EmailPasswordFlow.Provider;

    public string DisplayName => "Email/Password Authentication";

    public AuthProviderFlow Flow => AuthProviderFlow.Credentials;

    public IReadOnlyList<string> CallbackUrls => [];

    public async Task<AuthenticationResult> AuthenticateAsync(AuthenticationRequest request, CancellationToken ct)
    {
        var (email, password) = ReadCredentials(request.Body);
        if (await failedLogins.RetryAfterAsync(request.ClientAddress) is { } wait)
        {
            metrics.Login(request.ActorType, Id, LoginOutcome.Throttled);
            metrics.LimitRefusal("failed_logins");
            throw new CustomersException(ErrorKind.TooManyAttempts, "Too many failed login attempts. Please try again later.", wait);
        }

        var verification = await flow.VerifyAsync(email, password, ct);
        if (verification is not { Succeeded: true, Identity: { } identity })
        {
            metrics.Login(request.ActorType, Id, verification.Locked ? LoginOutcome.Locked : LoginOutcome.Failed);
            await failedLogins.RecordFailureAsync(request.ClientAddress);

            // The body stays that of a wrong password; a locked account adds when to try again.
            throw new CustomersException(ErrorKind.Unauthorized, EmailPasswordFlow.InvalidCredentials, verification.LockedFor);
        }

        metrics.Login(request.ActorType, Id, LoginOutcome.Succeeded);
        return new AuthenticationResult.Authenticated(identity);
    }

    public async Task<AuthenticationResult> RegisterAsync(AuthenticationRequest request, CancellationToken ct)
    {
        var (email, password) = ReadCredentials(request.Body);
        var identity = await flow.RegisterAsync(email, password, ct);
        metrics.Registration(request.ActorType, Id);
        return new AuthenticationResult.Authenticated(identity);
    }

    public Task<ProviderUser> CallbackAsync(CallbackRequest request, CancellationToken ct) =>
        throw AuthProviderErrors.CallbackNotSupported(Id);

    private static (string Email, string Password) ReadCredentials(JsonObject body)
    {
        if (!TryGetNonEmptyString(body, "password", out var password))
        {
            throw CustomersException.Unauthorized("Password should be a string");
        }

        if (!TryGetNonEmptyString(body, "email", out var email))
        {
            throw CustomersException.Unauthorized("Email should be a string");
        }

        // The e-mail rule of every route; the format is not checked here, as in Medusa (docs/security.md).
        if (EmailAddress.BreaksRule(email, "email") is { } issue)
        {
            throw CustomersException.InvalidData("Invalid request: " + issue);
        }

        return (email, password);
    }

    private static bool TryGetNonEmptyString(JsonObject body, string name, out string value)
    {
        value = body[name] is JsonValue node && node.TryGetValue<string>(out var text) ? text : "";
        return value.Length > 0;
    }
}
