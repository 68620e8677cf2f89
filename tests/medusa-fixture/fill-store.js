// Fills a Medusa 2.21 database through Medusa itself (`medusa exec ./fill-store.js`, after `medusa db:migrate`):
// its workflows and module services write every row, so the import tests read exactly what a real store holds.
// What it made (ids, e-mails, passwords) is written as JSON to the file named by FIXTURE_OUT.
const fs = require("node:fs")
const { Modules } = require("@medusajs/framework/utils")
const {
  createCustomerAccountWorkflow,
  createCustomersWorkflow,
  createCustomerAddressesWorkflow,
  createCustomerGroupsWorkflow,
  linkCustomersToCustomerGroupWorkflow,
} = require("@medusajs/core-flows")

// Guests beyond the named customers, so an interrupted import can stop halfway through several batches.
const GUESTS = Number(process.env.FIXTURE_GUESTS ?? 40)

exports.default = async function fillStore({ container }) {
  const auth = container.resolve(Modules.AUTH)
  const customerModule = container.resolve(Modules.CUSTOMER)
  const out = { customers: [], groups: {}, skippedIdentities: [] }

  const [vip, wholesale, retired] = (await createCustomerGroupsWorkflow(container).run({
    input: {
      customersData: [
        { name: "VIP", metadata: { tier: 1 } },
        { name: "Wholesale" },
        { name: "Retired" },
      ],
    },
  })).result
  await customerModule.softDeleteCustomerGroups([retired.id])
  out.groups = { vip: vip.id, wholesale: wholesale.id, retired: retired.id }

  // The customer sign-up of a storefront: register an emailpass identity (Medusa hashes the password with its
  // default scrypt-kdf parameters), then create the customer linked to it.
  async function signUp(email, password, data) {
    const { success, authIdentity, error } = await auth.register("emailpass", { body: { email, password } })
    if (!success) throw new Error(`register ${email}: ${error}`)
    return linkedCustomer(authIdentity.id, email, data)
  }

  async function linkedCustomer(authIdentityId, email, data) {
    const { result } = await createCustomerAccountWorkflow(container).run({
      input: { authIdentityId, customerData: { email, ...data } },
    })
    return { id: result.id, authIdentityId }
  }

  async function addresses(customerId, list) {
    const { result } = await createCustomerAddressesWorkflow(container).run({
      input: { addresses: list.map((a) => ({ customer_id: customerId, ...a })) },
    })
    return result.map((a) => a.id)
  }

  const alice = await signUp("alice@medusa.example", "Alice-Medusa-Pass-1", {
    first_name: "Alice", last_name: "Liddell", phone: "+44 20 7946 0001", company_name: "Wonder Ltd",
    metadata: { loyalty: "gold", points: 1200 },
  })
  alice.addressIds = await addresses(alice.id, [
    { address_name: "Home", first_name: "Alice", last_name: "Liddell", address_1: "1 Rabbit Hole", city: "Oxford",
      country_code: "gb", postal_code: "OX1 1AA", is_default_shipping: true, is_default_billing: true,
      metadata: { door: "blue" } },
    { address_name: "Office", company: "Wonder Ltd", address_1: "2 Looking Glass Lane", address_2: "Floor 3",
      city: "London", province: "Greater London", country_code: "gb", postal_code: "EC1A 1BB", phone: "+44 20 7946 0002" },
  ])
  out.customers.push({ ...alice, email: "alice@medusa.example", password: "Alice-Medusa-Pass-1", groups: [vip.id, wholesale.id] })

  const bob = await signUp("bob@medusa.example", "Bob-Medusa-Pass-2", { first_name: "Bob", last_name: "Builder" })
  bob.addressIds = await addresses(bob.id, [{ address_1: "3 Yard Road", city: "Leeds", country_code: "gb" }])
  out.customers.push({ ...bob, email: "bob@medusa.example", password: "Bob-Medusa-Pass-2", groups: [vip.id] })

  // Social logins: Google and GitHub identities keep their provider subject.
  for (const [name, provider, subject] of [["erin", "google", "google-subject-erin"], ["frank", "github", "4242"]]) {
    const [identity] = await auth.createAuthIdentities([{
      provider_identities: [{ provider, entity_id: subject, user_metadata: { email: `${name}@medusa.example`, name } }],
    }])
    const customer = await linkedCustomer(identity.id, `${name}@medusa.example`, { first_name: name })
    out.customers.push({ ...customer, email: `${name}@medusa.example`, provider, subject, groups: [] })
  }

  // Hashes made by the npm scrypt-kdf package with parameters other than Medusa's defaults, stored through Medusa's
  // auth module as its emailpass provider stores them (base64 in provider_metadata.password).
  const { default: Scrypt } = await import("scrypt-kdf")
  for (const [name, params] of [["grace", { logN: 10, r: 4, p: 2 }], ["heidi", { logN: 12, r: 16, p: 1 }]]) {
    const email = `${name}@medusa.example`
    const password = `${name}-scrypt-${params.logN}-${params.r}-${params.p}`
    const hash = Buffer.from(await Scrypt.kdf(password, params)).toString("base64")
    const [identity] = await auth.createAuthIdentities([{
      provider_identities: [{ provider: "emailpass", entity_id: email, provider_metadata: { password: hash } }],
    }])
    const customer = await linkedCustomer(identity.id, email, { first_name: name })
    out.customers.push({ ...customer, email, password, scrypt: params, groups: [wholesale.id] })
  }

  // A guest (no account), and a customer Medusa soft-deleted (with its address).
  const { result: [carol, dave] } = await createCustomersWorkflow(container).run({
    input: { customersData: [
      { email: "carol@medusa.example", first_name: "Carol", metadata: { source: "checkout" } },
      { email: "dave@medusa.example", first_name: "Dave" },
    ] },
  })
  const daveAddresses = await addresses(dave.id, [{ address_1: "4 Gone Street", city: "York", country_code: "gb" }])
  await customerModule.softDeleteCustomers([dave.id])
  out.customers.push({ id: carol.id, email: "carol@medusa.example", groups: [vip.id] })
  out.customers.push({ id: dave.id, email: "dave@medusa.example", deleted: true, addressIds: daveAddresses, groups: [] })

  const { result: guests } = await createCustomersWorkflow(container).run({
    input: { customersData: Array.from({ length: GUESTS }, (_, i) => ({ email: `guest-${i}@medusa.example`, last_name: `Guest ${i}` })) },
  })
  out.guestIds = guests.map((g) => g.id)

  for (const customer of out.customers) {
    for (const groupId of customer.groups) {
      await linkCustomersToCustomerGroupWorkflow(container).run({ input: { id: groupId, add: [customer.id] } })
    }
  }

  // An admin user's identity: not a customer, so not imported.
  const [admin] = await auth.createAuthIdentities([{
    provider_identities: [{ provider: "emailpass", entity_id: "admin@medusa.example" }],
    app_metadata: { user_id: "user_medusa_admin" },
  }])
  out.skippedIdentities.push(admin.id)

  fs.writeFileSync(process.env.FIXTURE_OUT, JSON.stringify(out, null, 2))
}
