// Discovery documents and OpenAPI v3, in the shapes kubectl and client-node read: /version, /api, /apis,
// /api/v1 and /apis/<group>/<version> resource lists (with subresources and verbs), and /openapi/v3 (an
// index of group-versions, then one document per group-version whose paths declare the fieldValidation
// parameter, so kubectl leaves validation to the server instead of needing full built-in schemas).
import { groupVersion, type ResourceType } from './resources.js';

const VERBS = ['create', 'delete', 'deletecollection', 'get', 'list', 'patch', 'update', 'watch'];

export function versionInfo(): Record<string, string> {
  return {
    major: '1',
    minor: '32',
    gitVersion: 'v1.32.0-fake',
    gitCommit: 'fake',
    gitTreeState: 'clean',
    buildDate: '2026-01-01T00:00:00Z',
    goVersion: 'go1.23',
    compiler: 'gc',
    platform: 'linux/amd64',
  };
}

export function coreVersions(): Record<string, unknown> {
  return {
    kind: 'APIVersions',
    versions: ['v1'],
    serverAddressByClientCIDRs: [{ clientCIDR: '0.0.0.0/0', serverAddress: '' }],
  };
}

export function apiGroupList(types: ResourceType[]): Record<string, unknown> {
  const groups = new Map<string, string[]>();
  for (const t of types.filter((x) => x.group)) {
    const versions = groups.get(t.group) ?? [];
    for (const v of t.versions) if (!versions.includes(v)) versions.push(v);
    groups.set(t.group, versions);
  }
  return {
    kind: 'APIGroupList',
    apiVersion: 'v1',
    groups: [...groups.entries()].map(([name, versions]) => ({
      name,
      versions: versions.map((version) => ({ groupVersion: `${name}/${version}`, version })),
      preferredVersion: { groupVersion: `${name}/${versions[0]}`, version: versions[0] },
    })),
  };
}

export function apiGroup(types: ResourceType[], group: string): Record<string, unknown> | undefined {
  const list = apiGroupList(types).groups as { name: string }[];
  const found = list.find((g) => g.name === group);
  return found && { kind: 'APIGroup', apiVersion: 'v1', ...found };
}

export function resourceList(
  types: ResourceType[],
  group: string,
  version: string,
): Record<string, unknown> | undefined {
  const served = types.filter((t) => t.group === group && t.versions.includes(version));
  if (served.length === 0) return undefined;
  const resources = served.flatMap((t) => {
    const main = {
      name: t.plural,
      singularName: t.singular,
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: VERBS,
      ...(t.shortNames ? { shortNames: t.shortNames } : {}),
      ...(t.categories ? { categories: t.categories } : {}),
      storageVersionHash: 'fake',
    };
    const status = {
      name: `${t.plural}/status`,
      singularName: '',
      namespaced: t.namespaced,
      kind: t.kind,
      verbs: ['get', 'patch', 'update'],
    };
    return t.hasStatus ? [main, status] : [main];
  });
  return { kind: 'APIResourceList', apiVersion: 'v1', groupVersion: groupVersion(group, version), resources };
}

export function openApiIndex(types: ResourceType[]): Record<string, unknown> {
  const paths: Record<string, { serverRelativeURL: string }> = {};
  for (const t of types) {
    for (const v of t.versions) {
      const key = t.group ? `apis/${t.group}/${v}` : `api/${v}`;
      paths[key] = { serverRelativeURL: `/openapi/v3/${key}?hash=fake${types.length}` };
    }
  }
  return { paths };
}

export function openApiDocument(
  types: ResourceType[],
  group: string,
  version: string,
): Record<string, unknown> | undefined {
  const served = types.filter((t) => t.group === group && t.versions.includes(version));
  if (served.length === 0) return undefined;
  const paths: Record<string, unknown> = {};
  const schemas: Record<string, unknown> = {};
  for (const t of served) {
    const gvk = [{ group: t.group, version, kind: t.kind }];
    const name = schemaName(t, version);
    schemas[name] = {
      ...(t.schemas?.[version] ?? { type: 'object', 'x-kubernetes-preserve-unknown-fields': true }),
      'x-kubernetes-group-version-kind': gvk,
    };
    const base = `/${t.group ? `apis/${t.group}` : 'api'}/${version}${t.namespaced ? '/namespaces/{namespace}' : ''}/${t.plural}`;
    const write = {
      parameters: [{ name: 'fieldValidation', in: 'query', schema: { type: 'string', uniqueItems: true } }],
      'x-kubernetes-group-version-kind': gvk[0],
      responses: { 200: { description: 'OK' } },
    };
    paths[base] = { post: { ...write, 'x-kubernetes-action': 'post' } };
    paths[`${base}/{name}`] = {
      patch: { ...write, 'x-kubernetes-action': 'patch' },
      put: { ...write, 'x-kubernetes-action': 'put' },
    };
  }
  return { openapi: '3.0.0', info: { title: 'Kubernetes', version: 'v1.32.0' }, paths, components: { schemas } };
}

function schemaName(t: ResourceType, version: string): string {
  const group = t.group ? t.group.split('.').reverse().join('.') : 'io.k8s.api.core';
  return `${group}.${version}.${t.kind}`;
}
