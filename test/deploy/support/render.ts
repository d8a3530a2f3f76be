// Renders the kustomize overlays with the real `kubectl kustomize` and offers small lookups over the result.
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export const ROOT = fileURLToPath(new URL('../../../', import.meta.url));
export const KUSTOMIZE_DIR = `${ROOT}deploy/kustomize`;
export const OVERLAYS = ['default', 'ha', 'example'] as const;
export type Overlay = (typeof OVERLAYS)[number];

/* eslint-disable @typescript-eslint/no-explicit-any -- rendered manifests are untyped YAML */
export interface K8s {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string>; [k: string]: any };
  spec?: any;
  [k: string]: any;
}

export interface Container {
  name: string;
  image: string;
  args?: string[];
  env?: Array<{ name: string; value?: string; valueFrom?: any }>;
  ports?: Array<{ name?: string; containerPort: number; protocol?: string }>;
  volumeMounts?: Array<{ name: string; mountPath: string }>;
  securityContext?: any;
  resources?: any;
  startupProbe?: any;
  livenessProbe?: any;
  readinessProbe?: any;
}
/* eslint-enable @typescript-eslint/no-explicit-any */

const cache = new Map<Overlay, K8s[]>();

/** Every object `kubectl kustomize deploy/kustomize/overlays/<overlay>` prints, in order. */
export function render(overlay: Overlay): K8s[] {
  let objects = cache.get(overlay);
  if (!objects) {
    const yaml = execFileSync('kubectl', ['kustomize', `${KUSTOMIZE_DIR}/overlays/${overlay}`], {
      encoding: 'utf8',
      timeout: 60_000,
    });
    objects = parseAllDocuments(yaml).map((doc) => {
      if (doc.errors.length > 0) throw new Error(`kubectl kustomize ${overlay}: ${doc.errors[0]!.message}`);
      return doc.toJS() as K8s;
    });
    cache.set(overlay, objects);
  }
  return objects;
}

export function ofKind(objects: K8s[], kind: string): K8s[] {
  return objects.filter((o) => o.kind === kind);
}

export function find(objects: K8s[], kind: string, name: string, namespace?: string): K8s {
  const found = objects.find(
    (o) =>
      o.kind === kind && o.metadata.name === name && (namespace === undefined || o.metadata.namespace === namespace),
  );
  if (!found) throw new Error(`no ${kind} ${namespace ? `${namespace}/` : ''}${name} in the rendered overlay`);
  return found;
}

export function container(deployment: K8s, name: string): Container {
  const found = (deployment.spec.template.spec.containers as Container[]).find((c) => c.name === name);
  if (!found) throw new Error(`Deployment ${deployment.metadata.name} has no container ${name}`);
  return found;
}

/** True when every matchLabels pair is among the labels (matchExpressions are not used in our manifests). */
export function selects(
  selector: Record<string, string> | undefined,
  labels: Record<string, string> | undefined,
): boolean {
  if (!selector || Object.keys(selector).length === 0) return false;
  return Object.entries(selector).every(([k, v]) => labels?.[k] === v);
}

/** Deployments in `namespace` whose pod template labels the selector matches. */
export function selectedDeployments(objects: K8s[], selector: Record<string, string>, namespace: string): K8s[] {
  return ofKind(objects, 'Deployment').filter(
    (d) => d.metadata.namespace === namespace && selects(selector, d.spec.template.metadata.labels),
  );
}

/** Value of `--name=value` (or `--name value`) in an argument list; undefined when absent. */
export function flagValue(args: string[], name: string): string | undefined {
  for (let i = 0; i < args.length; i++) {
    const arg = args[i]!;
    if (arg.startsWith(`${name}=`)) return arg.slice(name.length + 1);
    if (arg === name) return args[i + 1];
  }
  return undefined;
}

/** "0.0.0.0:9901" → { host: "0.0.0.0", port: 9901 }. */
export function hostPort(value: string | undefined): { host: string; port: number } {
  const match = /^(.*):(\d+)$/.exec(value ?? '');
  if (!match) throw new Error(`not a host:port: ${value}`);
  return { host: match[1]!, port: Number(match[2]) };
}

export function packageVersion(): string {
  return (JSON.parse(readFileSync(`${ROOT}package.json`, 'utf8')) as { version: string }).version;
}
