// E-mail verification through @medusajs/js-sdk 2.21.2 (sdk.auth.verification.*), against a host that requires it for
// customers signing in with e-mail and password: login answers verification_required, the code arrives as the event
// auth.verification_requested (recorded by the development notification sink), confirm, then login gives the customer.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { connectDatabase } from "./lib/db.js";
import { startHost } from "./lib/host.js";
import { decodeJwt, expectFetchError, makeSdk, newCredentials } from "./lib/sdk.js";

let host;
let db;

before(async () => {
  host = await startHost({ admin: true, extraArgs: ["--Customers:Verification:Required:customer:0", "emailpass"] });
  db = await connectDatabase(host);
});

after(async () => {
  await db?.end();
  await host?.stop();
});

async function verificationCodes(email) {
  const { rows } = await db.query(
    "SELECT data FROM dev_notification WHERE event_name = 'auth.verification_requested' AND data ->> 'entity_id' = $1 ORDER BY id",
    [email],
  );
  return rows.map((row) => row.data);
}

test("a customer must verify the e-mail: verification_required, request, confirm, then login", async () => {
  const sdk = makeSdk(host);
  const { email, password } = newCredentials("verify");
  await sdk.auth.register("customer", "emailpass", { email, password });
  const { customer } = await sdk.store.customer.create({ email, first_name: "Vera" });

  const result = await sdk.auth.login("customer", "emailpass", { email, password });
  assert.equal(result.verification_required, true);
  assert.equal(result.verification, undefined);
  assert.equal(decodeJwt(result.token).actor_id, "");
  await expectFetchError(sdk.store.customer.retrieve(), 401, "Unauthorized");

  const { verification } = await sdk.auth.verification.request({ entity_id: email, entity_type: "email" });
  assert.equal(verification.entity_id, email);
  assert.equal(verification.verified_at, null);
  assert.equal("provider_metadata" in verification, false);
  const [event, ...more] = await verificationCodes(email);
  assert.equal(more.length, 0);
  assert.match(event.code, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(event.auth_identity_id, verification.auth_identity_id);

  const pending = await makeSdk(host).auth.login("customer", "emailpass", { email, password });
  assert.equal(pending.verification.id, verification.id);

  await expectFetchError(makeSdk(host).auth.verification.confirm({ code: "not-the-code" }), 400, "Verification code is invalid or already used");
  const confirmed = await makeSdk(host).auth.verification.confirm({ code: event.code });
  assert.deepEqual(Object.keys(confirmed), ["entity_id", "entity_type", "code_provider", "verified_at"]);

  const token = await sdk.auth.login("customer", "emailpass", { email, password });
  assert.equal(decodeJwt(token).actor_id, customer.id);
  assert.equal((await sdk.store.customer.retrieve()).customer.id, customer.id);
});

test("codes go only to the caller's own address, and admin users are never asked", async () => {
  const sdk = makeSdk(host);
  const { email, password } = newCredentials("verify-own");
  await sdk.auth.register("customer", "emailpass", { email, password });
  const stranger = newCredentials("stranger").email;

  await expectFetchError(
    sdk.auth.verification.request({ entity_id: stranger, entity_type: "email" }),
    400,
    "Verification entity does not belong to the authenticated identity",
  );
  assert.deepEqual(await verificationCodes(stranger), []);

  const admin = makeSdk(host);
  const token = await admin.auth.login("user", "emailpass", { email: host.admin.email, password: host.admin.password });
  assert.equal(decodeJwt(token).actor_id, host.admin.userId);
});
