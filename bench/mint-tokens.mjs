// Mints customer session tokens for seeded customers, exactly as the host issues them (HS256, Medusa's claim order),
// with the JWT secret the host is configured with. For benchmarks only: the seeded customers have no auth identity,
// so each token names a made-up identity id; /store/customers/me reads only the token's actor.
//
//   node bench/mint-tokens.mjs --secret <utf-8 secret> --in ids.txt --out tokens.txt [--hours 24]
// ids.txt: one customer id per line, optionally followed by a tab and extra columns, which are kept after the token.
import { createHmac } from "node:crypto";
import { readFileSync, writeFileSync } from "node:fs";

const arg = (name, fallback) => {
  const i = process.argv.indexOf(`--${name}`);
  if (i < 0 && fallback === undefined) throw new Error(`--${name} is required`);
  return i < 0 ? fallback : process.argv[i + 1];
};
const secret = Buffer.from(arg("secret"), "utf8");
const hours = Number(arg("hours", "24"));
const b64 = (s) => Buffer.from(s).toString("base64url");
const header = b64(JSON.stringify({ alg: "HS256", typ: "JWT" }));
const iat = Math.floor(Date.now() / 1000);

const lines = readFileSync(arg("in"), "utf8").split("\n").filter(Boolean);
const out = lines.map((line, n) => {
  const [id, ...rest] = line.split("\t");
  const payload = b64(JSON.stringify({
    actor_id: id,
    actor_type: "customer",
    auth_identity_id: `authid_bench${String(n).padStart(20, "0")}`,
    auth_provider: "emailpass",
    mfa_enabled: false,
    mfa_challenge_completed_at: null,
    app_metadata: { customer_id: id },
    user_metadata: {},
    iat,
    exp: iat + hours * 3600,
  }));
  const signature = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
  return [`${header}.${payload}.${signature}`, ...rest].join("\t");
});
writeFileSync(arg("out"), out.join("\n") + "\n");
console.log(`minted ${out.length} tokens`);
