// A small RBAC authorizer over rendered manifests: which requests a ServiceAccount's bindings allow.
// Semantics follow Kubernetes' RBAC: ClusterRoleBinding → cluster-wide; RoleBinding → its namespace only;
// a rule with resourceNames never matches a request without a name (create; list and watch unless they select
// one name with the field selector metadata.name, which the API server authorizes as a request for that name).
import type { K8s } from './render.js';

export interface ApiRequest {
  verb: string;
  group: string; // '' for the core group
  resource: string; // plural, e.g. "httproutes"
  subresource?: string; // e.g. "status"
  /** Omitted for cluster-wide requests (list/watch across namespaces, cluster-scoped kinds). */
  namespace?: string;
  name?: string;
}

interface Rule {
  apiGroups?: string[];
  resources?: string[];
  verbs: string[];
  resourceNames?: string[];
}

interface Grant {
  rules: Rule[];
  /** undefined = every namespace (ClusterRoleBinding). */
  namespace?: string;
}

export interface ServiceAccountRef {
  name: string;
  namespace: string;
}

export function grantsFor(objects: K8s[], sa: ServiceAccountRef): Grant[] {
  const bindsSa = (b: K8s) =>
    ((b.subjects ?? []) as Array<{ kind: string; name: string; namespace?: string }>).some(
      (s) =>
        s.kind === 'ServiceAccount' && s.name === sa.name && (s.namespace ?? b.metadata.namespace) === sa.namespace,
    );
  const roleRules = (kind: string, name: string, namespace?: string): Rule[] =>
    objects.find(
      (o) =>
        o.kind === kind && o.metadata.name === name && (kind === 'ClusterRole' || o.metadata.namespace === namespace),
    )?.rules ?? [];
  const grants: Grant[] = [];
  for (const b of objects.filter((o) => o.kind === 'ClusterRoleBinding' && bindsSa(o))) {
    grants.push({ rules: roleRules('ClusterRole', b.roleRef.name) });
  }
  for (const b of objects.filter((o) => o.kind === 'RoleBinding' && bindsSa(o))) {
    grants.push({
      rules: roleRules(b.roleRef.kind, b.roleRef.name, b.metadata.namespace),
      namespace: b.metadata.namespace,
    });
  }
  return grants;
}

export function isAllowed(grants: Grant[], request: ApiRequest): boolean {
  return grants.some(
    (g) =>
      (g.namespace === undefined || g.namespace === request.namespace) && g.rules.some((r) => ruleAllows(r, request)),
  );
}

function ruleAllows(rule: Rule, request: ApiRequest): boolean {
  const resource = request.subresource ? `${request.resource}/${request.subresource}` : request.resource;
  const has = (list: string[] | undefined, value: string) => (list ?? []).includes(value) || (list ?? []).includes('*');
  if (!has(rule.apiGroups, request.group) || !has(rule.resources, resource) || !has(rule.verbs, request.verb)) {
    return false;
  }
  if (!rule.resourceNames || rule.resourceNames.length === 0) return true;
  return request.name !== undefined && rule.resourceNames.includes(request.name);
}

export function describe(request: ApiRequest): string {
  const resource = request.subresource ? `${request.resource}/${request.subresource}` : request.resource;
  const where = request.namespace ? ` in ${request.namespace}` : ' (all namespaces)';
  return `${request.verb} ${request.group || 'core'}/${resource}${request.name ? ` ${request.name}` : ''}${where}`;
}
