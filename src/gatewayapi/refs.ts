// ReferenceGrant checks: may an object of (fromKind, fromNamespace) refer to (toGroup, toKind, name) in
// another namespace? Only grants living in the target namespace count.
import type { K8sObject } from '../core/types.js';
import { GATEWAY_GROUP } from './constants.js';
import { namespaceOf, record, records, str } from './values.js';

export interface RefFrom {
  group: string;
  kind: string;
  namespace: string;
}

export interface RefTo {
  group: string;
  kind: string;
  namespace: string;
  name: string;
}

export function refPermitted(grants: K8sObject[], from: RefFrom, to: RefTo): boolean {
  if (from.namespace === to.namespace) return true;
  return grants.some((g) => namespaceOf(g) === to.namespace && grantAllows(g, from, to));
}

function grantAllows(grant: K8sObject, from: RefFrom, to: RefTo): boolean {
  const spec = record(grant.spec);
  const fromOk = records(spec.from).some(
    (f) => (str(f.group) ?? '') === from.group && f.kind === from.kind && f.namespace === from.namespace,
  );
  if (!fromOk) return false;
  return records(spec.to).some((t) => {
    const name = str(t.name);
    return (str(t.group) ?? '') === to.group && t.kind === to.kind && (!name || name === to.name);
  });
}

export function routeRefFrom(kind: string, namespace: string): RefFrom {
  return { group: GATEWAY_GROUP, kind, namespace };
}
