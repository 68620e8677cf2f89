// Direct reads of a test host's embedded PostgreSQL (started by lib/host.js), for what only the database shows:
// the development notification sink's dev_notification table, where a reset token lands instead of an inbox.
import { readFileSync } from "node:fs";
import { join } from "node:path";
import pg from "pg";

/**
 * A connected pg client for the host's `customers` database. The port is the running server's (line 4 of
 * postmaster.pid); the superuser password is the one the host generated beside the data directory.
 */
export async function connectDatabase(host) {
  const dataDirectory = join(host.dataDir, "postgres");
  const port = Number(readFileSync(join(dataDirectory, "postmaster.pid"), "utf8").split("\n")[3]);
  const password = readFileSync(`${dataDirectory}.password`, "utf8").trim();
  const client = new pg.Client({ host: "127.0.0.1", port, user: "postgres", password, database: "customers" });
  await client.connect();
  return client;
}

/**
 * The data of the auth.password_reset events recorded for this e-mail, oldest first. The host answers a reset request
 * before it makes the token, so this polls (up to 30 s) until at least `atLeast` events are there.
 */
export async function passwordResetEvents(db, email, atLeast = 1) {
  const deadline = Date.now() + 30_000;
  for (;;) {
    const { rows } = await db.query(
      "SELECT data FROM dev_notification WHERE event_name = 'auth.password_reset' AND data ->> 'entity_id' = $1 ORDER BY id",
      [email],
    );
    if (rows.length >= atLeast || Date.now() > deadline) {
      return rows.map((row) => row.data);
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
