using Customers.Abstractions.Auth;
using Customers.Host.Auth;
using Customers.Host.Http.OpenApi;
using Customers.Medusa;

namespace Customers.Host.Http.Store.Customers;

/// <summary>
/// <c>POST /store/customers/me/password</c>: our extension (Medusa has no such route). A signed-in customer replaces
/// their e-mail/password login's password by giving the current one. A wrong current password answers like a failed
/// login and counts toward the account lockout; success revokes every earlier token and session of the identity on
/// every silo (the caller logs in again) and invalidates a pending reset token.
/// </summary>
internal static class StoreCustomerPasswordRoutes
{
    private static readonly ObjectSchema ChangePasswordBody = new(
        Field.RequiredString("current_password"),
        Field.RequiredString("new_password"));

    /// <summary>Order: body (400), new password policy (400), current password (401, counted), done.</summary>
    internal static async Task<IResult> ChangePasswordAsync(HttpContext http, IGrainFactory grains, TokenRevocations revocations)
    {
        if (!(await RequestQuery.ReadBodyAsync(http.Request, ChangePasswordBody)).TryGetValue(out var body, out var error))
        {
            return error.ToResult();
        }

        var actor = http.GetActor();
        var command = new ChangePassword(body["current_password"]!.GetValue<string>(), body["new_password"]!.GetValue<string>());
        var result = await grains.GetGrain<IAuthIdentityGrain>(actor.AuthIdentityId).ChangePasswordAsync(command);
        if (!result.Succeeded)
        {
            if (result.LockedFor is { } wait)
            {
                RetryAfter.Set(http.Response, wait);
            }

            return MedusaError.Unauthorized(EmailPasswordFlow.InvalidCredentials).ToResult();
        }

        if (result.Identity?.TokensValidAfter is { } revokedAt)
        {
            revocations.Revoke(actor.AuthIdentityId, revokedAt, TokenRevocations.PasswordChange);
        }

        return JsonBodyResult.Raw("""{"success":true}""");
    }

    /// <summary>The OpenAPI description of this route.</summary>
    internal static class Docs
    {
        public static readonly RouteDoc ChangePassword = new(
            "StoreChangePassword", "Change the customer's password; every earlier token is revoked", WireSchemas.Success())
        {
            Body = JsonSchemas.Of(ChangePasswordBody),
            Errors = [StatusCodes.Status409Conflict],
        };
    }
}
