// Starts one Customers host for a test file: a temporary embedded PostgreSQL, free loopback ports, raised
// rate limits, and a publishable API key made with the host's own CLI. Stops everything it started.
import { spawn, spawnSync } from "node:child_process";
import { once } from "node:events";
import { chmodSync, createWriteStream, existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { randomUUID } from "node:crypto";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), "../../..");

const defaultDll = join(repoRoot, "src/Customers.Host/bin/Release/net10.0/Customers.Host.dll");
const startupTimeoutMs = Number(process.env.CUSTOMERS_HOST_START_TIMEOUT_MS ?? 180_000);
const stopTimeoutMs = 30_000;

/** The host's dll: $CUSTOMERS_HOST_DLL, else the Release build (`npm test` rebuilds it first; built here when missing). */
export function hostDll() {
  if (process.env.CUSTOMERS_HOST_DLL) {
    const dll = resolve(process.env.CUSTOMERS_HOST_DLL);
    if (!existsSync(dll)) {
      throw new Error(`CUSTOMERS_HOST_DLL points at ${dll}, which does not exist`);
    }
    return dll;
  }
  if (!existsSync(defaultDll)) {
    const build = spawnSync("dotnet", ["build", "-c", "Release", "src/Customers.Host"], {
      cwd: repoRoot,
      stdio: ["ignore", "inherit", "inherit"],
    });
    if (build.status !== 0 || !existsSync(defaultDll)) {
      throw new Error(`dotnet build -c Release src/Customers.Host failed (exit ${build.status})`);
    }
  }
  return defaultDll;
}

/** Distinct free TCP ports on 127.0.0.1 (all held open together so that none is handed out twice). */
export async function freePorts(count) {
  const servers = [];
  try {
    for (let i = 0; i < count; i++) {
      const server = createServer();
      server.listen(0, "127.0.0.1");
      await once(server, "listening");
      servers.push(server);
    }
    return servers.map((s) => s.address().port);
  } finally {
    await Promise.all(servers.map((s) => new Promise((r) => s.close(r))));
  }
}

function runCli(dll, args, env, log) {
  const result = spawnSync("dotnet", [dll, ...args], { cwd: repoRoot, env, encoding: "utf8" });
  log.write(`$ dotnet ${dll} ${args.join(" ")}\n${result.stdout}${result.stderr}\n`);
  if (result.status !== 0) {
    throw new Error(
      `dotnet ${args.slice(0, 2).join(" ")} exited ${result.status ?? result.signal}\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}

/**
 * Environment variables for auth providers: { name: { Type, Issuer, ClientId, ClientSecret, CallbackUrls: [...] } }
 * becomes `Customers__Auth__Providers__<name>__<Key>=<value>` (arrays as `__<index>` keys). Environment rather than
 * arguments, so client secrets appear neither in the process list nor in the command lines host.log records.
 */
export function providerEnvironment(providers) {
  const env = {};
  const add = (key, value) => {
    if (Array.isArray(value)) {
      value.forEach((item, index) => add(`${key}__${index}`, item));
    } else if (value !== undefined && value !== null) {
      env[key] = String(value);
    }
  };
  for (const [name, settings] of Object.entries(providers)) {
    for (const [key, value] of Object.entries(settings)) {
      add(`Customers__Auth__Providers__${name}__${key}`, value);
    }
  }
  return env;
}

/**
 * Starts a host. Returns { baseUrl, publishableKey, pid, dataDir, logFile, stop() }, and with `admin: true` also
 * `admin` ({ email, password, userId }, made with `user create`), `secretKey` (an sk_ token from `api-key create`) and
 * `secretKeyId` (its apk_ id).
 * Options: extraArgs (more configuration arguments); environment (more variables, for secrets); providers (auth providers, see providerEnvironment); corsOrigins
 * (browser origins allowed on /auth and /store, for pages served elsewhere that call the API); admin.
 */
export async function startHost(options = {}) {
  // The ports are free when chosen but not held until the host binds them; in between, the embedded PostgreSQL
  // of the CLI steps (or any other process) may take one. Such a start is tried again on new ports.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startHostOnce(options);
    } catch (error) {
      if (attempt >= 3 || !/Address already in use/.test(error.message)) {
        throw error;
      }
    }
  }
}

async function startHostOnce({ extraArgs = [], environment = {}, providers = {}, corsOrigins = [], admin = false } = {}) {
  const dll = hostDll();
  const dir = mkdtempSync(join(tmpdir(), "customers-js-"));
  // The embedded PostgreSQL runs as the postgres user, which must be able to traverse into the directory.
  chmodSync(dir, 0o755);
  const logFile = join(dir, "host.log");
  const log = createWriteStream(logFile);
  const [httpPort, siloPort, gatewayPort] = await freePorts(3);
  const baseUrl = `http://127.0.0.1:${httpPort}`;
  const configArgs = [
    "--Customers:Database:EmbeddedDataDirectory", join(dir, "postgres"),
    "--Customers:Cluster:SiloPort", String(siloPort),
    "--Customers:Cluster:GatewayPort", String(gatewayPort),
    "--Customers:Cluster:AdvertisedAddress", "127.0.0.1",
    "--Customers:RateLimits:RegistrationsPerHour", "1000000",
    "--Customers:RateLimits:FailedLoginsPerHour", "1000000",
    "--Customers:RateLimits:PasswordResetsPerHour", "1000000",
    ...corsOrigins.flatMap((origin, i) => [
      `--Customers:Cors:Auth:${i}`, origin,
      `--Customers:Cors:Store:${i}`, origin,
    ]),
    ...extraArgs,
  ];
  const env = { ...process.env, DOTNET_NOLOGO: "1", DOTNET_CLI_TELEMETRY_OPTOUT: "1", ...providerEnvironment(providers), ...environment };

  let child;
  const cleanupDir = () => {
    log.end();
    if (!process.env.CUSTOMERS_KEEP_TEST_DATA) {
      rmSync(dir, { recursive: true, force: true });
    }
  };
  try {
    // Starts the embedded database, migrates, stores the key, stops the database again.
    const keyOutput = runCli(dll, ["api-key", "create", "--type", "publishable", "--title", "js-sdk-tests", ...configArgs], env, log);
    const publishableKey = keyOutput.trim().split("\n").at(-1).trim();
    if (!publishableKey.startsWith("pk_")) {
      throw new Error(`api-key create did not print a pk_ token on its last line:\n${keyOutput}`);
    }
    const adminAccess = admin ? createAdminAccess(dll, configArgs, env, log) : {};

    child = spawn("dotnet", [dll, "--urls", baseUrl, ...configArgs], {
      cwd: repoRoot,
      env,
      stdio: ["ignore", "pipe", "pipe"],
    });
    child.stderr.pipe(log, { end: false });
    const exited = once(child, "exit");
    // If this test process ends without its after hook (a crash, a closed pipe), do not leave the host running:
    // SIGTERM makes it stop its embedded PostgreSQL too.
    const killOnExit = () => child.exitCode === null && child.signalCode === null && child.kill("SIGTERM");
    process.once("exit", killOnExit);
    exited.then(() => process.off("exit", killOnExit));
    await waitForListening(child, log, exited);

    const ready = await fetch(`${baseUrl}/health/ready`);
    const readyBody = await ready.text();
    if (ready.status !== 200) {
      throw new Error(`GET /health/ready answered ${ready.status} right after "Now listening on": ${readyBody}`);
    }

    const host = {
      baseUrl,
      publishableKey,
      ...adminAccess,
      pid: child.pid,
      dataDir: dir,
      logFile,
      async stop() {
        await stopProcess(child, exited, dir);
        cleanupDir();
      },
    };
    return host;
  } catch (error) {
    if (child) {
      await stopProcess(child, once(child, "exit"), dir).catch(() => {});
    }
    log.end();
    const tail = existsSync(logFile) ? readFileSync(logFile, "utf8").slice(-4000) : "";
    error.message += `\n--- host log (${logFile}) ---\n${tail}`;
    throw error;
  }
}

/** An admin user (`user create`) and a secret API key (`api-key create --type secret`), both made with the host's CLI. */
function createAdminAccess(dll, configArgs, env, log) {
  const email = `admin-${randomUUID()}@example.com`;
  const password = `Adm1n-${randomUUID()}`;
  const userOutput = runCli(dll, ["user", "create", "--email", email, "--password", password, ...configArgs], env, log);
  const userId = userOutput.trim().split("\n").at(-1).trim();
  if (!userId.startsWith("user_")) {
    throw new Error(`user create did not print a user_ id on its last line:\n${userOutput}`);
  }
  const keyOutput = runCli(dll, ["api-key", "create", "--type", "secret", "--title", "js-sdk-admin", ...configArgs], env, log);
  const secretKey = keyOutput.trim().split("\n").at(-1).trim();
  if (!secretKey.startsWith("sk_")) {
    throw new Error(`api-key create did not print an sk_ token on its last line:\n${keyOutput}`);
  }
  const secretKeyId = keyOutput.match(/\bapk_[0-9A-Z]{26}\b/)?.[0];
  return { admin: { email, password, userId }, secretKey, secretKeyId };
}

function waitForListening(child, log, exited) {
  return new Promise((resolvePromise, reject) => {
    let settled = false;
    const finish = (fn, value) => {
      if (!settled) {
        settled = true;
        clearTimeout(timer);
        fn(value);
      }
    };
    const timer = setTimeout(
      () => finish(reject, new Error(`host printed no "Now listening on" within ${startupTimeoutMs} ms`)),
      startupTimeoutMs,
    );
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => {
      log.write(line + "\n");
      if (line.includes("Now listening on")) {
        finish(resolvePromise);
      }
    });
    exited.then(([code, signal]) =>
      finish(reject, new Error(`host exited (${code ?? signal}) before it was listening`)),
    );
  });
}

async function stopProcess(child, exited, dir) {
  if (child.exitCode === null && child.signalCode === null) {
    child.kill("SIGTERM");
    const timeout = new Promise((r) => setTimeout(() => r("timeout"), stopTimeoutMs).unref());
    if ((await Promise.race([exited, timeout])) === "timeout") {
      child.kill("SIGKILL");
      await exited;
    }
  }
  // If the host could not stop its embedded PostgreSQL, stop that server (started on our behalf) by its PID.
  const pidFile = join(dir, "postgres", "postmaster.pid");
  if (existsSync(pidFile)) {
    const pid = Number(readFileSync(pidFile, "utf8").split("\n")[0]);
    if (pid > 0 && isPostgres(pid)) {
      try {
        process.kill(pid, "SIGTERM");
        for (let i = 0; i < 100 && isAlive(pid); i++) {
          await new Promise((r) => setTimeout(r, 100));
        }
      } catch {
        // already gone
      }
    }
  }
}

function isPostgres(pid) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").includes("postgres");
  } catch {
    return false;
  }
}

function isAlive(pid) {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}
