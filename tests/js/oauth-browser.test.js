// OpenID Connect sign-in end to end in a real browser: headless Chromium (Debian's `chromium`) driven by
// playwright-core opens a storefront page on loopback, clicks "Sign in with Google", follows our `location` to a
// real OpenID Connect provider (oidc-provider, PKCE required) on loopback, signs in on its login form, and lands
// on the storefront's callback page, which finishes the sign-in through @medusajs/js-sdk in the page.
//
// The host's provider is named `google` and has type `google` (so the Google code path runs: discovery, JWKS,
// ID token and nonce validation, email_verified), with its issuer pointed at the local provider instead of
// https://accounts.google.com.
import assert from "node:assert/strict";
import { randomBytes, randomUUID } from "node:crypto";
import { existsSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { chromium } from "playwright-core";
import { startHost } from "./lib/host.js";
import { emailOf, startOidcProvider } from "./lib/oidc.js";
import { decodeJwt, makeSdk } from "./lib/sdk.js";
import { startStorefront } from "./lib/storefront.js";

const chromiumPath = process.env.CHROMIUM_PATH ?? "/usr/bin/chromium";
const clientId = "storefront-web";
const clientSecret = randomBytes(24).toString("hex");

let storefront;
let idp;
let host;
const profileDirs = [];

before(async () => {
  assert.ok(existsSync(chromiumPath), `${chromiumPath} is missing: apt-get install -y chromium (.ci/run does this)`);
  storefront = await startStorefront({ provider: "google" });
  idp = await startOidcProvider({
    clients: [
      {
        client_id: clientId,
        client_secret: clientSecret,
        redirect_uris: [storefront.callbackUrl],
        grant_types: ["authorization_code"],
        response_types: ["code"],
        token_endpoint_auth_method: "client_secret_post",
      },
    ],
  });
  host = await startHost({
    providers: {
      google: {
        Type: "google",
        Issuer: idp.issuer,
        ClientId: clientId,
        ClientSecret: clientSecret,
        CallbackUrls: [storefront.callbackUrl],
      },
    },
    corsOrigins: [storefront.origin],
  });
  storefront.setApi({ baseUrl: host.baseUrl, publishableKey: host.publishableKey });
});

after(async () => {
  await host?.stop();
  await idp?.stop();
  await storefront?.stop();
  for (const dir of profileDirs) {
    rmSync(dir, { recursive: true, force: true });
  }
});

/** A fresh browser profile (its own --user-data-dir), as a new visitor has. Nothing leaves loopback. */
async function launchBrowser() {
  const userDataDir = mkdtempSync(join(tmpdir(), "customers-chromium-"));
  profileDirs.push(userDataDir);
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: chromiumPath,
    headless: true,
    args: [
      "--headless",
      "--no-sandbox",
      "--disable-gpu",
      "--disable-quic",
      "--no-first-run",
      "--disable-background-networking",
      "--disable-component-update",
      "--disable-sync",
      // Belt and braces with the route below: no host name but loopback even resolves.
      "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1",
    ],
  });
  // The provider's login page imports a web font; only loopback may be reached.
  await context.route((url) => url.hostname !== "127.0.0.1", (route) => route.abort());
  return context;
}

/** One visit: home page → Sign in with Google → provider login (and consent) → storefront callback page. */
async function signInWithGoogle(login) {
  const context = await launchBrowser();
  try {
    const page = context.pages()[0] ?? (await context.newPage());
    await page.goto(`${storefront.origin}/`);
    await page.locator('#status[data-state="ready"]').waitFor();
    await page.getByRole("button", { name: "Sign in with Google" }).click();

    // The provider's development login form.
    await page.waitForURL((url) => url.href.startsWith(`${idp.issuer}/interaction/`));
    await page.locator('input[name="login"]').fill(login);
    await page.locator('input[name="password"]').fill("any password");
    await page.getByRole("button", { name: "Sign-in" }).click();

    // Then its consent form when it asks, and back to the shop.
    const consentOrShop = page.getByRole("button", { name: "Continue" }).or(page.locator("#status"));
    await consentOrShop.first().waitFor();
    if (page.url().startsWith(idp.issuer)) {
      await page.getByRole("button", { name: "Continue" }).click();
    }
    await page.waitForURL((url) => url.href.startsWith(`${storefront.callbackUrl}?`));
    await page.locator('#status:is([data-state="signed-in"], [data-state="error"])').waitFor();

    const result = {
      state: await page.locator("#status").getAttribute("data-state"),
      error: await page.locator("#error").textContent(),
      email: await page.locator("#email").textContent(),
      customerId: await page.locator("#customer-id").textContent(),
      created: await page.locator("#created").textContent(),
      callbackQuery: new URL(page.url()).searchParams,
    };
    assert.equal(result.state, "signed-in", `the callback page failed: ${result.error}`);
    return result;
  } finally {
    await context.close();
  }
}

test("the storefront lists google as a redirect provider", async () => {
  const { providers } = await makeSdk(host).auth.listProviders("customer");
  assert.deepEqual(
    providers.map((p) => [p.id, p.flow, p.display_name]),
    [
      ["google", "redirect", "Google Authentication"],
      ["emailpass", "credentials", "Email/Password Authentication"],
    ],
  );
});

test("a new user signs in with Google in a real browser, gets a customer, and a second visit finds the same customer", async () => {
  const login = `shopper-${randomUUID().slice(0, 8)}`;

  const first = await signInWithGoogle(login);
  assert.equal(first.email, emailOf(login));
  assert.match(first.customerId, /^cus_/);
  assert.equal(first.created, "true");
  assert.ok(first.callbackQuery.get("code"), "the provider sent a code");
  assert.ok(first.callbackQuery.get("state")?.length >= 43, "our state came back");

  // Another visit, in a fresh browser profile: the same person at the provider is the same customer here.
  const second = await signInWithGoogle(login);
  assert.equal(second.created, "false");
  assert.equal(second.customerId, first.customerId);
  assert.equal(second.email, first.email);

  // Another person at the same provider is somebody else.
  const other = await signInWithGoogle(`shopper-${randomUUID().slice(0, 8)}`);
  assert.notEqual(other.customerId, first.customerId);
});

test("the state a browser brought back cannot be used again", async () => {
  const result = await signInWithGoogle(`replay-${randomUUID().slice(0, 8)}`);

  const sdk = makeSdk(host);
  await assert.rejects(
    sdk.auth.callback("customer", "google", Object.fromEntries(result.callbackQuery)),
    (error) => error.status === 401 && error.message === "No state provided, or session expired",
  );
});

test("through the SDK in Node: the callback token is actorless for a new identity and names the customer after refresh", async () => {
  // The browser-free half of the flow, with the provider's login form submitted by fetch: shows what the
  // page above does with the token.
  const sdk = makeSdk(host);
  const { location } = await sdk.auth.login("customer", "google", { callback_url: storefront.callbackUrl });
  const login = `node-${randomUUID().slice(0, 8)}`;
  const query = await signInWithoutBrowser(location, login);

  const token = await sdk.auth.callback("customer", "google", query);
  const claims = decodeJwt(token);
  assert.equal(claims.actor_id, "");
  assert.equal(claims.auth_provider, "google");
  assert.equal(claims.user_metadata.email, emailOf(login));

  const { customer } = await sdk.store.customer.create({ email: claims.user_metadata.email });
  const { token: refreshed } = await sdk.auth.refresh();
  assert.equal(decodeJwt(refreshed).actor_id, customer.id);
});

/**
 * Drives the provider's login and consent forms with fetch (following redirects by hand, keeping its cookies)
 * until it redirects to the storefront callback; answers that callback's query.
 */
async function signInWithoutBrowser(location, login) {
  const cookies = new Map();
  let url = location;
  let form = null;
  for (let hop = 0; hop < 20; hop++) {
    const response = await fetch(url, {
      method: form ? "POST" : "GET",
      redirect: "manual",
      headers: {
        cookie: [...cookies].map(([k, v]) => `${k}=${v}`).join("; "),
        ...(form ? { "content-type": "application/x-www-form-urlencoded" } : {}),
      },
      body: form ? new URLSearchParams(form) : undefined,
    });
    for (const line of response.headers.getSetCookie()) {
      const [pair] = line.split(";");
      const eq = pair.indexOf("=");
      cookies.set(pair.slice(0, eq), pair.slice(eq + 1));
    }
    form = null;
    if (response.status >= 300 && response.status < 400) {
      url = new URL(response.headers.get("location"), url).href;
      if (url.startsWith(`${storefront.callbackUrl}?`)) {
        return Object.fromEntries(new URL(url).searchParams);
      }
      continue;
    }
    const html = await response.text();
    const action = /<form[^>]*action="([^"]+)"/.exec(html)?.[1];
    assert.ok(action, `expected a form at ${url}, got ${response.status}: ${html.slice(0, 300)}`);
    const prompt = /name="prompt" value="([^"]+)"/.exec(html)?.[1];
    form = prompt === "login" ? { prompt, login, password: "any password" } : { prompt };
    url = new URL(action.replace(/&amp;/g, "&"), url).href;
  }
  throw new Error("the provider did not redirect to the callback within 20 hops");
}
