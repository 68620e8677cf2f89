// Webhook deliveries verified the way a Node receiver would: the npm `standardwebhooks` package, the reference
// implementation of the Standard Webhooks specification, against a real host and a loopback HTTP receiver.
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { once } from "node:events";
import { createServer } from "node:http";
import { after, before, test } from "node:test";
import { Webhook } from "standardwebhooks";
import { startHost } from "./lib/host.js";
import { signUp } from "./lib/sdk.js";

const newSecret = () => `whsec_${randomBytes(32).toString("base64")}`;
// Two active secrets, as during a rotation: each alone must verify every delivery.
const secrets = [newSecret(), newSecret()];
const received = [];
const waiters = [];
let receiver;
let host;

before(async () => {
  receiver = createServer(async (req, res) => {
    const chunks = [];
    for await (const chunk of req) chunks.push(chunk);
    const delivery = { headers: req.headers, body: Buffer.concat(chunks).toString("utf8") };
    res.writeHead(204).end();
    received.push(delivery);
    for (const waiter of waiters.filter((w) => w.match(delivery))) {
      waiters.splice(waiters.indexOf(waiter), 1);
      waiter.resolve(delivery);
    }
  });
  receiver.listen(0, "127.0.0.1");
  await once(receiver, "listening");
  host = await startHost({
    environment: {
      Customers__Events__Webhooks__node__Url: `http://127.0.0.1:${receiver.address().port}/hooks`,
      Customers__Events__Webhooks__node__Secrets__0: secrets[0],
      Customers__Events__Webhooks__node__Secrets__1: secrets[1],
      Customers__Events__PollInterval: "00:00:00.050",
    },
  });
});

after(async () => {
  await host?.stop();
  receiver?.close();
});

/** The first delivery (already received or still to come) that matches, within 30 s. */
function delivery(match) {
  const seen = received.find(match);
  if (seen) return Promise.resolve(seen);
  return new Promise((resolve, reject) => {
    const waiter = { match, resolve };
    waiters.push(waiter);
    setTimeout(() => reject(new Error("no matching webhook delivery within 30 s")), 30_000).unref();
  });
}

test("a sign-up's customer.created delivery verifies with each active secret and the npm standardwebhooks package", async () => {
  const { customer } = await signUp(host);

  const hook = await delivery((d) => JSON.parse(d.body).name === "customer.created" && JSON.parse(d.body).data.id === customer.id);

  for (const secret of secrets) {
    const payload = new Webhook(secret).verify(hook.body, hook.headers);
    assert.equal(payload.data.id, customer.id);
  }
  assert.equal(hook.headers["webhook-id"], JSON.parse(hook.body).id);
  assert.match(hook.headers["webhook-signature"], /^v1,[A-Za-z0-9+/=]{44} v1,[A-Za-z0-9+/=]{44}$/);
  assert.throws(() => new Webhook(newSecret()).verify(hook.body, hook.headers), /signature/i);
  assert.throws(() => new Webhook(secrets[0]).verify(hook.body.replace(customer.id, "cus_other"), hook.headers), /signature/i);
  assert.equal(hook.headers["x-customers-signature"], undefined);
});
