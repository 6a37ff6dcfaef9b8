// The deploy files as data, for the tests that compare them with each other, with the settings
// table and with the process topology test (test/e2e/deploy-topology.test.ts): deploy/compose.yaml
// with its anchors merged and ${...} filled in, the Kubernetes objects of deploy/k8s as
// `kubectl kustomize deploy/k8s` would emit them (the kustomization's resources, its namespace and
// image tag applied), and each service's environment as its container would see it.
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import { parse, parseAllDocuments } from 'yaml';

export const REPO_ROOT = path.resolve(__dirname, '../..');
export const K8S_DIR = path.join(REPO_ROOT, 'deploy/k8s');

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export type Json = any;

export interface K8sObject {
  apiVersion: string;
  kind: string;
  metadata: {
    name: string;
    namespace?: string;
    labels?: Record<string, string>;
    annotations?: Record<string, string>;
  };
  [field: string]: Json;
}

/** The mqfleet services, by the directory name of services/<name>. */
export const SERVICES = ['session-service', 'api-gateway', 'connection-gateway'] as const;
export type ServiceName = (typeof SERVICES)[number];

/** Every object of one file of deploy/k8s, read as Kubernetes reads YAML (1.1: 0440 is octal). */
export function k8sFile(file: string): K8sObject[] {
  const text = readFileSync(path.join(K8S_DIR, file), 'utf8');
  return parseAllDocuments(text, { version: '1.1' })
    .map((doc) => {
      if (doc.errors.length > 0) throw new Error(`${file}: ${doc.errors.map((e) => e.message).join('; ')}`);
      return doc.toJS() as K8sObject | null;
    })
    .filter((o): o is K8sObject => o !== null);
}

/** Objects that live in no namespace (kustomize leaves them alone). */
const CLUSTER_SCOPED = new Set(['Namespace']);

/** What `kubectl kustomize deploy/k8s` builds: the resources with namespace and images applied. */
export function kustomizeBuild(): K8sObject[] {
  const kustomization = k8sFile('kustomization.yaml')[0] as unknown as {
    namespace: string;
    resources: string[];
    images?: { name: string; newName?: string; newTag?: string }[];
  };
  const objects = kustomization.resources.flatMap((file) => k8sFile(file));
  for (const o of objects) {
    if (!CLUSTER_SCOPED.has(o.kind)) o.metadata.namespace = kustomization.namespace;
    for (const c of podSpecOf(o)?.containers ?? []) {
      for (const image of kustomization.images ?? []) {
        const [name] = String(c.image).split(':');
        if (name === image.name) c.image = `${image.newName ?? name}:${image.newTag ?? 'latest'}`;
      }
    }
  }
  return objects;
}

export function podSpecOf(o: K8sObject): Json | undefined {
  return o.spec?.template?.spec;
}

export function find(objects: K8sObject[], kind: string, name: string): K8sObject {
  const found = objects.find((o) => o.kind === kind && o.metadata.name === name);
  if (!found) throw new Error(`no ${kind} ${name} in deploy/k8s`);
  return found;
}

/** The workload whose container runs services/<service>/dist/main.js. */
export function k8sWorkloadOf(
  objects: K8sObject[],
  service: ServiceName,
): { workload: K8sObject; container: Json } {
  for (const o of objects) {
    for (const container of podSpecOf(o)?.containers ?? []) {
      if ((container.command ?? []).includes(`services/${service}/dist/main.js`))
        return { workload: o, container };
    }
  }
  throw new Error(`no workload of deploy/k8s runs ${service}`);
}

/** A value standing in for a Secret's or the downward API's (as long as the real one may be). */
export function placeholderOf(name: string): string {
  return `placeholder-${name.toLowerCase().replace(/_/g, '-')}`;
}

/**
 * The environment of a container as the pod gets it: the ConfigMaps of envFrom, then env (a
 * Secret's value becomes a placeholder; metadata.name the longest pod name the Deployment can
 * have: its name, a 10-character ReplicaSet hash and a 5-character suffix).
 */
export function k8sEnvOf(objects: K8sObject[], workload: K8sObject, container: Json): Record<string, string> {
  const env: Record<string, string> = {};
  for (const source of container.envFrom ?? []) {
    const map = find(objects, 'ConfigMap', source.configMapRef.name);
    Object.assign(env, map.data);
  }
  for (const e of container.env ?? []) {
    if (e.value !== undefined) env[e.name] = String(e.value);
    else if (e.valueFrom?.secretKeyRef) env[e.name] = placeholderOf(e.valueFrom.secretKeyRef.key);
    else if (e.valueFrom?.fieldRef?.fieldPath === 'metadata.name') {
      env[e.name] =
        workload.kind === 'Deployment'
          ? `${workload.metadata.name}-5d8f7c9b4d-x7k2q`
          : `${workload.metadata.name}-0`;
    } else throw new Error(`${workload.metadata.name}: no stand-in for ${JSON.stringify(e)}`);
  }
  return env;
}

export interface ComposeService {
  image?: string;
  command?: string[];
  environment?: Record<string, string>;
  ports?: string[];
  healthcheck?: { test: string[] };
  volumes?: string[];
  hostname?: string;
  networks?: { default?: { aliases?: string[] } };
  depends_on?: Record<string, unknown>;
}

/**
 * deploy/compose.yaml with its anchors merged and ${VAR}, ${VAR:-default} and ${VAR:?message}
 * filled in as compose would from deploy/.env (a placeholder for each variable it needs).
 */
export function composeFile(): { services: Record<string, ComposeService>; [key: string]: Json } {
  const text = readFileSync(path.join(REPO_ROOT, 'deploy/compose.yaml'), 'utf8');
  const filled = text.replace(
    /\$\{([A-Z0-9_]+)(?::([-?])([^}]*))?\}/g,
    (_, name: string, op?: string, arg?: string) => (op === '-' ? arg! : placeholderOf(name)),
  );
  return parse(filled, { merge: true });
}

/** The compose services that run services/<service>/dist/main.js, by compose name. */
export function composeServicesOf(service: ServiceName): [string, ComposeService][] {
  return Object.entries(composeFile().services).filter(([, s]) =>
    (s.command ?? []).includes(`services/${service}/dist/main.js`),
  );
}

/** The string environment of a compose service. */
export function composeEnvOf(s: ComposeService): Record<string, string> {
  return Object.fromEntries(Object.entries(s.environment ?? {}).map(([k, v]) => [k, String(v)]));
}

/**
 * The topology the deploy files describe: NATS nodes, session-services, gateways and the
 * JetStream replicas of every stream (Kubernetes replicas; compose runs one session-service and
 * two gateways on one host, and the same NATS cluster).
 */
export function deployTopology(): {
  natsNodes: number;
  sessionServices: number;
  gateways: number;
  streamReplicas: number;
} {
  const objects = kustomizeBuild();
  const replicas = (service: ServiceName): number => k8sWorkloadOf(objects, service).workload.spec.replicas;
  return {
    natsNodes: find(objects, 'StatefulSet', 'nats').spec.replicas,
    sessionServices: replicas('session-service'),
    gateways: replicas('connection-gateway'),
    streamReplicas: Number(find(objects, 'ConfigMap', 'mqfleet-config').data.MQFLEET_STREAM_REPLICAS),
  };
}
