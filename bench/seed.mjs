// Seeds customers through the public HTTP API, the way the storefront signs people up:
//   POST /auth/customer/emailpass/register → POST /store/customers → a customer token
// The customer token comes from POST /auth/token/refresh (default; no password hash) or from a login
// (--token-via login; one more bcrypt verification per customer).
//
// Usage: node bench/seed.mjs --base-url http://127.0.0.1:9000 --publishable-key pk_… --count 1000 \
//          --concurrency 8 --out DIR [--token-via refresh|login]
// Writes DIR/tokens.txt (one customer JWT a line) and DIR/credentials.txt (email<TAB>password a line).
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { join } from "node:path";
import { parseArgs } from "node:util";

const { values } = parseArgs({
  options: {
    "base-url": { type: "string" },
    "publishable-key": { type: "string" },
    count: { type: "string", default: "1000" },
    concurrency: { type: "string", default: "8" },
    out: { type: "string" },
    "token-via": { type: "string", default: "refresh" },
  },
});

const baseUrl = values["base-url"];
const publishableKey = values["publishable-key"];
const count = Number(values.count);
const concurrency = Math.max(1, Number(values.concurrency));
const tokenVia = values["token-via"];
if (!baseUrl || !publishableKey || !values.out || !(count > 0) || !["refresh", "login"].includes(tokenVia)) {
  console.error("usage: seed.mjs --base-url URL --publishable-key PK --count N --out DIR [--concurrency C] [--token-via refresh|login]");
  process.exit(2);
}

const run = randomBytes(4).toString("hex");

async function call(method, path, body, token) {
  const headers = { "content-type": "application/json", "x-publishable-api-key": publishableKey };
  if (token) {
    headers.authorization = `Bearer ${token}`;
  }
  const response = await fetch(baseUrl + path, { method, headers, body: body && JSON.stringify(body) });
  const text = await response.text();
  if (!response.ok) {
    throw new Error(`${method} ${path} → ${response.status} ${text}`);
  }
  return JSON.parse(text);
}

async function seedOne(i) {
  const email = `bench-${run}-${i}@example.com`;
  const password = `Str0ng-${randomBytes(9).toString("base64url")}`;
  const { token: registrationToken } = await call("POST", "/auth/customer/emailpass/register", { email, password });
  await call("POST", "/store/customers", { email, first_name: "Bench", last_name: `Customer ${i}` }, registrationToken);
  const { token } =
    tokenVia === "login"
      ? await call("POST", "/auth/customer/emailpass", { email, password })
      : await call("POST", "/auth/token/refresh", undefined, registrationToken);
  return { email, password, token };
}

const results = new Array(count);
let next = 0;
let done = 0;
const started = performance.now();
async function worker() {
  while (next < count) {
    const i = next++;
    results[i] = await seedOne(i);
    done++;
    if (done % 100 === 0 || done === count) {
      const seconds = (performance.now() - started) / 1000;
      process.stderr.write(`  seeded ${done}/${count} (${(done / seconds).toFixed(1)}/s)\n`);
    }
  }
}
await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
const seconds = (performance.now() - started) / 1000;

writeFileSync(join(values.out, "tokens.txt"), results.map((r) => r.token).join("\n") + "\n");
writeFileSync(join(values.out, "credentials.txt"), results.map((r) => `${r.email}\t${r.password}`).join("\n") + "\n");
// Last line: machine-readable summary for run.sh.
console.log(`SEED count=${count} seconds=${seconds.toFixed(2)} per_sec=${(count / seconds).toFixed(1)} token_via=${tokenVia}`);
