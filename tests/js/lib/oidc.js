// A real OpenID Connect provider (the `oidc-provider` package) on loopback, for the OAuth tests: discovery, JWKS,
// authorization endpoint with its development login and consent forms (devInteractions), token endpoint with PKCE
// required, and userinfo. Any login name signs in; it becomes the subject, and the e-mail is derived from it.
import { generateKeyPairSync, randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:http";
import Provider from "oidc-provider";

/** The e-mail the provider reports for a login name. */
export function emailOf(login) {
  return `${login}@oidc.example`;
}

/**
 * Starts the provider. `clients` is oidc-provider client metadata (client_id, client_secret, redirect_uris...).
 * Returns { issuer, stop() }.
 */
export async function startOidcProvider({ clients }) {
  const server = createServer();
  server.listen(0, "127.0.0.1");
  await once(server, "listening");
  const issuer = `http://127.0.0.1:${server.address().port}`;

  const { privateKey } = generateKeyPairSync("rsa", { modulusLength: 2048 });
  const signingKey = { ...privateKey.export({ format: "jwk" }), kid: "test-rs256", use: "sig", alg: "RS256" };

  const provider = new Provider(issuer, {
    clients,
    jwks: { keys: [signingKey] },
    cookies: { keys: [randomBytes(32).toString("hex")] },
    pkce: { required: () => true },
    ttl: { AccessToken: 600, Grant: 600, IdToken: 600, Interaction: 600, Session: 600 },
    features: { devInteractions: { enabled: true } },
    claims: {
      openid: ["sub"],
      email: ["email", "email_verified"],
      profile: ["name", "given_name", "family_name"],
    },
    async findAccount(ctx, id) {
      return {
        accountId: id,
        async claims() {
          return { sub: id, email: emailOf(id), email_verified: true, name: `Test ${id}`, given_name: "Test", family_name: id };
        },
      };
    },
  });
  server.on("request", provider.callback());

  return {
    issuer,
    async stop() {
      server.closeAllConnections();
      await new Promise((resolve) => server.close(resolve));
    },
  };
}
