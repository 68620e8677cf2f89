namespace Customers.Host.Auth;

/// <summary>
/// Endpoint metadata: the credentials checked before a route's handler runs (by the admin gate,
/// <see cref="ActorRequirement.RequireActor"/> and the publishable-key gate). The document shows them as security
/// requirements, and their refusals as 401 (caller) and 400 (publishable key).
/// </summary>
internal sealed record RequiredCredentials(AuthMechanisms Caller = 0, bool PublishableKey = false);
