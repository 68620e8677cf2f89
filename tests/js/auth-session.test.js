// Session mode (cookie auth, as the admin dashboard and some storefronts use it) and logout.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startHost } from "./lib/host.js";
import { decodeJwt, expectFetchError, makeSdk, newCredentials, rawRequest } from "./lib/sdk.js";

let host;

before(async () => {
  host = await startHost();
});

after(async () => {
  await host?.stop();
});

// Revocation reaches every silo within 5 s (docs: shared security baseline); bounded, then fails.
async function eventually(check, { timeoutMs = 5000, intervalMs = 100 } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (error) {
      if (Date.now() >= deadline) {
        throw error;
      }
      await new Promise((r) => setTimeout(r, intervalMs));
    }
  }
}

test("session mode: login makes a cookie session, refresh re-posts it, logout ends it and revokes the tokens", async () => {
  const sdk = makeSdk(host, { type: "session" });
  const { email, password } = newCredentials("session");

  // Registration returns a token but makes no session; the customer is created with that token explicitly.
  const registrationToken = await sdk.auth.register("customer", "emailpass", { email, password });
  assert.equal(sdk.cookies.size, 0);
  await expectFetchError(sdk.store.customer.create({ email, first_name: "Sess" }), 401, "Unauthorized");
  const { customer } = await sdk.store.customer.create(
    { email, first_name: "Sess", last_name: "Ion" },
    {},
    { authorization: `Bearer ${registrationToken}` },
  );
  assert.match(customer.id, /^cus_/);

  // Login: POST /auth/customer/emailpass, then POST /auth/session with the token as Bearer.
  const loginToken = await sdk.auth.login("customer", "emailpass", { email, password });
  assert.equal(decodeJwt(loginToken).actor_id, customer.id);
  assert.ok(sdk.cookies.has("connect.sid"), `cookies after login: ${[...sdk.cookies.keys()]}`);
  const firstCookie = `connect.sid=${sdk.cookies.get("connect.sid")}`;

  // Requests now carry only the cookie (session mode sends no Authorization header).
  const { customer: me } = await sdk.store.customer.retrieve();
  assert.equal(me.id, customer.id);
  assert.equal(me.email, email);

  const { customer: updated } = await sdk.store.customer.update({ company_name: "Cookie Co" });
  assert.equal(updated.company_name, "Cookie Co");
  const { customer: withAddress } = await sdk.store.customer.createAddress({ address_1: "7 Session St", is_default_billing: true });
  assert.equal(withAddress.addresses.length, 1);
  assert.equal(withAddress.addresses[0].is_default_billing, true);

  // Refresh authenticates with the session and stores the new token in the session again.
  const { token: refreshedToken } = await sdk.auth.refresh();
  assert.equal(decodeJwt(refreshedToken).actor_id, customer.id);
  assert.ok(sdk.cookies.has("connect.sid"));
  const { customer: afterRefresh } = await sdk.store.customer.retrieve();
  assert.equal(afterRefresh.id, customer.id);
  assert.equal(afterRefresh.company_name, "Cookie Co");
  const liveCookie = `connect.sid=${sdk.cookies.get("connect.sid")}`;

  // Before logout the saved credentials work on their own.
  assert.equal((await rawRequest(host, "GET", "/store/customers/me", { headers: { cookie: liveCookie } })).status, 200);
  assert.equal(
    (await rawRequest(host, "GET", "/store/customers/me", { headers: { authorization: `Bearer ${loginToken}` } })).status,
    200,
  );

  // Logout: DELETE /auth/session; the server expires the cookie.
  await sdk.auth.logout();
  assert.equal(sdk.cookies.has("connect.sid"), false, "the cookie was expired by the logout response");
  await expectFetchError(sdk.store.customer.retrieve(), 401, "Unauthorized");

  // The old session cookies no longer authenticate.
  for (const cookie of new Set([firstCookie, liveCookie])) {
    const replay = await rawRequest(host, "GET", "/store/customers/me", { headers: { cookie } });
    assert.equal(replay.status, 401, `old session cookie: ${replay.text}`);
    assert.equal(replay.json?.message, "Unauthorized");
  }

  // Logout revokes the identity's earlier tokens too, so the old bearer tokens stop working.
  for (const token of [loginToken, refreshedToken]) {
    await eventually(async () => {
      const replay = await rawRequest(host, "GET", "/store/customers/me", { headers: { authorization: `Bearer ${token}` } });
      assert.equal(replay.status, 401, `old bearer token after logout: ${replay.status} ${replay.text}`);
    });
    await expectFetchError(
      makeSdk(host, { storage: "nostore" }).store.customer.retrieve({}, { authorization: `Bearer ${token}` }),
      401,
      "Unauthorized",
    );
  }

  // DELETE /auth/session without a session → 401.
  const again = await rawRequest(host, "DELETE", "/auth/session");
  assert.equal(again.status, 401);

  // Logging in again works and gives a fresh session.
  await sdk.auth.login("customer", "emailpass", { email, password });
  assert.ok(sdk.cookies.has("connect.sid"));
  assert.notEqual(`connect.sid=${sdk.cookies.get("connect.sid")}`, liveCookie);
  const { customer: back } = await sdk.store.customer.retrieve();
  assert.equal(back.id, customer.id);
  assert.equal(back.addresses.length, 1);
});

test("session login with a wrong password makes no session", async () => {
  const sdk = makeSdk(host, { type: "session" });
  const { email, password } = newCredentials("session-bad");
  await sdk.auth.register("customer", "emailpass", { email, password });
  await expectFetchError(
    sdk.auth.login("customer", "emailpass", { email, password: `${password}-nope` }),
    401,
    "Invalid email or password",
  );
  assert.equal(sdk.cookies.has("connect.sid"), false);
  await expectFetchError(sdk.store.customer.retrieve(), 401, "Unauthorized");
});
