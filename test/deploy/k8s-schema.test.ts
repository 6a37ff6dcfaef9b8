// Every Kubernetes object of deploy/k8s checked against the Kubernetes API's own types, strictly,
// without a cluster (none is reachable from the build machines), by two validators from npm, both
// generated from the Kubernetes OpenAPI definitions:
//   - kubernetes-models: its JSON-schema validators (compiled with Ajv) check every field's type
//     and format and the required fields. They allow fields the schema does not define.
//   - kubernetes-types: the same definitions as TypeScript types. The objects are written out as
//     typed object literals and compiled with TypeScript, whose excess-property check refuses any
//     field the type does not define, at every depth (what kubectl's strict field validation and
//     kubeconform -strict refuse). A test below shows that a misspelt field is caught.
// Then the shape this deployment relies on: probes and resources on every container, disruption
// budgets, and NATS JetStream with 3 replicas for every stream.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import * as path from 'node:path';
import ts from 'typescript';
import { parseAllDocuments } from 'yaml';
import {
  find,
  K8S_DIR,
  k8sEnvOf,
  k8sFile,
  k8sWorkloadOf,
  kustomizeBuild,
  podSpecOf,
  REPO_ROOT,
  SERVICES,
  type K8sObject,
} from './manifests';

const built = kustomizeBuild();
/** Every file of deploy/k8s that holds API objects (the kustomization itself is kustomize's). */
const files = readdirSync(K8S_DIR).filter((f) => f.endsWith('.yaml') && f !== 'kustomization.yaml');

/** apiVersion → the module of kubernetes-types (core objects live under core/). */
function typesModule(apiVersion: string): string {
  const [group, version] = apiVersion.includes('/') ? apiVersion.split('/') : ['core', apiVersion];
  return `kubernetes-types/${group!.replace(/\.k8s\.io$/, '')}/${version}`;
}

/**
 * Compiles the objects as typed literals; returns TypeScript's complaints, each naming the
 * object. `where` labels the objects in the messages.
 */
function typeErrors(objects: { where: string; object: K8sObject }[]): string[] {
  const imports = new Map<string, string>();
  const lines: string[] = [];
  objects.forEach(({ where, object }, i) => {
    const module = typesModule(object.apiVersion);
    const alias = `${module.replace(/[^a-z0-9]/gi, '_')}_${object.kind}`;
    imports.set(alias, `import type { ${object.kind} as ${alias} } from '${module}';`);
    lines.push(
      `// ${where}`,
      `export const o${i}: ${alias} & { apiVersion: '${object.apiVersion}'; kind: '${object.kind}' } = ${JSON.stringify(object, null, 2)};`,
    );
  });
  const fileName = path.join(REPO_ROOT, 'test/deploy/__k8s-objects__.ts');
  const source = [...imports.values(), ...lines].join('\n');
  const options: ts.CompilerOptions = {
    strict: true,
    noEmit: true,
    skipLibCheck: true,
    types: [],
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    target: ts.ScriptTarget.ES2022,
  };
  const host = ts.createCompilerHost(options);
  const readFile = host.readFile.bind(host);
  const fileExists = host.fileExists.bind(host);
  const getSourceFile = host.getSourceFile.bind(host);
  host.readFile = (f) => (f === fileName ? source : readFile(f));
  host.fileExists = (f) => f === fileName || fileExists(f);
  host.getSourceFile = (f, v, ...rest) =>
    f === fileName ? ts.createSourceFile(f, source, v) : getSourceFile(f, v, ...rest);
  const program = ts.createProgram([fileName], options, host);
  const sourceLines = source.split('\n');
  return ts.getPreEmitDiagnostics(program).map((d) => {
    const message = ts.flattenDiagnosticMessageText(d.messageText, '\n');
    if (!d.file || d.start === undefined) return message;
    const { line } = d.file.getLineAndCharacterOfPosition(d.start);
    // The object's label is the comment above its declaration.
    let label = '';
    for (let l = line; l >= 0; l--) {
      if (sourceLines[l]!.startsWith('// ')) {
        label = sourceLines[l]!.slice(3);
        break;
      }
    }
    return `${label}: line ${line + 1}: ${sourceLines[line]!.trim()} — ${message}`;
  });
}

/** kubernetes-models' schema validation of one object; returns the error, if any. */
async function schemaError(object: K8sObject): Promise<string | undefined> {
  const group = object.apiVersion.includes('/') ? object.apiVersion : `v1`;
  const models = (await import(`kubernetes-models/${group}`)) as Record<
    string,
    new (data: unknown) => { validate(): void }
  >;
  const Model = models[object.kind];
  if (!Model) return `kubernetes-models has no ${object.apiVersion} ${object.kind}`;
  try {
    new Model(object).validate();
    return undefined;
  } catch (err) {
    return (err as Error).message;
  }
}

// The objects these tests check are those kubectl would apply: where kubectl is installed, its
// own kustomize build must give the same.
const kubectl = spawnSync('kubectl', ['kustomize', K8S_DIR], { encoding: 'utf8' });
test(
  'the objects checked are those `kubectl kustomize deploy/k8s` builds',
  { skip: kubectl.error ? 'kubectl is not installed' : false },
  () => {
    assert.equal(kubectl.status, 0, kubectl.stderr);
    const real = parseAllDocuments(kubectl.stdout, { version: '1.1' }).map((d) => d.toJS() as K8sObject);
    const key = (o: K8sObject): string => `${o.kind}/${o.metadata.name}`;
    assert.deepEqual(real.map(key).sort(), built.map(key).sort());
    for (const o of real)
      assert.deepEqual(
        built.find((b) => key(b) === key(o)),
        o,
        key(o),
      );
  },
);

test('every object of deploy/k8s passes the Kubernetes API schemas (kubernetes-models)', async () => {
  const all = [...built.map((o) => ({ where: 'kustomize build', object: o }))];
  for (const file of files) for (const o of k8sFile(file)) all.push({ where: file, object: o });
  const errors: string[] = [];
  for (const { where, object } of all) {
    const error = await schemaError(object);
    if (error) errors.push(`${where} ${object.kind} ${object.metadata.name}: ${error}`);
  }
  assert.deepEqual(errors, []);
  assert.ok(built.length >= 15, `${built.length} objects built`);
});

test('every object of deploy/k8s has only fields the Kubernetes API defines (kubernetes-types, strict)', () => {
  const all = built.map((o) => ({ where: `kustomize build: ${o.kind} ${o.metadata.name}`, object: o }));
  for (const file of files)
    for (const o of k8sFile(file)) all.push({ where: `${file}: ${o.kind} ${o.metadata.name}`, object: o });
  assert.deepEqual(typeErrors(all), []);
});

test('the checks catch a misspelt field, a wrong type and a missing required field', async () => {
  const deployment = structuredClone(k8sWorkloadOf(built, 'api-gateway').workload);
  const container = podSpecOf(deployment).containers[0];
  container.readinessProbe.httpGet.pathh = container.readinessProbe.httpGet.path;
  const misspelt = typeErrors([{ where: 'misspelt', object: deployment }]);
  assert.equal(misspelt.length, 1, misspelt.join('\n'));
  assert.match(misspelt[0]!, /'"pathh"' does not exist in type 'HTTPGetAction'/);

  const wrongType = structuredClone(k8sWorkloadOf(built, 'api-gateway').workload);
  wrongType.spec.replicas = '2';
  assert.match(
    typeErrors([{ where: 'wrong type', object: wrongType }]).join('\n'),
    /not assignable to type 'number'/,
  );
  assert.match((await schemaError(wrongType)) ?? '', /replicas must be integer/);
  // kubernetes-models alone lets the misspelt field through: the reason for the strict check.
  assert.equal(await schemaError(deployment), undefined);

  const missing = structuredClone(find(built, 'Service', 'api-gateway'));
  delete missing.spec.ports[0].port;
  assert.match(typeErrors([{ where: 'missing', object: missing }]).join('\n'), /'port' is missing/);
});

test('every mqfleet and NATS container has probes and resources; every workload a disruption budget', () => {
  const workloads = built.filter((o) => o.kind === 'Deployment' || o.kind === 'StatefulSet');
  assert.deepEqual(workloads.map((w) => `${w.kind}/${w.metadata.name}`).sort(), [
    'Deployment/api-gateway',
    'Deployment/mqtt-gateway',
    'Deployment/session-service',
    'StatefulSet/nats',
  ]);
  for (const w of workloads) {
    for (const c of podSpecOf(w).containers) {
      const where = `${w.metadata.name}/${c.name}`;
      assert.ok(c.readinessProbe, `${where} readinessProbe`);
      assert.ok(c.livenessProbe, `${where} livenessProbe`);
      assert.ok(c.resources?.requests?.cpu && c.resources?.requests?.memory, `${where} requests`);
      assert.ok(c.resources?.limits?.memory, `${where} memory limit`);
      assert.equal(c.securityContext?.readOnlyRootFilesystem, true, `${where} read-only root`);
    }
    const pdb = built.find(
      (o) =>
        o.kind === 'PodDisruptionBudget' &&
        Object.entries(o.spec.selector.matchLabels).every(([k, v]) => w.spec.selector.matchLabels[k] === v),
    );
    assert.ok(pdb, `${w.metadata.name} has a PodDisruptionBudget`);
    const allowed = pdb.spec.maxUnavailable ?? w.spec.replicas - pdb.spec.minAvailable;
    assert.ok(
      allowed >= 1 && allowed < w.spec.replicas,
      `${w.metadata.name}: ${allowed} of ${w.spec.replicas} may go`,
    );
  }
  // The HPA scales the gateways' Deployment and never below its replicas.
  const hpa = find(built, 'HorizontalPodAutoscaler', 'mqtt-gateway');
  assert.equal(hpa.spec.scaleTargetRef.name, 'mqtt-gateway');
  assert.equal(hpa.spec.minReplicas, find(built, 'Deployment', 'mqtt-gateway').spec.replicas);
});

test('NATS runs JetStream on 3 nodes and every mqfleet service asks for 3 replicas per stream', () => {
  const sts = find(built, 'StatefulSet', 'nats');
  assert.equal(sts.spec.replicas, 3);
  const conf = find(built, 'ConfigMap', 'nats-config').data['nats.conf'] as string;
  assert.match(conf, /^jetstream \{\n {2}store_dir: \/data\n/m);
  assert.equal([...conf.matchAll(/nats-route:\/\//g)].length, 3);
  assert.ok(
    sts.spec.volumeClaimTemplates.some((t: K8sObject) => t.metadata.name === 'data'),
    'JetStream keeps its data on a volume per pod',
  );
  for (const service of SERVICES) {
    const { workload, container } = k8sWorkloadOf(built, service);
    assert.equal(k8sEnvOf(built, workload, container).MQFLEET_STREAM_REPLICAS, '3', service);
  }
});
