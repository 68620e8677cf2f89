// docker-compose.yml without Docker: validated against the Compose Specification's JSON schema (schemas/compose-spec.json
// is schema/compose-spec.json of github.com/compose-spec/compose-spec at commit 170098ba07d9, Apache-2.0, the schema
// `docker compose config` checks), its variables against .env.example, and the image's user.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import Ajv from "ajv";
import { parse } from "yaml";
import { repoRoot } from "./lib/host.js";

const composeText = readFileSync(join(repoRoot, "docker-compose.yml"), "utf8");
// Compose resolves YAML merge keys (`<<: *silo`) before validating; so does this.
const compose = parse(composeText, { merge: true });

test("docker-compose.yml validates against the Compose Specification schema", () => {
  // The schema names draft-07 by its https address, which Ajv knows by http; its draft-07 meta-schema is built in.
  const { $schema: _draft, ...schema } = JSON.parse(readFileSync(new URL("./schemas/compose-spec.json", import.meta.url), "utf8"));
  const ajv = new Ajv({ allErrors: true, strict: false });
  const validate = ajv.compile(schema);
  assert.ok(validate(compose), ajv.errorsText(validate.errors, { separator: "\n" }));
});

test(".env.example lists exactly the variables docker-compose.yml interpolates, each with a value", () => {
  // ${NAME}, ${NAME:?message}, ${NAME:-default} and $NAME; $$ is a literal dollar sign.
  const used = new Set(
    [...composeText.replaceAll("$$", "").matchAll(/\$(?:\{([A-Za-z_][A-Za-z0-9_]*)[^}]*\}|([A-Za-z_][A-Za-z0-9_]*))/g)]
      .map((m) => m[1] ?? m[2]),
  );
  const listed = new Map(
    readFileSync(join(repoRoot, ".env.example"), "utf8")
      .split("\n")
      .filter((line) => line.trim() !== "" && !line.trimStart().startsWith("#"))
      .map((line) => line.split(/=(.*)/s).slice(0, 2)),
  );

  assert.ok(used.size > 0, "docker-compose.yml interpolates no variables: is the pattern wrong?");
  assert.deepEqual([...listed.keys()].sort(), [...used].sort());
  for (const [name, value] of listed) {
    assert.ok(value.trim() !== "", `${name} has no value in .env.example`);
  }
});

test("the host image runs as a non-root user and no service overrides it", () => {
  const dockerfile = readFileSync(join(repoRoot, "deploy/Dockerfile"), "utf8");
  const finalStage = dockerfile.split(/^FROM\s/m).at(-1);
  const user = [...finalStage.matchAll(/^USER\s+(\S+)/gm)].at(-1)?.[1];
  const isRoot = (name) => ["root", "0"].includes(String(name).split(":")[0]);

  assert.ok(user !== undefined, "the final stage of deploy/Dockerfile sets no USER, so it runs as root");
  assert.ok(!isRoot(user), `deploy/Dockerfile runs as ${user}`);
  for (const [name, service] of Object.entries(compose.services)) {
    if (service.user !== undefined) {
      assert.ok(!isRoot(service.user), `service ${name} runs as ${service.user}`);
    }
  }
});
