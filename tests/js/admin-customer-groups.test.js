// Customer groups through @medusajs/js-sdk 2.21.2: sdk.admin.customerGroup.* and
// sdk.admin.customer.batchCustomerGroups, with a secret API key and as an admin user in session mode (the dashboard),
// including the queries the Medusa admin dashboard sends on its group pages.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { after, before, describe, test } from "node:test";
import Medusa from "@medusajs/js-sdk";
import { startHost } from "./lib/host.js";
import { expectFetchError, makeSdk, signUp } from "./lib/sdk.js";

let host;
let admin;

before(async () => {
  host = await startHost({ admin: true });
  admin = new Medusa({ baseUrl: host.baseUrl, apiKey: host.secretKey });
});

after(async () => {
  await host?.stop();
});

const groupKeys = ["id", "name", "created_by", "created_at", "updated_at", "deleted_at", "metadata"];
const tagged = (label) => `${label}-${randomUUID().slice(0, 8)}`;

async function guests(count, tag) {
  const ids = [];
  for (let i = 0; i < count; i++) {
    const { customer } = await admin.admin.customer.create({ email: `${tag}-${i}@email.com`, first_name: `Member${i}` });
    ids.push(customer.id);
  }
  return ids;
}

describe("sdk.admin.customerGroup with a secret API key", () => {
  test("create, retrieve, update, list, delete", async () => {
    const name = tagged("vip-customers");
    const { customer_group: group } = await admin.admin.customerGroup.create({ name, metadata: { data1: "value1" } });
    assert.deepEqual(Object.keys(group), groupKeys);
    assert.match(group.id, /^cusgroup_[0-9A-Z]{26}$/);
    assert.equal(group.name, name);
    assert.equal(group.created_by, host.secretKeyId);
    assert.deepEqual(group.metadata, { data1: "value1" });

    await expectFetchError(admin.admin.customerGroup.create({ name }), 400, `Customer group with name: ${name}, already exists.`);
    await expectFetchError(admin.admin.customerGroup.create({}), 400, "Invalid request: Field 'name' is required");

    const { customer_group: read } = await admin.admin.customerGroup.retrieve(group.id);
    assert.deepEqual(read, group);
    const { customer_group: withCustomers } = await admin.admin.customerGroup.retrieve(group.id, { fields: "*customers" });
    assert.deepEqual(withCustomers.customers, []);

    const renamed = tagged("vip-customers-v2");
    const { customer_group: updated } = await admin.admin.customerGroup.update(
      group.id,
      { name: renamed, metadata: { metaKey1: "metaValue1" } },
      { fields: "*customers" },
    );
    assert.equal(updated.name, renamed);
    assert.deepEqual(updated.metadata, { data1: "value1", metaKey1: "metaValue1" });
    assert.deepEqual(updated.customers, []);

    const listed = await admin.admin.customerGroup.list({ q: renamed });
    assert.deepEqual(Object.keys(listed), ["customer_groups", "count", "offset", "limit"]);
    assert.equal(listed.count, 1);
    assert.deepEqual(listed.customer_groups, [updated].map(({ customers, ...rest }) => rest));

    const deleted = await admin.admin.customerGroup.delete(group.id);
    assert.deepEqual(deleted, { id: group.id, object: "customer_group", deleted: true });
    await expectFetchError(admin.admin.customerGroup.retrieve(group.id), 404, `Customer group with id: ${group.id} not found`);
    await expectFetchError(
      admin.admin.customerGroup.update(group.id, { name: "x" }),
      404,
      `Customer group with id "${group.id}" not found`,
    );
    assert.equal((await admin.admin.customerGroup.list({ q: renamed })).count, 0);
    // The name is free again once the group is deleted.
    const { customer_group: again } = await admin.admin.customerGroup.create({ name: renamed });
    assert.equal(again.name, renamed);
  });

  test("batchCustomers adds and removes members, seen from both sides", async () => {
    const tag = tagged("members");
    const { customer_group: group } = await admin.admin.customerGroup.create({ name: tag });
    const ids = await guests(3, tag);

    const { customer_group: afterAdd } = await admin.admin.customerGroup.batchCustomers(group.id, { add: ids });
    assert.deepEqual(afterAdd, group);
    const { customer_group: members } = await admin.admin.customerGroup.retrieve(group.id, { fields: "*customers" });
    assert.deepEqual(members.customers.map((c) => c.id), ids);
    assert.deepEqual(Object.keys(members.customers[0]), [
      "id", "company_name", "first_name", "last_name", "email", "phone", "has_account", "metadata", "created_by",
      "created_at", "updated_at", "deleted_at",
    ]);

    const { customer } = await admin.admin.customer.retrieve(ids[0], { fields: "*groups" });
    assert.deepEqual(customer.groups.map((g) => [g.id, g.name]), [[group.id, tag]]);
    assert.deepEqual(Object.keys(customer.groups[0]), ["id", "name", "metadata", "created_by", "created_at", "updated_at", "deleted_at"]);

    // The customer list filtered by group, in the forms the SDK (qs, indices) and the dashboard send.
    for (const groups of [group.id, [group.id], { id: group.id }, { name: tag }]) {
      const { customers, count } = await admin.admin.customer.list({ groups, fields: "id" });
      assert.equal(count, 3, JSON.stringify(groups));
      assert.deepEqual(customers.map((c) => c.id), ids);
    }

    await admin.admin.customerGroup.batchCustomers(group.id, { add: [ids[0]], remove: [ids[1], ids[2]] });
    assert.deepEqual((await admin.admin.customer.list({ groups: [group.id] })).customers.map((c) => c.id), [ids[0]]);

    await expectFetchError(
      admin.admin.customerGroup.batchCustomers("does-not-exist", { add: [ids[0]] }),
      404,
      "You tried to set relationship customer_group_id: does-not-exist, but such entity does not exist",
    );
    await expectFetchError(
      admin.admin.customerGroup.batchCustomers(group.id, { add: [ids[1], "cus_missing"] }),
      404,
      "You tried to set relationship customer_id: cus_missing, but such entity does not exist",
    );
    assert.deepEqual((await admin.admin.customer.list({ groups: group.id })).customers.map((c) => c.id), [ids[0]]);
  });

  test("batchCustomerGroups manages one customer's groups", async () => {
    const tag = tagged("a11");
    const [customerId] = await guests(1, tag);
    const groups = [];
    for (const n of [1, 2, 3]) {
      groups.push((await admin.admin.customerGroup.create({ name: `${tag}-group${n}` })).customer_group);
    }

    const { customer } = await admin.admin.customer.batchCustomerGroups(customerId, { add: groups.map((g) => g.id) });
    assert.equal(customer.id, customerId);
    assert.equal(customer.groups, undefined); // the default admin shape has no groups

    await admin.admin.customer.batchCustomerGroups(customerId, { remove: [groups[1].id] });
    const { customer: read } = await admin.admin.customer.retrieve(customerId, { fields: "id,groups.name" });
    assert.deepEqual(read, { id: customerId, groups: [{ name: `${tag}-group1` }, { name: `${tag}-group3` }] });

    await expectFetchError(
      admin.admin.customer.batchCustomerGroups(customerId, { add: ["cusgroup_missing"] }),
      404,
      "You tried to set relationship customer_group_id: cusgroup_missing, but such entity does not exist",
    );
    await expectFetchError(
      admin.admin.customer.batchCustomerGroups("cus_missing", { add: [groups[0].id] }),
      404,
      "You tried to set relationship customer_id: cus_missing, but such entity does not exist",
    );

    // Deleting a group takes it out of its members' groups and out of the customer list's group filter.
    await admin.admin.customerGroup.delete(groups[0].id);
    const { customer: afterDelete } = await admin.admin.customer.retrieve(customerId, { fields: "*groups" });
    assert.deepEqual(afterDelete.groups.map((g) => g.id), [groups[2].id]);
    assert.equal((await admin.admin.customer.list({ groups: groups[0].id })).count, 0);
  });
});

describe("the admin dashboard's group pages", () => {
  test("a signed-in user lists groups with their member ids and filters by member", async () => {
    const dashboard = makeSdk(host, { type: "session" });
    await dashboard.auth.login("user", "emailpass", { email: host.admin.email, password: host.admin.password });
    const tag = tagged("dash");
    const { customer_group: group } = await dashboard.admin.customerGroup.create({ name: `${tag}-First group` });
    assert.equal(group.created_by, host.admin.userId);
    const { customer_group: other } = await dashboard.admin.customerGroup.create({ name: `${tag}-Second group` });
    const ids = await guests(2, tag);
    await dashboard.admin.customerGroup.batchCustomers(group.id, { add: ids });

    const page = await dashboard.admin.customerGroup.list({
      q: tag,
      limit: 20,
      offset: 0,
      order: "name",
      fields: "id,name,created_at,updated_at,customers.id",
    });
    assert.equal(page.count, 2);
    assert.deepEqual(page.customer_groups.map((g) => [g.id, g.customers]), [
      [group.id, ids.map((id) => ({ id }))],
      [other.id, []],
    ]);
    assert.deepEqual(Object.keys(page.customer_groups[0]), ["id", "name", "created_at", "updated_at", "customers"]);

    // The customer detail page: which groups hold this customer.
    const ofCustomer = await dashboard.admin.customerGroup.list({ customers: { id: ids[0] }, fields: "+customers.id" });
    assert.deepEqual(ofCustomer.customer_groups.map((g) => g.id), [group.id]);

    // The "add customers" picker and the group page's member list.
    const picker = await dashboard.admin.customer.list({ q: tag, fields: "id,email,first_name,last_name,has_account,*groups" });
    assert.deepEqual(picker.customers.map((c) => c.groups.map((g) => g.id)), [[group.id], [group.id]]);
    const memberList = await dashboard.admin.customer.list({ groups: group.id, limit: 20, offset: 0 });
    assert.deepEqual(memberList.customers.map((c) => c.id), ids);
  });

  test("groups are admin only", async () => {
    const shopper = await signUp(host, { label: "not-admin" });
    await expectFetchError(shopper.sdk.admin.customerGroup.list(), 401, "Unauthorized");
    await expectFetchError(shopper.sdk.admin.customerGroup.create({ name: "x" }), 401, "Unauthorized");
    await expectFetchError(shopper.sdk.admin.customer.batchCustomerGroups(shopper.customer.id, { add: [] }), 401, "Unauthorized");
  });
});
