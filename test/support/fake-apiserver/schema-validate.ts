// Custom resources checked against their CRD's OpenAPI v3 schema the way the API server does, after
// defaulting: unknown fields are pruned (or, with fieldValidation=Strict — kubectl's default — rejected
// with 400), then types, enums, patterns, bounds and required fields are validated (422). CEL rules
// (x-kubernetes-validations) are not evaluated.
import { Ajv, type ValidateFunction, type ErrorObject } from 'ajv';
import type { ResourceType } from './resources.js';
import type { Obj } from './store.js';
import { ApiError, badRequest } from './errors.js';

type Schema = Record<string, unknown>;
const ajv = new Ajv({ strict: false, allErrors: true, validateFormats: false, verbose: true });
const compiled = new WeakMap<Schema, ValidateFunction>();

export function validateCustomResource(
  t: ResourceType,
  version: string,
  obj: Obj,
  fieldValidation: string | null,
): void {
  const schema = t.schemas?.[version] ?? t.schemas?.[t.versions[0]!];
  if (!schema) return;
  const unknown: string[] = [];
  prune(obj, schema, '', unknown, true);
  if (unknown.length && fieldValidation === 'Strict') {
    throw badRequest(`strict decoding error: ${unknown.map((f) => `unknown field "${f}"`).join(', ')}`);
  }
  const name = String(obj.metadata?.name ?? '');
  let validate = compiled.get(schema);
  if (!validate) compiled.set(schema, (validate = ajv.compile(schema)));
  if (!validate(obj)) {
    const causes = (validate.errors ?? []).slice(0, 10).map(describe);
    throw new ApiError(422, 'Invalid', `${t.kind}.${t.group} "${name}" is invalid: ${causes.join(', ')}`);
  }
}

/** Removes (and reports) fields the schema does not declare, unless it preserves unknown fields there. */
function prune(value: unknown, schema: Schema, path: string, unknown: string[], root = false): void {
  if (!value || typeof value !== 'object' || schema['x-kubernetes-preserve-unknown-fields'] === true) return;
  if (Array.isArray(value)) {
    const items = schema.items as Schema | undefined;
    if (items) value.forEach((v, i) => prune(v, items, `${path}[${i}]`, unknown));
    return;
  }
  const obj = value as Obj;
  const props = schema.properties as Record<string, Schema> | undefined;
  const extra = schema.additionalProperties;
  for (const key of Object.keys(obj)) {
    const at = path ? `${path}.${key}` : key;
    if (props?.[key]) prune(obj[key], props[key], at, unknown);
    else if (extra && typeof extra === 'object') prune(obj[key], extra as Schema, at, unknown);
    else if (extra !== true && props && !(root && (key === 'metadata' || key === 'apiVersion' || key === 'kind'))) {
      unknown.push(at);
      delete obj[key];
    }
  }
}

function describe(e: ErrorObject): string {
  const path = e.instancePath
    .replace(/^\//, '')
    .replace(/\/(\d+)/g, '[$1]')
    .replace(/\//g, '.');
  if (e.keyword === 'enum')
    return `${path}: Unsupported value: ${JSON.stringify(e.data)}: supported values: ${(e.params.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
  if (e.keyword === 'required') return `${path ? `${path}.` : ''}${String(e.params.missingProperty)}: Required value`;
  return `${path}: Invalid value: ${JSON.stringify(e.data)}: ${e.message ?? e.keyword}`;
}
