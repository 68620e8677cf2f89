// Multi-factor authentication through @medusajs/js-sdk 2.21.2 (sdk.auth.mfa.*), against a real host whose MFA key is
// generated beside its embedded database: enrolment, the challenge on login, recovery codes and disabling, for a
// customer in JWT mode and an admin user in session mode (as the admin dashboard signs in). TOTP codes are computed
// here from the returned secret.
import assert from "node:assert/strict";
import { after, before, test } from "node:test";
import { startHost } from "./lib/host.js";
import { decodeJwt, expectFetchError, makeSdk, signUp } from "./lib/sdk.js";
import { base32Decode, hotp, totp } from "./lib/totp.js";

const mfaRequired = "MFA verification is required to complete this request";
let host;

before(async () => {
  host = await startHost({ admin: true });
});

after(async () => {
  await host?.stop();
});

test("the test's TOTP matches the RFC 6238 vectors", () => {
  const seed = Buffer.from("12345678901234567890", "ascii");
  assert.deepEqual(base32Decode("GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ"), seed);
  for (const [seconds, code] of [[59, "94287082"], [1111111109, "07081804"], [1234567890, "89005924"], [2000000000, "69279037"]]) {
    assert.equal(hotp(seed, Math.floor(seconds / 30), 8), code);
  }
  assert.equal(hotp(seed, Math.floor(59 / 30)), "287082");
});

test("a customer enrols, is challenged on login, answers with TOTP or a recovery code, and disables MFA", async () => {
  const { sdk, email, password, customer } = await signUp(host, { label: "mfa" });

  const { mfa_factor: pending, secret, otpauth_url } = await sdk.auth.mfa.start({ provider: "totp", label: email });
  assert.equal(pending.status, "pending");
  assert.match(secret, /^[A-Z2-7]{32}$/);
  assert.equal(otpauth_url, `otpauth://totp/Medusa:${encodeURIComponent(email)}?secret=${secret}&issuer=Medusa`);
  await expectFetchError(sdk.auth.mfa.verify(pending.id, { code: "000000" === totp(secret) ? "111111" : "000000" }), 400, "Invalid TOTP code");
  const { mfa_factor: enabled } = await sdk.auth.mfa.verify(pending.id, { code: totp(secret) });
  assert.equal(enabled.status, "enabled");
  const { recovery_codes } = await sdk.auth.mfa.generateRecoveryCodes();
  assert.equal(recovery_codes.length, 10);
  const { mfa_factors } = await sdk.auth.mfa.list();
  assert.deepEqual(mfa_factors.map((f) => [f.id, f.status]), [[pending.id, "enabled"]]);

  const storefront = makeSdk(host);
  const result = await storefront.auth.login("customer", "emailpass", { email, password });
  assert.equal(result.mfa_required, true);
  assert.deepEqual(result.mfa_challenge.methods, ["totp", "recovery_code"]);
  await expectFetchError(storefront.store.customer.retrieve(), 401, mfaRequired);
  const token = await storefront.auth.mfa.verifyChallenge(result.mfa_challenge.id, { method: "totp", code: totp(secret, 1) });
  assert.equal(decodeJwt(token).actor_id, customer.id);
  assert.equal(decodeJwt(token).mfa_enabled, true);
  assert.match(decodeJwt(token).mfa_challenge_completed_at, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  assert.equal((await storefront.store.customer.retrieve()).customer.id, customer.id);

  // The same code again (replay) is refused; a recovery code works once.
  const second = makeSdk(host);
  const again = await second.auth.login("customer", "emailpass", { email, password });
  await expectFetchError(second.auth.mfa.verifyChallenge(again.mfa_challenge.id, { method: "totp", code: totp(secret, 1) }), 400, "Invalid MFA challenge code");
  await second.auth.mfa.verifyChallenge(again.mfa_challenge.id, { method: "recovery_code", code: recovery_codes[0] });
  assert.equal((await second.store.customer.retrieve()).customer.id, customer.id);
  const third = makeSdk(host);
  const once = await third.auth.login("customer", "emailpass", { email, password });
  await expectFetchError(third.auth.mfa.verifyChallenge(once.mfa_challenge.id, { method: "recovery_code", code: recovery_codes[0] }), 400, "Invalid MFA challenge code");

  // Disabling (default policy: no code) turns logins back into plain tokens.
  const { mfa_factor: disabled } = await second.auth.mfa.disable(pending.id);
  assert.equal(disabled.status, "disabled");
  const plain = await makeSdk(host).auth.login("customer", "emailpass", { email, password });
  assert.equal(typeof plain, "string");
  assert.equal(decodeJwt(plain).mfa_enabled, false);
});

test("an admin user in session mode enrols and then signs in through the challenge, as the dashboard does", async () => {
  const dashboard = makeSdk(host, { type: "session" });
  await dashboard.auth.login("user", "emailpass", { email: host.admin.email, password: host.admin.password });
  const { mfa_factor, secret } = await dashboard.auth.mfa.start({ provider: "totp" });
  await dashboard.auth.mfa.verify(mfa_factor.id, { code: totp(secret) });
  const { recovery_codes } = await dashboard.auth.mfa.generateRecoveryCodes({ count: 3 });
  assert.equal(recovery_codes.length, 3);
  assert.equal((await dashboard.admin.user.me()).user.id, host.admin.userId);

  const next = makeSdk(host, { type: "session" });
  const result = await next.auth.login("user", "emailpass", { email: host.admin.email, password: host.admin.password });
  assert.ok("mfa_challenge" in result);
  await expectFetchError(next.admin.user.me(), 401, mfaRequired);
  await next.auth.mfa.verifyChallenge(result.mfa_challenge.id, { method: "totp", code: totp(secret, 1) });
  assert.equal((await next.admin.user.me()).user.id, host.admin.userId);

  await next.auth.mfa.disable(mfa_factor.id);
  assert.equal(typeof (await makeSdk(host).auth.login("user", "emailpass", { email: host.admin.email, password: host.admin.password })), "string");
});

test("a token from before enrolment stops working once the factor is enabled; the enrolling session keeps working", async () => {
  const { sdk: before, email, password } = await signUp(host, { label: "mfa-old" });
  const enrolling = makeSdk(host, { type: "session" });
  await enrolling.auth.login("customer", "emailpass", { email, password });
  const { mfa_factor, secret } = await enrolling.auth.mfa.start({ provider: "totp" });
  await enrolling.auth.mfa.verify(mfa_factor.id, { code: totp(secret) });

  await expectFetchError(before.store.customer.retrieve(), 401, "Unauthorized");
  await enrolling.store.customer.retrieve();
});
