using System.Text.Json.Nodes;
using Customers.Abstractions.Auth;
using Customers.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace Customers.Grains.Auth;

/// <summary>Unlinking an actor from the identity when the actor goes away (an admin deletes the customer).</summary>
internal sealed partial class AuthIdentityGrain
{
    public async Task<IdentitySnapshot?> UnlinkActorAsync(string actorType, string actorId)
    {
        var key = actorType + "_id";
        if (Identity.Id is null)
        {
            return null;
        }

        if (Identity.AppMetadata?[key] is not JsonValue linked || !linked.TryGetValue<string>(out var current) || current != actorId)
        {
            return Snapshot();
        }

        // One write: the link goes and every earlier token is void on every silo (the revocation feed reads it), so
        // even when the identity survives, nothing issued for the deleted actor keeps working.
        var now = time.GetUtcNow();
        Identity.AppMetadata[key] = null;
        RevokeTokens(now);
        Identity.UpdatedAt = now;
        await state.WriteOrThrowAsync(this);

        if (Identity.AppMetadata.Any(link => link.Value is not null))
        {
            return Snapshot();
        }

        // Nothing else hangs on this identity: delete it with its logins (its read-model rows go in the same
        // transaction), so the e-mail is free to register again and its password no longer works.
        var identityId = Identity.Id;
        await state.ClearOrThrowAsync(this);
        state.State = new AuthIdentityState();
        LogIdentityDeleted(logger, identityId, actorType, actorId);
        return null;
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Deleted identity {IdentityId} with its last link, {ActorType} {ActorId}")]
    private static partial void LogIdentityDeleted(ILogger logger, string identityId, string actorType, string actorId);
}
