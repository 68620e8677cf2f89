using System.Text.Json.Nodes;
using Customers.Abstractions.Auth;
using Customers.Host.Notifications;
using Customers.Host.ReadModel;
using Customers.Host.Telemetry;

namespace Customers.Host.Auth;

/// <summary>
/// Password reset (docs/medusa-compatibility.md §3.10-§3.11): the identity grain makes and spends the token; this flow
/// finds the identity, wraps the token's secret in a Medusa-shaped JWT, hands it to the notification sink as
/// <c>auth.password_reset</c>, and, when a reset completes, revokes earlier tokens on this silo at once (other silos
/// learn of it through the revocation feed). Neither the token nor its secret is ever logged.
/// </summary>
internal sealed class PasswordResetFlow(
    IGrainFactory grains, IdentityLookup lookup, TokenIssuer tokens, INotificationSink notifications, TokenRevocations revocations,
    CustomersMetrics metrics)
{
    public const string EventName = "auth.password_reset";

    /// <summary>
    /// Makes a reset token and publishes the event when <paramref name="identifier"/> is a password login of
    /// <paramref name="provider"/>; otherwise (no such login, or the identity's request budget spent) does nothing.
    /// The caller answers the same either way.
    /// </summary>
    public async Task RequestAsync(string actorType, string provider, string identifier, JsonObject metadata, CancellationToken ct)
    {
        if (await lookup.FindAsync(provider, identifier, ct) is not { } identityId)
        {
            return;
        }

        var ticket = await grains.GetGrain<IAuthIdentityGrain>(identityId)
            .RequestPasswordResetAsync(new RequestPasswordReset(provider, identifier));
        if (ticket is null)
        {
            return;
        }

        var data = new JsonObject
        {
            ["entity_id"] = identifier,
            ["actor_type"] = actorType,
            ["token"] = tokens.IssuePasswordReset(ticket, identifier, provider, actorType),
            ["metadata"] = metadata,
        };

        // The token exists now: deliver it even if the client has gone away meanwhile.
        await notifications.PublishAsync(EventName, data, CancellationToken.None);
        metrics.PasswordReset(actorType, "requested");
    }

    /// <summary>
    /// Spends the token of <paramref name="claims"/> and sets <paramref name="newPassword"/> (null: spends it only).
    /// A password that breaks the policy throws InvalidData and leaves the token valid.
    /// </summary>
    public async Task<PasswordResetStatus> CompleteAsync(PasswordResetClaims claims, string? newPassword, CancellationToken ct)
    {
        if (await lookup.FindAsync(claims.Provider, claims.EntityId, ct) is not { } identityId)
        {
            return PasswordResetStatus.InvalidToken;
        }

        var result = await grains.GetGrain<IAuthIdentityGrain>(identityId)
            .CompletePasswordResetAsync(new CompletePasswordReset(claims.TokenId, claims.Provider, claims.EntityId, newPassword));
        if (result.Status == PasswordResetStatus.Completed)
        {
            metrics.PasswordReset(claims.ActorType, "completed");
        }

        if (result is { Status: PasswordResetStatus.Completed, Identity.TokensValidAfter: { } revokedAt })
        {
            revocations.Revoke(identityId, revokedAt, TokenRevocations.PasswordReset);
        }

        return result.Status;
    }
}
