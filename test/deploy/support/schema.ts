// Schema validation of rendered objects, the way an API server would check them:
// - every kind with the validators compiled into `kubernetes-models` / `@kubernetes-models/gateway-api`;
// - built-in kinds for unknown fields, with the attribute maps of client-node's generated models (the
//   kubernetes-models validators accept unknown fields; a real API server with strict field validation does not);
// - Gateway API kinds also against the v1.6.1 CRDs users install (vendored in deploy/crds/), with unknown
//   fields rejected, as `kubectl apply` (strict field validation) against a real cluster would.
import { readFileSync } from 'node:fs';
import { parseAllDocuments } from 'yaml';
import * as clientModels from '@kubernetes/client-node';
import AjvModule, { type ValidateFunction } from 'ajv';
import formatsModule from 'ajv-formats';
import { ROOT, type K8s } from './render.js';

const GATEWAY_GROUP = 'gateway.networking.k8s.io';

/** Throws with the model's error message when the object does not validate. */
export async function validateWithModels(object: K8s): Promise<void> {
  const [group, version] = object.apiVersion.includes('/') ? object.apiVersion.split('/') : ['', object.apiVersion];
  let modulePath = group === '' ? `kubernetes-models/${version}` : `kubernetes-models/${group}/${version}`;
  let data: K8s = object;
  if (group === GATEWAY_GROUP) {
    modulePath = `@kubernetes-models/gateway-api/${group}/${version}`;
    // The installed models predate GRPCRoute v1; it graduated from v1alpha2 with the same spec, so its
    // v1alpha2 validator applies. The CRD check below covers v1 itself.
    if (object.kind === 'GRPCRoute' && version === 'v1') {
      modulePath = `@kubernetes-models/gateway-api/${group}/v1alpha2`;
      data = { ...object, apiVersion: `${group}/v1alpha2` };
    }
  }
  const models = (await import(modulePath)) as Record<string, new (data: unknown) => { validate(): void }>;
  const Model = models[object.kind];
  if (!Model) throw new Error(`no model for ${object.apiVersion} ${object.kind} in ${modulePath}`);
  new Model(data).validate();
}

export const GATEWAY_API_CRDS = `${ROOT}deploy/crds/gateway-api-v1.6.1/standard`;

const crdValidators = new Map<string, ValidateFunction>();

/** Validates a Gateway API object against its v1.6.1 CRD schema; returns ajv's error list (empty = valid). */
export function validateWithCrd(object: K8s): string[] {
  const [group, version] = object.apiVersion.split('/');
  if (group !== GATEWAY_GROUP) throw new Error(`${object.kind} is not a Gateway API kind`);
  const key = `${object.kind}/${version}`;
  let validate = crdValidators.get(key);
  if (!validate) {
    validate = compileCrdSchema(object.kind, version!);
    crdValidators.set(key, validate);
  }
  if (validate(object)) return [];
  return (validate.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

function compileCrdSchema(kind: string, version: string): ValidateFunction {
  const lower = kind.toLowerCase();
  const path = `${GATEWAY_API_CRDS}/${GATEWAY_GROUP}_${lower}${lower.endsWith('s') ? 'es' : 's'}.yaml`;
  const crd = parseAllDocuments(readFileSync(path, 'utf8'))
    .map((d) => d.toJS())
    .find((d) => d?.kind === 'CustomResourceDefinition' && d.spec.names.kind === kind);
  const served = crd?.spec.versions.find((v: { name: string }) => v.name === version);
  if (!served) throw new Error(`Gateway API v1.6.1 does not serve ${kind} ${version}`);
  return newAjv().compile(rejectUnknownFields(structuredClone(served.schema.openAPIV3Schema)));
}

// ajv ships CommonJS: its default export is the class itself under Node's ESM interop.
type AjvClass = typeof AjvModule.default;
function newAjv() {
  const Ajv = ((AjvModule as unknown as { default?: AjvClass }).default ?? AjvModule) as AjvClass;
  const addFormats = ((formatsModule as unknown as { default?: typeof formatsModule.default }).default ??
    formatsModule) as unknown as (ajv: InstanceType<AjvClass>) => void;
  // strict: false lets ajv skip the x-kubernetes-* extension keywords (CEL rules are not evaluated here).
  const ajv = new Ajv({ strict: false, allErrors: true });
  addFormats(ajv);
  ajv.addFormat('int32', { type: 'number', validate: (n: number) => Number.isInteger(n) && Math.abs(n) < 2 ** 31 });
  ajv.addFormat('int64', { type: 'number', validate: (n: number) => Number.isInteger(n) });
  return ajv;
}

/** Structural schemas prune unknown fields; strict field validation rejects them. Mirror the latter. */
function rejectUnknownFields(schema: Record<string, unknown>): Record<string, unknown> {
  const visit = (node: unknown): void => {
    if (Array.isArray(node)) return node.forEach(visit);
    if (!node || typeof node !== 'object') return;
    const s = node as Record<string, unknown>;
    if (s.properties && s.additionalProperties === undefined && !s['x-kubernetes-preserve-unknown-fields']) {
      s.additionalProperties = false;
    }
    Object.values(s).forEach(visit);
  };
  visit(schema);
  // metadata is `type: object` in CRDs (the API server checks it separately): leave it open.
  return schema;
}

type AttributeMap = Array<{ baseName: string; type: string }>;
const models = clientModels as unknown as Record<string, { getAttributeTypeMap?: () => AttributeMap } | undefined>;
const SCALARS = new Set(['string', 'number', 'boolean', 'Date', 'any', 'object', 'IntOrString']);

/** JSON pointers of fields the Kubernetes API does not define for this built-in object (e.g. a typo). */
export function unknownFields(object: K8s): string[] {
  const version = object.apiVersion.split('/').pop()!;
  const type = `${version[0]!.toUpperCase()}${version.slice(1)}${object.kind}`;
  if (!models[type]?.getAttributeTypeMap)
    throw new Error(`no client-node model ${type} for ${object.apiVersion} ${object.kind}`);
  return unknownIn(object, type, '');
}

function unknownIn(value: unknown, type: string, path: string): string[] {
  if (value === null || value === undefined || SCALARS.has(type)) return [];
  const array = /^Array<(.+)>$/.exec(type);
  if (array) return (value as unknown[]).flatMap((item, i) => unknownIn(item, array[1]!, `${path}/${i}`));
  const map = /^\{ \[key: string\]: (.+); \}$/.exec(type);
  if (map) return Object.entries(value as object).flatMap(([k, v]) => unknownIn(v, map[1]!, `${path}/${k}`));
  const attributes = models[type]?.getAttributeTypeMap?.();
  if (!attributes) return [];
  return Object.entries(value as object).flatMap(([key, v]) => {
    const attribute = attributes.find((a) => a.baseName === key);
    return attribute ? unknownIn(v, attribute.type, `${path}/${key}`) : [`${path}/${key}`];
  });
}
