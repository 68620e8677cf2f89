// The admin customer flows through @medusajs/js-sdk 2.21.2 (sdk.admin.*), against a real host: with a secret API key
// (`new Medusa({ baseUrl, apiKey })`, sent as HTTP Basic) and as an admin user signed in in session mode, as the
// Medusa admin dashboard does.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import Medusa from "@medusajs/js-sdk";
import { startHost } from "./lib/host.js";
import { expectFetchError, makeSdk, rawRequest, signUp } from "./lib/sdk.js";

let host;
let admin;

before(async () => {
  host = await startHost({ admin: true });
  admin = new Medusa({ baseUrl: host.baseUrl, apiKey: host.secretKey });
});

after(async () => {
  await host?.stop();
});

const adminCustomerKeys = [
  "id", "company_name", "first_name", "last_name", "email", "phone", "metadata", "has_account", "created_by",
  "created_at", "updated_at", "deleted_at",
];

describe("sdk.admin.customer with a secret API key", () => {
  test("create, list with q and filters, retrieve, update", async () => {
    const tag = randomUUID().slice(0, 8);
    const created = [];
    for (const [n, last_name] of [[1, "Doe"], [2, "Doe"], [3, "Roe"]]) {
      const { customer } = await admin.admin.customer.create({
        email: `${tag}-test${n}@email.com`,
        first_name: `First${n}`,
        last_name,
        metadata: { n },
      });
      assert.deepEqual(Object.keys(customer), adminCustomerKeys);
      assert.equal(customer.has_account, false);
      assert.equal(customer.created_by, host.secretKeyId);
      created.push(customer);
    }

    const all = await admin.admin.customer.list({ q: tag });
    assert.deepEqual(Object.keys(all), ["customers", "count", "offset", "limit"]);
    assert.equal(all.count, 3);
    assert.deepEqual(all.customers.map((c) => c.id), created.map((c) => c.id));

    const one = await admin.admin.customer.list({ q: `${tag}-test2@` });
    assert.deepEqual(one.customers.map((c) => c.id), [created[1].id]);

    const does = await admin.admin.customer.list({ q: tag, last_name: "Doe", order: "-email", limit: 1, offset: 1 });
    assert.equal(does.count, 2);
    assert.deepEqual(does.customers.map((c) => c.id), [created[0].id]);

    const filtered = await admin.admin.customer.list({
      has_account: false,
      created_at: { $gte: created[0].created_at },
      $or: [{ email: created[0].email }, { email: [created[2].email] }],
      fields: "id,email",
    });
    assert.deepEqual(filtered.customers, [
      { id: created[0].id, email: created[0].email },
      { id: created[2].id, email: created[2].email },
    ]);

    const { customer: read } = await admin.admin.customer.retrieve(created[0].id);
    assert.deepEqual(read, created[0]);

    const { customer: updated } = await admin.admin.customer.update(created[0].id, { first_name: "Changed", metadata: { n: "" } });
    assert.equal(updated.first_name, "Changed");
    assert.equal(updated.last_name, "Doe");
    assert.deepEqual(updated.metadata, {});
    const afterUpdate = await admin.admin.customer.list({ q: "Changed", email: created[0].email });
    assert.deepEqual(afterUpdate.customers.map((c) => c.id), [created[0].id]);

    await expectFetchError(
      admin.admin.customer.create({ email: created[1].email }),
      400,
      `Customer with email: ${created[1].email}, has_account: false, already exists.`,
    );
    await expectFetchError(admin.admin.customer.list({ order: "nope" }), 400, "Order field nope is not valid");
    await expectFetchError(admin.admin.customer.retrieve("cus_missing"), 404, "Customer with id: cus_missing not found");
  });

  test("addresses: create, list, retrieve, update, delete", async () => {
    const { customer } = await admin.admin.customer.create({ email: `addr-${randomUUID()}@email.com` });

    const withFirst = await admin.admin.customer.createAddress(customer.id, {
      first_name: "John",
      last_name: "Doe",
      address_1: "Huntingdon 123",
      city: "Aarhus",
      country_code: "dk",
      is_default_shipping: true,
    });
    assert.deepEqual(Object.keys(withFirst.customer), adminCustomerKeys); // no addresses unless fields asks
    await admin.admin.customer.createAddress(customer.id, { first_name: "Jane", address_1: "Hawkins 12", is_default_shipping: true });
    await admin.admin.customer.createAddress(customer.id, { first_name: "Jim", address_1: "Elm 3" });

    const { addresses, count } = await admin.admin.customer.listAddresses(customer.id);
    assert.equal(count, 3);
    assert.deepEqual(addresses.map((a) => a.first_name), ["John", "Jane", "Jim"]);
    assert.ok(!("is_default_shipping" in addresses[0]));
    const { customer: expanded } = await admin.admin.customer.retrieve(customer.id, { fields: "*addresses" });
    assert.deepEqual(expanded.addresses.filter((a) => a.is_default_shipping).map((a) => a.first_name), ["Jane"]);

    const { address } = await admin.admin.customer.retrieveAddress(customer.id, addresses[0].id);
    assert.equal(address.address_1, "Huntingdon 123");

    const updated = await admin.admin.customer.updateAddress(customer.id, addresses[2].id, { first_name: "James", is_default_shipping: true });
    assert.equal(updated.customer.id, customer.id);
    const { customer: afterUpdate } = await admin.admin.customer.retrieve(customer.id, { fields: "*addresses" });
    const jim = afterUpdate.addresses.find((a) => a.id === addresses[2].id);
    assert.equal(jim.first_name, "James");
    assert.deepEqual(afterUpdate.addresses.filter((a) => a.is_default_shipping).map((a) => a.id), [jim.id]);

    const deleted = await admin.admin.customer.deleteAddress(customer.id, addresses[1].id);
    assert.deepEqual(
      { id: deleted.id, object: deleted.object, deleted: deleted.deleted, parent: deleted.parent.id },
      { id: addresses[1].id, object: "customer_address", deleted: true, parent: customer.id },
    );
    assert.equal((await admin.admin.customer.listAddresses(customer.id)).count, 2);
  });

  test("delete: a soft delete, and an account customer loses its login", async () => {
    const { customer: guest } = await admin.admin.customer.create({ first_name: "Guest" });
    const removed = await admin.admin.customer.delete(guest.id);
    assert.deepEqual(removed, { id: guest.id, object: "customer", deleted: true });
    await expectFetchError(admin.admin.customer.retrieve(guest.id), 404, `Customer with id: ${guest.id} not found`);
    assert.deepEqual(await admin.admin.customer.delete("cus_missing"), { id: "cus_missing", object: "customer", deleted: true });

    const shopper = await signUp(host, { label: "deleted" });
    await admin.admin.customer.delete(shopper.customer.id);
    await expectFetchError(shopper.sdk.store.customer.retrieve(), 401, "Unauthorized");
    await expectFetchError(
      shopper.sdk.auth.login("customer", "emailpass", { email: shopper.email, password: shopper.password }),
      401,
      "Invalid email or password",
    );
    const listed = await admin.admin.customer.list({ email: shopper.email });
    assert.equal(listed.count, 0);
  });

  test("api keys: create a publishable key, see it work, revoke it, delete it", async () => {
    const { api_key: key } = await admin.admin.apiKey.create({ title: "storefront", type: "publishable" });
    assert.match(key.token, /^pk_[0-9a-f]{64}$/);
    const shopper = await signUp(host, { label: "pk" }, { sdk: makeSdk(host, { publishableKey: key.token }) });
    assert.ok(shopper.customer.id);

    const { api_keys } = await admin.admin.apiKey.list({ q: "storefront", type: "publishable" });
    assert.ok(api_keys.some((k) => k.id === key.id));
    const { api_key: revoked } = await admin.admin.apiKey.revoke(key.id);
    assert.equal(revoked.revoked_by, host.secretKeyId);
    await expectFetchError(shopper.sdk.store.customer.retrieve(), 400, "A valid publishable key is required to proceed with the request");
    assert.deepEqual(await admin.admin.apiKey.delete(key.id), { id: key.id, object: "api_key", deleted: true });
  });
});

describe("the admin dashboard's way in", () => {
  test("a user signs in in session mode and works with the cookie alone", async () => {
    const dashboard = makeSdk(host, { type: "session" });
    const token = await dashboard.auth.login("user", "emailpass", { email: host.admin.email, password: host.admin.password });
    assert.equal(typeof token, "string");
    assert.ok(dashboard.cookies.has("connect.sid"));

    const { user } = await dashboard.admin.user.me();
    assert.equal(user.id, host.admin.userId);
    assert.equal(user.email, host.admin.email);

    const { customer } = await dashboard.admin.customer.create({ email: `dash-${randomUUID()}@email.com` });
    assert.equal(customer.created_by, host.admin.userId);
    const { customers } = await dashboard.admin.customer.list({ q: customer.email, fields: "+*addresses" });
    assert.deepEqual(customers.map((c) => [c.id, c.addresses]), [[customer.id, []]]);

    await dashboard.auth.logout();
    await expectFetchError(dashboard.admin.customer.list(), 401, "Unauthorized");
  });

  test("deny by default: no credentials, a customer, a publishable key, a secret key as Bearer", async () => {
    const anonymous = new Medusa({ baseUrl: host.baseUrl, publishableKey: host.publishableKey });
    await expectFetchError(anonymous.admin.customer.list(), 401, "Unauthorized");
    await expectFetchError(anonymous.admin.customer.retrieve("cus_x"), 401, "Unauthorized");

    const shopper = await signUp(host, { label: "not-admin" });
    await expectFetchError(shopper.sdk.admin.customer.list(), 401, "Unauthorized");
    await expectFetchError(shopper.sdk.admin.user.me(), 401, "Unauthorized");

    const unknownPath = await rawRequest(host, "GET", "/admin/products");
    assert.equal(unknownPath.status, 401);
    assert.deepEqual(unknownPath.json, { message: "Unauthorized" });

    const bearer = await rawRequest(host, "GET", "/admin/customers", { headers: { authorization: `Bearer ${host.secretKey}` } });
    assert.equal(bearer.status, 401);
    assert.deepEqual(bearer.json, {
      message:
        "A secret API key was passed as a Bearer token. Secret API keys must be sent using HTTP Basic authentication instead (Authorization: Basic <secret-api-key>).",
    });
  });
});
