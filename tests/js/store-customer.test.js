// The storefront customer flows through @medusajs/js-sdk 2.21.2 in JWT mode, against a real host.
import assert from "node:assert/strict";
import { after, before, describe, test } from "node:test";
import { startHost } from "./lib/host.js";
import { decodeJwt, expectFetchError, makeSdk, newCredentials, rawRequest, signUp } from "./lib/sdk.js";

let host;

before(async () => {
  host = await startHost();
});

after(async () => {
  await host?.stop();
});

describe("sign-up, login and profile (JWT mode)", () => {
  test("register → create customer → login → retrieve", async () => {
    const sdk = makeSdk(host);
    const { email, password } = newCredentials("signup");

    const registrationToken = await sdk.auth.register("customer", "emailpass", { email, password });
    const registration = decodeJwt(registrationToken);
    // Registering again before the customer exists, with the same password, is allowed and answers exactly {token}.
    const again = await rawRequest(host, "POST", "/auth/customer/emailpass/register", { body: { email, password } });
    assert.equal(again.status, 200);
    assert.deepEqual(Object.keys(again.json), ["token"]);
    assert.equal(decodeJwt(again.json.token).auth_identity_id, registration.auth_identity_id);
    assert.equal(registration.actor_id, "");
    assert.equal(registration.actor_type, "customer");
    assert.equal(registration.auth_provider, "emailpass");
    assert.match(registration.auth_identity_id, /^authid_/);
    assert.ok(registration.exp > registration.iat);

    // The registration token proves the identity only: /me refuses it.
    await expectFetchError(sdk.store.customer.retrieve(), 401, "Unauthorized");

    const metadata = { loyalty_level: "gold", preferences: { newsletter: true } };
    const { customer } = await sdk.store.customer.create({
      email,
      first_name: "Grace",
      last_name: "Hopper",
      phone: "+4512345678",
      metadata,
    });
    assert.match(customer.id, /^cus_/);
    assert.equal(customer.email, email);
    assert.equal(customer.first_name, "Grace");
    assert.equal(customer.last_name, "Hopper");
    assert.equal(customer.phone, "+4512345678");
    assert.equal(customer.has_account, true);
    assert.deepEqual(customer.metadata, metadata);
    assert.deepEqual(customer.addresses, []);
    assert.equal(customer.deleted_at, null);
    assert.ok(!Number.isNaN(Date.parse(customer.created_at)));

    const loginToken = await sdk.auth.login("customer", "emailpass", { email, password });
    assert.equal(typeof loginToken, "string");
    const login = decodeJwt(loginToken);
    assert.equal(login.actor_id, customer.id);
    assert.equal(login.actor_type, "customer");
    assert.equal(login.auth_identity_id, registration.auth_identity_id);
    assert.equal(login.app_metadata.customer_id, customer.id);

    const { customer: me } = await sdk.store.customer.retrieve();
    assert.equal(me.id, customer.id);
    assert.equal(me.email, email);
    assert.equal(me.first_name, "Grace");
    assert.equal(me.last_name, "Hopper");
    assert.equal(me.phone, "+4512345678");
    assert.deepEqual(me.metadata, metadata);
    assert.equal(me.has_account, true);

    // The Next.js starter asks for orders; this service has none, so the relation is an empty list.
    const { customer: withOrders } = await sdk.store.customer.retrieve({ fields: "*orders" });
    assert.equal(withOrders.id, customer.id);
    assert.deepEqual(withOrders.orders, []);

    // A linked customer cannot create a second customer.
    await expectFetchError(
      sdk.store.customer.create({ email: newCredentials().email }),
      400,
      "Request already authenticated as a customer.",
    );
  });

  test("the storefront's server-side style: no token storage, explicit authorization header", async () => {
    const { customer, token } = await signUp(host, { first_name: "Server", last_name: "Side" });
    const sdk = makeSdk(host, { storage: "nostore" });
    await expectFetchError(sdk.store.customer.retrieve(), 401, "Unauthorized");
    const { customer: me } = await sdk.store.customer.retrieve({}, { authorization: `Bearer ${token}` });
    assert.equal(me.id, customer.id);
    assert.equal(me.first_name, "Server");
  });

  test("update the profile: fields change, metadata merges, other fields are kept", async () => {
    const { sdk, customer } = await signUp(host, {
      first_name: "Alan",
      last_name: "Turing",
      phone: "111",
      metadata: { tier: "bronze", keep: 1 },
    });

    const { customer: updated } = await sdk.store.customer.update({
      first_name: "Alonzo",
      company_name: "Bletchley",
      metadata: { tier: "silver", added: { nested: true } },
    });
    assert.equal(updated.id, customer.id);
    assert.equal(updated.first_name, "Alonzo");
    assert.equal(updated.company_name, "Bletchley");
    assert.equal(updated.last_name, "Turing");
    assert.equal(updated.phone, "111");
    assert.equal(updated.email, customer.email);
    assert.deepEqual(updated.metadata, { tier: "silver", keep: 1, added: { nested: true } });
    assert.ok(Date.parse(updated.updated_at) >= Date.parse(customer.updated_at));

    // "" deletes a metadata key, null clears a field.
    const { customer: second } = await sdk.store.customer.update({ phone: null, metadata: { keep: "" } });
    assert.equal(second.phone, null);
    assert.deepEqual(second.metadata, { tier: "silver", added: { nested: true } });

    // The change is stored, not only echoed.
    const { customer: reread } = await sdk.store.customer.retrieve();
    assert.equal(reread.first_name, "Alonzo");
    assert.equal(reread.company_name, "Bletchley");
    assert.equal(reread.phone, null);
    assert.deepEqual(reread.metadata, { tier: "silver", added: { nested: true } });

    // The e-mail cannot be changed through the store API.
    await expectFetchError(sdk.store.customer.update({ email: "other@example.com" }), 400, /email/);
    const { customer: unchanged } = await sdk.store.customer.retrieve();
    assert.equal(unchanged.email, customer.email);
  });
});

describe("addresses", () => {
  test("create, list, retrieve, update and delete, with default shipping/billing exclusivity", async () => {
    const { sdk, customer } = await signUp(host, { label: "addr" });

    // 1st address: default for both.
    let { customer: c } = await sdk.store.customer.createAddress({
      address_name: "Home",
      first_name: "Ada",
      last_name: "Lovelace",
      address_1: "1 Main Street",
      city: "Copenhagen",
      country_code: "dk",
      postal_code: "1000",
      phone: "555",
      metadata: { floor: 3 },
      is_default_shipping: true,
      is_default_billing: true,
    });
    assert.equal(c.id, customer.id);
    assert.equal(c.addresses.length, 1);
    const home = c.addresses[0];
    assert.match(home.id, /^cuaddr_/);
    assert.equal(home.customer_id, customer.id);
    assert.equal(home.address_name, "Home");
    assert.equal(home.address_1, "1 Main Street");
    assert.equal(home.city, "Copenhagen");
    assert.equal(home.country_code, "dk");
    assert.equal(home.postal_code, "1000");
    assert.deepEqual(home.metadata, { floor: 3 });
    assert.equal(home.is_default_shipping, true);
    assert.equal(home.is_default_billing, true);

    // 2nd address takes default shipping only.
    ({ customer: c } = await sdk.store.customer.createAddress({
      address_name: "Work",
      address_1: "2 Office Road",
      city: "Aarhus",
      country_code: "dk",
      is_default_shipping: true,
    }));
    assert.equal(c.addresses.length, 2);
    const work = c.addresses.find((a) => a.address_name === "Work");
    assert.ok(work && work.id !== home.id);
    assert.equal(work.is_default_shipping, true);
    assert.equal(work.is_default_billing, false);
    let homeNow = c.addresses.find((a) => a.id === home.id);
    assert.equal(homeNow.is_default_shipping, false, "the old default shipping address lost its flag");
    assert.equal(homeNow.is_default_billing, true, "billing is handled on its own");

    // 3rd address takes default billing only.
    ({ customer: c } = await sdk.store.customer.createAddress({
      address_name: "Cabin",
      address_1: "3 Forest Lane",
      city: "Odense",
      country_code: "dk",
      is_default_billing: true,
    }));
    assert.equal(c.addresses.length, 3);
    const cabin = c.addresses.find((a) => a.address_name === "Cabin");
    homeNow = c.addresses.find((a) => a.id === home.id);
    assert.equal(cabin.is_default_billing, true);
    assert.equal(homeNow.is_default_billing, false);
    assert.deepEqual(defaults(c.addresses), { shipping: [work.id], billing: [cabin.id] });

    // List: exactly the three, with the Medusa list envelope.
    const list = await sdk.store.customer.listAddress();
    assert.equal(list.count, 3);
    assert.equal(list.offset, 0);
    assert.equal(list.limit, 50);
    assert.deepEqual(list.addresses.map((a) => a.id).sort(), [home.id, work.id, cabin.id].sort());
    assert.deepEqual(defaults(list.addresses), { shipping: [work.id], billing: [cabin.id] });

    const page = await sdk.store.customer.listAddress({ limit: 2, offset: 1 });
    assert.equal(page.count, 3);
    assert.equal(page.limit, 2);
    assert.equal(page.offset, 1);
    assert.equal(page.addresses.length, 2);

    const filtered = await sdk.store.customer.listAddress({ city: "Aarhus" });
    assert.equal(filtered.count, 1);
    assert.equal(filtered.addresses[0].id, work.id);

    // Retrieve one.
    const { address } = await sdk.store.customer.retrieveAddress(home.id);
    assert.equal(address.id, home.id);
    assert.equal(address.customer_id, customer.id);
    assert.equal(address.address_1, "1 Main Street");
    assert.equal(address.first_name, "Ada");
    assert.equal(address.is_default_shipping, false);

    // Partial update that also takes default shipping back.
    ({ customer: c } = await sdk.store.customer.updateAddress(home.id, {
      first_name: "Jane",
      is_default_shipping: true,
    }));
    homeNow = c.addresses.find((a) => a.id === home.id);
    assert.equal(homeNow.first_name, "Jane");
    assert.equal(homeNow.last_name, "Lovelace", "fields left out are unchanged");
    assert.equal(homeNow.address_1, "1 Main Street");
    assert.deepEqual(defaults(c.addresses), { shipping: [home.id], billing: [cabin.id] });

    // false does nothing to the others.
    ({ customer: c } = await sdk.store.customer.updateAddress(work.id, { is_default_billing: false, city: "Aalborg" }));
    assert.equal(c.addresses.find((a) => a.id === work.id).city, "Aalborg");
    assert.deepEqual(defaults(c.addresses), { shipping: [home.id], billing: [cabin.id] });

    // Delete: the envelope carries the customer id (Medusa quirk) and the parent customer.
    const deleted = await sdk.store.customer.deleteAddress(cabin.id);
    assert.equal(deleted.id, customer.id);
    assert.equal(deleted.object, "address");
    assert.equal(deleted.deleted, true);
    assert.equal(deleted.parent.id, customer.id);
    assert.deepEqual(deleted.parent.addresses.map((a) => a.id).sort(), [home.id, work.id].sort());

    await expectFetchError(
      sdk.store.customer.retrieveAddress(cabin.id),
      404,
      `Address with id: ${cabin.id} was not found`,
    );
    const after = await sdk.store.customer.listAddress();
    assert.equal(after.count, 2);
    assert.deepEqual(defaults(after.addresses), { shipping: [home.id], billing: [] });

    const { customer: me } = await sdk.store.customer.retrieve();
    assert.equal(me.addresses.length, 2);
  });

  test("another customer's address answers 404 and is left unchanged", async () => {
    const alice = await signUp(host, { label: "alice", first_name: "Alice" });
    const bob = await signUp(host, { label: "bob", first_name: "Bob" });
    const {
      customer: { addresses: [bobAddress] },
    } = await bob.sdk.store.customer.createAddress({ first_name: "Bob", address_1: "9 Bob Street", city: "Bobtown" });
    await alice.sdk.store.customer.createAddress({ first_name: "Alice", address_1: "1 Alice Road" });

    const notFound = `Address with id: ${bobAddress.id} was not found`;
    await expectFetchError(alice.sdk.store.customer.retrieveAddress(bobAddress.id), 404, notFound);
    await expectFetchError(
      alice.sdk.store.customer.updateAddress(bobAddress.id, { first_name: "Mallory" }),
      404,
      notFound,
    );
    await expectFetchError(alice.sdk.store.customer.deleteAddress(bobAddress.id), 404, notFound);

    const aliceList = await alice.sdk.store.customer.listAddress();
    assert.equal(aliceList.count, 1);
    assert.equal(aliceList.addresses[0].address_1, "1 Alice Road");
    assert.equal(aliceList.addresses[0].customer_id, alice.customer.id);

    const { address } = await bob.sdk.store.customer.retrieveAddress(bobAddress.id);
    assert.equal(address.first_name, "Bob");
    assert.equal(address.address_1, "9 Bob Street");
    assert.equal((await bob.sdk.store.customer.listAddress()).count, 1);

    // Alice deletes her own only address: she has none left, Bob still has his.
    const deleted = await alice.sdk.store.customer.deleteAddress(aliceList.addresses[0].id);
    assert.equal(deleted.id, alice.customer.id);
    assert.deepEqual(deleted.parent.addresses, []);
    assert.equal((await alice.sdk.store.customer.listAddress()).count, 0);
    assert.equal((await bob.sdk.store.customer.listAddress()).count, 1);
  });
});

describe("token refresh", () => {
  test("refreshing the registration token after creating the customer gives a customer token", async () => {
    const sdk = makeSdk(host);
    const { email, password } = newCredentials("refresh");
    const registrationToken = await sdk.auth.register("customer", "emailpass", { email, password });
    const { customer } = await sdk.store.customer.create({ email, first_name: "Re", last_name: "Fresh" });

    const { token } = await sdk.auth.refresh();
    const claims = decodeJwt(token);
    assert.notEqual(token, registrationToken);
    assert.equal(claims.actor_id, customer.id);
    assert.equal(claims.auth_identity_id, decodeJwt(registrationToken).auth_identity_id);
    assert.equal(claims.auth_provider, "emailpass");
    assert.equal(claims.app_metadata.customer_id, customer.id);

    // The SDK stored the refreshed token; /me now works.
    const { customer: me } = await sdk.store.customer.retrieve();
    assert.equal(me.id, customer.id);
    assert.equal(me.email, email);
  });

  test("refreshing a customer token keeps the actor and identity", async () => {
    const { sdk, customer, token } = await signUp(host, { label: "refresh2" });
    const before = decodeJwt(token);
    const { token: refreshed } = await sdk.auth.refresh();
    const afterClaims = decodeJwt(refreshed);
    assert.equal(afterClaims.actor_id, customer.id);
    assert.equal(afterClaims.actor_type, "customer");
    assert.equal(afterClaims.auth_identity_id, before.auth_identity_id);
    assert.equal(afterClaims.auth_provider, "emailpass");
    assert.ok(afterClaims.iat >= before.iat);
    assert.ok(afterClaims.exp >= before.exp);
    const { customer: me } = await sdk.store.customer.retrieve();
    assert.equal(me.id, customer.id);
  });
});

describe("errors surface as FetchError with Medusa's messages", () => {
  test("wrong password and unknown e-mail → 401 Invalid email or password", async () => {
    const { email } = await signUp(host, { label: "wrongpw" });
    const sdk = makeSdk(host);
    await expectFetchError(
      sdk.auth.login("customer", "emailpass", { email, password: "Wr0ng-password-123" }),
      401,
      "Invalid email or password",
    );
    await expectFetchError(
      sdk.auth.login("customer", "emailpass", newCredentials("nobody")),
      401,
      "Invalid email or password",
    );
    // The body behind the FetchError, exactly.
    const raw = await rawRequest(host, "POST", "/auth/customer/emailpass", {
      body: { email, password: "Wr0ng-password-123" },
    });
    assert.equal(raw.status, 401);
    assert.deepEqual(raw.json, { type: "unauthorized", message: "Invalid email or password" });
    // Nothing was stored by the failed logins.
    await expectFetchError(sdk.store.customer.retrieve(), 401, "Unauthorized");
  });

  test("a second account for the same e-mail → 422 duplicate; re-registering the identity → 401", async () => {
    const first = await signUp(host, { label: "dup" });

    // Another identity tries to create an account customer with the first customer's e-mail.
    const sdk = makeSdk(host);
    await sdk.auth.register("customer", "emailpass", newCredentials("dup2"));
    await expectFetchError(
      sdk.store.customer.create({ email: first.email, first_name: "Copy" }),
      422,
      "Customer with this email already has an account",
    );

    // Registering the same e-mail again once it is linked to a customer.
    await expectFetchError(
      makeSdk(host).auth.register("customer", "emailpass", { email: first.email, password: first.password }),
      401,
      "Identity with email already exists",
    );

    // The original account is intact.
    const { customer } = await first.sdk.store.customer.retrieve();
    assert.equal(customer.id, first.customer.id);
    assert.equal(customer.first_name, "Ada");
  });

  test("creating a customer without credentials → 401", async () => {
    await expectFetchError(
      makeSdk(host).store.customer.create({ email: newCredentials().email }),
      401,
      "Unauthorized",
    );
  });

  test("missing or unknown publishable key → 400 not_allowed", async () => {
    const { token } = await signUp(host, { label: "pk" });
    const auth = { authorization: `Bearer ${token}` };
    await expectFetchError(
      makeSdk(host, { publishableKey: null }).store.customer.retrieve({}, auth),
      400,
      "Publishable API key required in the request header: x-publishable-api-key. You can manage your keys in settings in the dashboard.",
    );
    await expectFetchError(
      makeSdk(host, { publishableKey: "pk_does_not_exist" }).store.customer.retrieve({}, auth),
      400,
      "A valid publishable key is required to proceed with the request",
    );
    // The header sent twice arrives comma-joined and is not a valid key either.
    const twice = await rawRequest(host, "GET", "/store/customers/me", {
      headers: { ...auth, "x-publishable-api-key": `${host.publishableKey}, ${host.publishableKey}` },
    });
    assert.equal(twice.status, 400);
    assert.deepEqual(twice.json, {
      type: "not_allowed",
      message: "A valid publishable key is required to proceed with the request",
    });
    // The real key works with the same token.
    const ok = await rawRequest(host, "GET", "/store/customers/me", { headers: auth });
    assert.equal(ok.status, 200);
  });
});

function defaults(addresses) {
  return {
    shipping: addresses.filter((a) => a.is_default_shipping).map((a) => a.id),
    billing: addresses.filter((a) => a.is_default_billing).map((a) => a.id),
  };
}
