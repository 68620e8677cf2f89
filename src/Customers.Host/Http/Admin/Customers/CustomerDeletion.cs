using Customers.Abstractions.Auth;
using Customers.Abstractions.Customers;
using Customers.Host.Auth;
using Customers.Host.ReadModel;

namespace Customers.Host.Http.Admin.Customers;

/// <summary>
/// <c>DELETE /admin/customers/{id}</c> (docs/medusa-compatibility.md §3.16): soft-deletes the customer with its
/// addresses, then ends the link of every identity linked to it, each through its identity grain: an identity used for
/// nothing else is deleted with its logins (Medusa 2.21), one that is also an admin user keeps existing with
/// <c>customer_id: null</c>. Either way every token issued for it until now is revoked: at once on this silo, within
/// the revocation poll interval on the others (the tokens of a deleted identity can only reach the deleted customer,
/// which answers 404).
/// <para>
/// The steps are idempotent and run in an order that is safe to repeat: if unlinking fails after the customer was
/// deleted, the caller retries the DELETE (a deleted customer is no error) and the unlink runs again. A customer whose
/// identity link is missing is deleted all the same (Medusa answers 404 and deletes nothing, docs/medusa-compatibility.md D34).
/// </para>
/// </summary>
internal sealed class CustomerDeletion(IGrainFactory grains, CustomerReadModel readModel, TokenRevocations revocations, TimeProvider time)
{
    public async Task DeleteAsync(string customerId, CancellationToken ct)
    {
        await grains.GetGrain<ICustomerGrain>(customerId).DeleteAsync();
        foreach (var identityId in await readModel.IdentitiesOfCustomerAsync(customerId, ct))
        {
            var remaining = await grains.GetGrain<IAuthIdentityGrain>(identityId).UnlinkActorAsync(Actor.CustomerActorType, customerId);
            revocations.Revoke(identityId, remaining?.TokensValidAfter ?? time.GetUtcNow(), TokenRevocations.CustomerDeleted);
        }
    }
}
