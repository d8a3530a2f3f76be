// Parses API server URL paths into (resource type, version, namespace, name, subresource).
import type { ResourceType } from './resources.js';

export interface ResourcePath {
  resource: ResourceType;
  version: string;
  namespace?: string;
  name?: string;
  subresource?: string;
}

/** /api/v1/... or /apis/<group>/<version>/...; undefined when the path names no served resource. */
export function parseResourcePath(types: ResourceType[], pathname: string): ResourcePath | undefined {
  const parts = pathname.split('/').filter(Boolean).map(decodeURIComponent);
  let group: string;
  let rest: string[];
  if (parts[0] === 'api') [group, rest] = ['', parts.slice(1)];
  else if (parts[0] === 'apis' && parts.length >= 3) [group, rest] = [parts[1]!, parts.slice(2)];
  else return undefined;
  const [version, ...segs] = rest;
  if (!version) return undefined;
  const find = (plural: string) =>
    types.find((t) => t.group === group && t.plural === plural && t.versions.includes(version));
  let namespace: string | undefined;
  if (segs[0] === 'namespaces' && segs.length >= 3 && find(segs[2]!)?.namespaced) {
    namespace = segs[1];
    segs.splice(0, 2);
  }
  const resource = segs[0] ? find(segs[0]) : undefined;
  if (!resource || segs.length > 3) return undefined;
  return { resource, version, namespace, name: segs[1], subresource: segs[2] };
}
