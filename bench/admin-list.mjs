// Latency of admin list requests: for each scenario, `concurrency` loops send requests back to back for `seconds`
// (after a short warm-up) and record each latency. Prints a markdown table (req/s, p50, p95, p99, max) on stdout.
// Usage: node admin-list.mjs <base-url> <secret-key> <run-name> <customers> [seconds] [concurrency]
import http from 'node:http';

const [base, key, run, customersText, secondsText = '10', concurrencyText = '2'] = process.argv.slice(2);
const customers = Number(customersText);
const seconds = Number(secondsText);
const concurrency = Number(concurrencyText);
const agent = new http.Agent({ keepAlive: true, maxSockets: concurrency });
const auth = 'Basic ' + Buffer.from(key + ':').toString('base64');
const rand = (n) => Math.floor(Math.random() * n);
const deep = Math.max(0, Math.floor(customers * 0.9));
const cutoff = new Date(Date.now() - 30 * 86400_000).toISOString(); // the seed spreads customers over ~N seconds back
const tenDaysAgo = new Date(Date.now() - 10 * 86400_000).toISOString();

const names = ['lovelace', 'hopper', 'turing', 'knuth', 'ada', 'grace', 'berners', 'lamport'];
const group = await firstGroup(); // a seeded group: every tenth customer is a member
const scenarios = [
  ['q: one e-mail (seed-RUN-<random>)', () => `/admin/customers?q=seed-${run}-${rand(customers)}@&limit=20`],
  ['q: last name (many matches)', () => `/admin/customers?q=${names[rand(names.length)]}&limit=20`],
  ['q: phone fragment (7 digits)', () => `/admin/customers?q=${String(rand(10_000_000)).padStart(7, '0')}&limit=20`],
  ['first page, no filter', () => `/admin/customers?limit=20`],
  [`has_account=true, offset ${Math.floor(deep / 3)}`, () => `/admin/customers?has_account=true&offset=${Math.floor(deep / 3) - rand(1000)}&limit=20`],
  [`no filter, offset ${deep} (order id)`, () => `/admin/customers?offset=${deep - rand(1000)}&limit=20`],
  [`created_at[$gte] last 30 days, order -created_at`, () => `/admin/customers?created_at[$gte]=${cutoff}&order=-created_at&offset=${rand(1000)}&limit=20`],
  [`order -created_at, offset ${deep}`, () => `/admin/customers?order=-created_at&offset=${deep - rand(1000)}&limit=20`],
  ['offset 90000 (Medusa comparison)', () => `/admin/customers?offset=${90_000 - rand(100)}&limit=20`],
  [`has_account=false, order -created_at, offset ${Math.floor(deep / 2)}`, () => `/admin/customers?has_account=false&order=-created_at&offset=${Math.floor(deep / 2) - rand(1000)}&limit=20`],
  ['order=first_name, first page', () => `/admin/customers?order=first_name&offset=${rand(100)}&limit=20`],
  [`order=-email, offset ${Math.floor(deep / 2)}`, () => `/admin/customers?order=-email&offset=${Math.floor(deep / 2) - rand(1000)}&limit=20`],
  [`created_at[$gte] 10 days ago (order id), offset ${Math.floor(deep / 3)}`, () => `/admin/customers?created_at[$gte]=${tenDaysAgo}&offset=${Math.floor(deep / 3) - rand(1000)}&limit=20`],
  [`created_at[$gte] 10 days ago, order created_at, offset ${Math.floor(deep / 3)}`, () => `/admin/customers?created_at[$gte]=${tenDaysAgo}&order=created_at&offset=${Math.floor(deep / 3) - rand(1000)}&limit=20`],
  ['q: last name, offset 10000', () => `/admin/customers?q=${names[rand(names.length)]}&offset=${10_000 - rand(100)}&limit=20`],
  ['groups=<a group>, first page', () => `/admin/customers?groups=${group}&limit=20`],
  [`groups=<a group>, offset ${Math.floor(customers / 100)}`, () => `/admin/customers?groups=${group}&offset=${Math.floor(customers / 100) - rand(100)}&limit=20`],
  [`groups=<a group>, offset ${Math.floor(customers / 20)}`, () => `/admin/customers?groups=${group}&offset=${Math.floor(customers / 20) - rand(100)}&limit=20`],
];

async function firstGroup() {
  const body = await new Promise((resolve, reject) => {
    http.get(`${base}/admin/customer-groups?q=${encodeURIComponent(`Seed ${run} group 0`)}&fields=id`, { agent, headers: { authorization: auth } }, (res) => {
      let text = '';
      res.on('data', (chunk) => { text += chunk; });
      res.on('end', () => (res.statusCode === 200 ? resolve(JSON.parse(text)) : reject(new Error(`${res.statusCode}: ${text}`))));
    }).on('error', reject);
  });
  if (body.customer_groups.length === 0) throw new Error(`no seeded group of run ${run}`);
  return body.customer_groups[0].id;
}

function get(path) {
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const req = http.get(base + path, { agent, headers: { authorization: auth } }, (res) => {
      res.resume();
      res.on('end', () => {
        if (res.statusCode !== 200) reject(new Error(`${res.statusCode} for ${path}`));
        else resolve(Number(process.hrtime.bigint() - started) / 1e6);
      });
    });
    req.on('error', reject);
  });
}

const pct = (sorted, p) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
console.log(`| Scenario | req/s | p50 ms | p95 ms | p99 ms | max ms | requests |`);
console.log(`|---|---:|---:|---:|---:|---:|---:|`);
for (const [name, path] of scenarios) {
  for (let i = 0; i < 5; i++) await get(path()); // warm-up
  const latencies = [];
  const end = Date.now() + seconds * 1000;
  const started = Date.now();
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (Date.now() < end) latencies.push(await get(path()));
  }));
  const elapsed = (Date.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const f = (v) => v.toFixed(1);
  console.log(`| ${name} | ${f(latencies.length / elapsed)} | ${f(pct(latencies, 50))} | ${f(pct(latencies, 95))} | ${f(pct(latencies, 99))} | ${f(latencies[latencies.length - 1])} | ${latencies.length} |`);
}
agent.destroy();
