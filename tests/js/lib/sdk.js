// SDK construction and small helpers shared by the test files.
import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import Medusa, { FetchError } from "@medusajs/js-sdk";

export { FetchError };

const JAR_HEADER = "x-test-cookie-jar";
const jars = new Map();
let realFetch;

/**
 * Node's fetch keeps no cookies, so session mode (credentials: "include") cannot work in Node as it does in a
 * browser. This installs a fetch that behaves like a browser's cookie store for the SDK instances made with
 * `makeSdk({ type: "session" })`: each instance gets its own jar, named by a header that the wrapper removes
 * before the request leaves the process. Requests without that header are passed through untouched.
 */
function installCookieJarFetch() {
  if (realFetch) {
    return;
  }
  realFetch = globalThis.fetch;
  globalThis.fetch = async (input, init = {}) => {
    const headers = new Headers(init.headers);
    const jarId = headers.get(JAR_HEADER);
    if (!jarId) {
      return realFetch(input, init);
    }
    headers.delete(JAR_HEADER);
    const jar = jars.get(jarId);
    if (jar.size > 0 && !headers.has("cookie")) {
      headers.set("cookie", [...jar].map(([name, value]) => `${name}=${value}`).join("; "));
    }
    const response = await realFetch(input, { ...init, headers });
    for (const line of response.headers.getSetCookie()) {
      applySetCookie(jar, line);
    }
    return response;
  };
}

function applySetCookie(jar, line) {
  const [pair, ...attributes] = line.split(";").map((part) => part.trim());
  const eq = pair.indexOf("=");
  const name = pair.slice(0, eq);
  const value = pair.slice(eq + 1);
  let expired = value === "";
  for (const attribute of attributes) {
    const [key, val = ""] = attribute.split("=");
    if (key.toLowerCase() === "expires" && Date.parse(val) <= Date.now()) {
      expired = true;
    }
    if (key.toLowerCase() === "max-age" && Number(val) <= 0) {
      expired = true;
    }
  }
  if (expired) {
    jar.delete(name);
  } else {
    jar.set(name, value);
  }
}

/**
 * A Medusa SDK client for the host. JWT mode keeps the token in memory (Node has no localStorage, and the SDK's
 * default "nostore" would drop it). Session mode returns the client's cookie jar as `sdk.cookies`.
 */
export function makeSdk(host, { type = "jwt", publishableKey = host.publishableKey, storage = "memory" } = {}) {
  const config = { baseUrl: host.baseUrl, publishableKey, auth: { type } };
  if (type === "jwt") {
    config.auth.jwtTokenStorageMethod = storage;
  }
  let cookies;
  if (type === "session") {
    installCookieJarFetch();
    const jarId = randomUUID();
    cookies = new Map();
    jars.set(jarId, cookies);
    config.globalHeaders = { [JAR_HEADER]: jarId };
  }
  const sdk = new Medusa(config);
  sdk.cookies = cookies;
  return sdk;
}

/** A unique e-mail and a random password that passes the host's policy (8-128 chars, not a common password). */
export function newCredentials(label = "js") {
  return {
    email: `${label}-${randomUUID()}@example.com`,
    password: `Str0ng-${randomBytes(9).toString("base64url")}`,
  };
}

/** The claims of a JWT (no verification: the tests only read what the server put in). */
export function decodeJwt(token) {
  const [, payload] = token.split(".");
  return JSON.parse(Buffer.from(payload, "base64url").toString("utf8"));
}

/**
 * The storefront sign-up: register → create the customer with the registration token → log in.
 * Returns { sdk, email, password, customer, token } with the SDK holding the customer token.
 */
export async function signUp(host, profile = {}, { sdk = makeSdk(host) } = {}) {
  const { email, password } = newCredentials(profile.label);
  await sdk.auth.register("customer", "emailpass", { email, password });
  const { customer } = await sdk.store.customer.create({
    email,
    first_name: profile.first_name ?? "Ada",
    last_name: profile.last_name ?? "Lovelace",
    ...(profile.phone !== undefined ? { phone: profile.phone } : {}),
    ...(profile.metadata !== undefined ? { metadata: profile.metadata } : {}),
  });
  const token = await sdk.auth.login("customer", "emailpass", { email, password });
  return { sdk, email, password, customer, token };
}

/** Awaits a promise that must fail with a FetchError of this status and message. */
export async function expectFetchError(promise, status, message) {
  await assert.rejects(promise, (error) => {
    assert.ok(error instanceof FetchError, `expected a FetchError, got ${error?.constructor?.name}: ${error?.message}`);
    assert.equal(error.status, status, `status (message was ${JSON.stringify(error.message)})`);
    if (message instanceof RegExp) {
      assert.match(error.message, message);
    } else if (message !== undefined) {
      assert.equal(error.message, message);
    }
    return true;
  });
}

/** A raw request (no SDK), for things the SDK cannot express, such as replaying an old cookie. */
export async function rawRequest(host, method, path, { headers = {}, body } = {}) {
  const response = await (realFetch ?? fetch)(`${host.baseUrl}${path}`, {
    method,
    headers: {
      "x-publishable-api-key": host.publishableKey,
      ...(body !== undefined ? { "content-type": "application/json" } : {}),
      ...headers,
    },
    body: body !== undefined ? JSON.stringify(body) : undefined,
  });
  const text = await response.text();
  let json;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, headers: response.headers, json, text };
}
