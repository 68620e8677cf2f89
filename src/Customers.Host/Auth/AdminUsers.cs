using Customers.Abstractions.Auth;
using Customers.Abstractions.Ids;
using Customers.Host.Stores;

namespace Customers.Host.Auth;

/// <summary>
/// Creates an admin user with an e-mail/password login: the identity (a grain), the <c>app_user</c> row, then the
/// link <c>app_metadata.user_id</c>, which is what makes <c>POST /auth/user/emailpass</c> answer a token whose
/// <c>actor_id</c> is the user. Used by <c>user create</c> (and by tests, through the same code).
/// </summary>
internal static class AdminUsers
{
    public const string ActorType = "user";

    /// <summary>Returns the new user's id. Fails (UniqueViolation/Unauthorized) when the e-mail already has an identity.</summary>
    public static async Task<string> CreateAsync(
        IGrainFactory grains, UserStore users, TimeProvider time, string email, string password, CancellationToken ct)
    {
        var now = time.GetUtcNow();
        var userId = EntityId.New(EntityId.User, now);
        var identity = grains.GetGrain<IAuthIdentityGrain>(EntityId.New(EntityId.AuthIdentity, now));
        await identity.RegisterEmailPasswordAsync(email, password);
        await users.CreateAsync(userId, email, now, ct);
        await identity.LinkActorAsync(ActorType, userId);
        return userId;
    }
}
