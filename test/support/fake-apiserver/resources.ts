// The resource types the API server double serves: a few built-in kinds declared here, plus the Gateway API
// CRDs read at start from the shared v1.6.1 bundle (referenced, never copied), with their served versions,
// scope, status subresource and OpenAPI schema. Leaving a CRD file out simulates a cluster without that CRD.
import { readFileSync, readdirSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseAllDocuments } from 'yaml';

export interface ResourceType {
  group: string; // '' for the core group
  versions: string[]; // served versions, preferred (storage) first
  plural: string;
  singular: string;
  kind: string;
  namespaced: boolean;
  hasStatus: boolean;
  /** Objects of this type carry metadata.generation (bumped on spec changes). */
  hasGeneration: boolean;
  shortNames?: string[];
  categories?: string[];
  /** OpenAPI v3 schema per version (CRDs only): used for defaulting and the /openapi/v3 documents. */
  schemas?: Record<string, Record<string, unknown>>;
  /** The CRD's additionalPrinterColumns per version (server-side `kubectl get` tables). */
  printerColumns?: Record<string, PrinterColumn[]>;
}

export interface PrinterColumn {
  name: string;
  type: string;
  jsonPath: string;
  description?: string;
  priority?: number;
}

const here = dirname(fileURLToPath(import.meta.url));
export const GATEWAY_API_DIR = join(here, '..', '..', '..', 'deploy', 'crds', 'gateway-api-v1.6.1', 'standard');

/** Built-in kinds the project reads or writes. */
export const BUILTIN_TYPES: ResourceType[] = [
  builtin('', 'namespaces', 'Namespace', false, { hasStatus: true, shortNames: ['ns'] }),
  builtin('', 'services', 'Service', true, { hasStatus: true, shortNames: ['svc'] }),
  builtin('', 'secrets', 'Secret', true),
  builtin('', 'configmaps', 'ConfigMap', true, { shortNames: ['cm'] }),
  builtin('', 'events', 'Event', true, { shortNames: ['ev'] }),
  builtin('discovery.k8s.io', 'endpointslices', 'EndpointSlice', true),
  builtin('coordination.k8s.io', 'leases', 'Lease', true),
  builtin('events.k8s.io', 'events', 'Event', true, { shortNames: ['ev'] }),
];

function builtin(
  group: string,
  plural: string,
  kind: string,
  namespaced: boolean,
  extra: { hasStatus?: boolean; shortNames?: string[] } = {},
): ResourceType {
  return {
    group,
    versions: ['v1'],
    plural,
    singular: kind.toLowerCase(),
    kind,
    namespaced,
    hasStatus: extra.hasStatus ?? false,
    hasGeneration: false,
    shortNames: extra.shortNames,
  };
}

/** Standard-channel CRD file names for the kinds the controller watches. */
export const GATEWAY_CRD_FILES = [
  'gatewayclasses',
  'gateways',
  'listenersets',
  'httproutes',
  'grpcroutes',
  'referencegrants',
  'backendtlspolicies',
].map((plural) => `gateway.networking.k8s.io_${plural}.yaml`);

/** Reads CRDs (by file name under GATEWAY_API_DIR, or absolute paths) into resource types. */
export function loadCrdTypes(files: string[] = GATEWAY_CRD_FILES, dir = GATEWAY_API_DIR): ResourceType[] {
  return files.flatMap((file) => {
    const path = file.startsWith('/') ? file : join(dir, file);
    const docs = parseAllDocuments(readFileSync(path, 'utf8')).map((d) => d.toJS() as Crd | null);
    return docs.filter((d): d is Crd => d?.kind === 'CustomResourceDefinition').map(crdToType);
  });
}

/** Every standard-channel CRD file in the bundle (for tests that want them all). */
export function allCrdFiles(dir = GATEWAY_API_DIR): string[] {
  return readdirSync(dir).filter((f) => f.endsWith('.yaml') && f.startsWith('gateway.networking'));
}

interface Crd {
  kind: string;
  spec: {
    group: string;
    scope: 'Namespaced' | 'Cluster';
    names: { plural: string; singular?: string; kind: string; shortNames?: string[]; categories?: string[] };
    versions: {
      name: string;
      served: boolean;
      storage: boolean;
      subresources?: { status?: object };
      additionalPrinterColumns?: PrinterColumn[];
      schema?: { openAPIV3Schema: Record<string, unknown> };
    }[];
  };
}

function crdToType(crd: Crd): ResourceType {
  const served = crd.spec.versions.filter((v) => v.served);
  served.sort((a, b) => Number(b.storage) - Number(a.storage));
  const schemas: Record<string, Record<string, unknown>> = {};
  const printerColumns: Record<string, PrinterColumn[]> = {};
  for (const v of served) {
    if (v.schema) schemas[v.name] = v.schema.openAPIV3Schema;
    if (v.additionalPrinterColumns) printerColumns[v.name] = v.additionalPrinterColumns;
  }
  const { names } = crd.spec;
  return {
    group: crd.spec.group,
    versions: served.map((v) => v.name),
    plural: names.plural,
    singular: names.singular ?? names.kind.toLowerCase(),
    kind: names.kind,
    namespaced: crd.spec.scope === 'Namespaced',
    hasStatus: served.some((v) => v.subresources?.status !== undefined),
    hasGeneration: true,
    shortNames: names.shortNames,
    categories: names.categories,
    schemas,
    printerColumns,
  };
}

export function groupVersion(group: string, version: string): string {
  return group ? `${group}/${version}` : version;
}
