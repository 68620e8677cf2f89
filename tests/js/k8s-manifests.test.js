// deploy/k8s rendered with `kubectl kustomize` (Debian's kubectl, offline) and every object validated against the
// Kubernetes OpenAPI schemas of the npm package kubernetes-models; then the properties operations rely on.
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { join } from "node:path";
import { describe, test } from "node:test";
import { parseAllDocuments } from "yaml";
import { repoRoot } from "./lib/host.js";

function render(dir) {
  const result = spawnSync("kubectl", ["kustomize", join(repoRoot, dir)], { encoding: "utf8" });
  assert.equal(result.status, 0, `kubectl kustomize ${dir} failed:\n${result.stderr}`);
  return parseAllDocuments(result.stdout).map((doc) => doc.toJS());
}

/** Validates with the model class of the object's apiVersion and kind; throws on a schema violation. */
async function validate(object) {
  if (object.kind === "Secret" && object.data) {
    // kustomize wraps long base64 values over lines, which the API server's decoder accepts; the schema's "byte"
    // format does not.
    object = { ...object, data: Object.fromEntries(Object.entries(object.data).map(([k, v]) => [k, v.replace(/\s/g, "")])) };
  }
  const module = await import(`kubernetes-models/${object.apiVersion}/${object.kind}`);
  new module[object.kind](object).validate();
}

const expectedKinds = [
  "Deployment", "HorizontalPodAutoscaler", "Job", "NetworkPolicy", "PodDisruptionBudget", "Role", "RoleBinding",
  "Service", "ServiceAccount",
];

for (const dir of ["deploy/k8s/base", "deploy/k8s/overlays/example"]) {
  describe(dir, () => {
    const objects = render(dir);

    test("renders every expected object and each one validates against the Kubernetes schemas", async () => {
      for (const kind of expectedKinds) {
        assert.ok(objects.some((o) => o.kind === kind), `${kind} missing`);
      }
      for (const object of objects) {
        await validate(object);
      }
    });

    test("pods run as non-root on a read-only root filesystem", () => {
      for (const object of objects.filter((o) => o.kind === "Deployment" || o.kind === "Job")) {
        const pod = object.spec.template.spec;
        assert.equal(pod.securityContext.runAsNonRoot, true, object.metadata.name);
        for (const container of pod.containers) {
          assert.equal(container.securityContext.readOnlyRootFilesystem, true, container.name);
          assert.equal(container.securityContext.allowPrivilegeEscalation, false, container.name);
        }
      }
    });

    test("silos: downward API, orleans labels, probes, graceful stop and the silo port open to silos only", () => {
      const deployment = objects.find((o) => o.kind === "Deployment");
      const pod = deployment.spec.template;
      assert.ok(pod.metadata.labels["orleans/serviceId"]);
      assert.ok(pod.metadata.labels["orleans/clusterId"]);
      const silo = pod.spec.containers[0];
      const env = Object.fromEntries(silo.env.map((e) => [e.name, e.valueFrom?.fieldRef?.fieldPath ?? e.value]));
      assert.equal(env.POD_NAME, "metadata.name");
      assert.equal(env.POD_IP, "status.podIP");
      assert.equal(env.ORLEANS_SERVICE_ID, "metadata.labels['orleans/serviceId']");
      assert.equal(env.ORLEANS_CLUSTER_ID, "metadata.labels['orleans/clusterId']");
      assert.equal(silo.readinessProbe.httpGet.path, "/health/ready");
      assert.equal(silo.livenessProbe.httpGet.path, "/health");
      assert.ok(pod.spec.terminationGracePeriodSeconds > silo.lifecycle.preStop.sleep.seconds + 30);
      assert.ok(silo.resources.requests.cpu && silo.resources.limits.memory);

      const policy = objects.find((o) => o.kind === "NetworkPolicy");
      const siloRule = policy.spec.ingress.find((rule) => rule.ports.some((p) => p.port === 11111));
      assert.deepEqual(siloRule.from, [{ podSelector: { matchLabels: deployment.spec.selector.matchLabels } }]);
      const openRules = policy.spec.ingress.filter((rule) => !rule.from);
      assert.ok(openRules.every((rule) => rule.ports.every((p) => p.port !== 11111 && p.port !== 30000)));
    });
  });
}

test("the schema check refuses an invalid object (it can fail)", async () => {
  const [deployment] = render("deploy/k8s/base").filter((o) => o.kind === "Deployment");
  await assert.rejects(validate({ ...deployment, spec: { ...deployment.spec, replicas: "two" } }));
});
