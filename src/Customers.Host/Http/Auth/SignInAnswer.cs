using System.Text.Json.Nodes;
using Customers.Abstractions.Auth;
using Customers.Grains.Auth;
using Customers.Host.Auth;
using Customers.Medusa;
using Microsoft.Extensions.Options;

namespace Customers.Host.Http.Auth;

/// <summary>
/// What a completed first sign-in step answers (login, OAuth callback, refresh of a token without an actor;
/// docs/medusa-compatibility.md §3.20 and §3.21), checked in this order:
/// <list type="number">
/// <item>e-mail verification required for (actor type, provider) and not done: <c>{verification_required, verification?, token}</c>
/// with an actorless token (no challenge is opened);</item>
/// <item>an enabled second factor: a new challenge, <c>{mfa_required, mfa_challenge, token}</c> with an MFA-pending token;</item>
/// <item>otherwise <c>{token}</c>.</item>
/// </list>
/// Every answer carries a <c>token</c>: the SDK's login throws without one.
/// </summary>
internal sealed class SignInAnswer(IGrainFactory grains, TokenIssuer tokens, IOptions<VerificationOptions> verification)
{
    public async Task<JsonBodyResult> AnswerAsync(IdentitySnapshot identity, string actorType, string provider)
    {
        if (verification.Value.IsRequired(actorType, provider)
            && identity.ProviderIdentities.FirstOrDefault(p => p.Provider == provider) is { } login)
        {
            var found = await grains.GetGrain<IAuthIdentityGrain>(identity.Id)
                .FindVerificationAsync(login.EntityId, AuthIdentityGrain.EmailEntityType);
            if (found?.VerifiedAt is null)
            {
                var body = new JsonObject { ["verification_required"] = true };
                if (found is not null)
                {
                    body["verification"] = AuthWire.Verification(found);
                }

                body["token"] = tokens.Issue(identity, actorType, provider, actorless: true);
                return JsonBodyResult.Of(body);
            }
        }

        if (identity.MfaEnabled
            && await grains.GetGrain<IAuthIdentityGrain>(identity.Id).OpenMfaChallengeAsync(provider) is { } challenge)
        {
            return JsonBodyResult.Of(new JsonObject
            {
                ["mfa_required"] = true,
                ["mfa_challenge"] = AuthWire.Challenge(challenge),
                ["token"] = tokens.Issue(identity, actorType, provider, new MfaClaims(true, null), actorless: true),
            });
        }

        return Token(tokens.Issue(identity, actorType, provider));
    }

    public static JsonBodyResult Token(string token) =>
        JsonBodyResult.Raw($$"""{"token":{{System.Text.Json.JsonSerializer.Serialize(token)}}}""");
}
