// Password reset as a storefront does it: sdk.auth.resetPassword, the token from the auth.password_reset event
// (recorded by the development notification sink, which the embedded database turns on), sdk.auth.updateProvider.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { connectDatabase, passwordResetEvents } from "./lib/db.js";
import { startHost } from "./lib/host.js";
import { decodeJwt, expectFetchError, makeSdk, newCredentials, signUp } from "./lib/sdk.js";

let host;
let db;

before(async () => {
  host = await startHost();
  db = await connectDatabase(host);
});

after(async () => {
  await db?.end();
  await host?.stop();
});

test("reset through the SDK: resetPassword, token from the event, updateProvider; the old password and tokens stop working", async () => {
  const { sdk: signedIn, email, password, customer } = await signUp(host, { label: "reset" });
  const storefront = makeSdk(host);

  await storefront.auth.resetPassword("customer", "emailpass", { identifier: email, metadata: { return_to: "/account" } });

  const [event, ...more] = await passwordResetEvents(db, email);
  assert.equal(more.length, 0);
  assert.deepEqual(Object.keys(event).sort(), ["actor_type", "entity_id", "metadata", "token"]);
  assert.equal(event.entity_id, email);
  assert.equal(event.actor_type, "customer");
  assert.deepEqual(event.metadata, { return_to: "/account" });
  const claims = decodeJwt(event.token);
  assert.deepEqual(Object.keys(claims), ["entity_id", "provider", "actor_type", "purpose", "iat", "exp", "jti"]);
  assert.equal(claims.entity_id, email);
  assert.equal(claims.provider, "emailpass");
  assert.equal(claims.purpose, "reset");
  assert.equal(claims.exp - claims.iat, 900);
  assert.equal(Buffer.from(claims.jti, "base64url").length, 32);

  const { password: newPassword } = newCredentials();
  await storefront.auth.updateProvider("customer", "emailpass", { password: newPassword }, event.token);

  await expectFetchError(makeSdk(host).auth.login("customer", "emailpass", { email, password }), 401, "Invalid email or password");
  const fresh = makeSdk(host);
  const token = await fresh.auth.login("customer", "emailpass", { email, password: newPassword });
  assert.equal(decodeJwt(token).actor_id, customer.id);
  const { customer: me } = await fresh.store.customer.retrieve();
  assert.equal(me.id, customer.id);

  // The token worked once, and the session token from before the reset is revoked.
  const { password: replayed } = newCredentials();
  await expectFetchError(
    storefront.auth.updateProvider("customer", "emailpass", { password: replayed }, event.token),
    401,
    "Invalid token",
  );
  await expectFetchError(signedIn.store.customer.retrieve(), 401, "Unauthorized");
  await expectFetchError(makeSdk(host).auth.login("customer", "emailpass", { email, password: replayed }), 401, "Invalid email or password");
});

test("reset-password resolves alike for an unknown e-mail and records no event", async () => {
  const { email } = newCredentials("nobody");

  await makeSdk(host).auth.resetPassword("customer", "emailpass", { identifier: email });
  // The work runs after the answer: a known account's request made afterwards has its event once that work is done.
  const { email: known } = await signUp(host, { label: "known" });
  await makeSdk(host).auth.resetPassword("customer", "emailpass", { identifier: known });
  assert.equal((await passwordResetEvents(db, known)).length, 1);

  assert.deepEqual(await passwordResetEvents(db, email, 0), []);
});

test("only the newest reset token works", async () => {
  const { email } = await signUp(host, { label: "newest" });
  const storefront = makeSdk(host);
  await storefront.auth.resetPassword("customer", "emailpass", { identifier: email });
  await passwordResetEvents(db, email, 1);
  await storefront.auth.resetPassword("customer", "emailpass", { identifier: email });
  const [first, second] = (await passwordResetEvents(db, email, 2)).map((e) => e.token);
  const { password: newPassword } = newCredentials();

  await expectFetchError(
    storefront.auth.updateProvider("customer", "emailpass", { password: newPassword }, first),
    401,
    "Invalid token",
  );
  await storefront.auth.updateProvider("customer", "emailpass", { password: newPassword }, second);

  await makeSdk(host).auth.login("customer", "emailpass", { email, password: newPassword });
});

test("a reset token made for the user actor does not work for the customer actor", async () => {
  const { email } = await signUp(host, { label: "actor" });
  const storefront = makeSdk(host);
  await storefront.auth.resetPassword("user", "emailpass", { identifier: email });
  const [event] = await passwordResetEvents(db, email);
  assert.equal(event.actor_type, "user");

  await expectFetchError(
    storefront.auth.updateProvider("customer", "emailpass", { password: newCredentials().password }, event.token),
    401,
    "Invalid token",
  );
});
