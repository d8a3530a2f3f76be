// RBAC covers every Kubernetes API call the controller makes (derived from its source, see
// support/api-calls.ts), and grants nothing the code does not use beyond a short, explained allowance.
import { describe, expect, it } from '@jest/globals';
import { watchedResources } from '../../src/kubernetes/resources.js';
import { deriveApiCalls, type ApiCall } from './support/api-calls.js';
import { describe as describeRequest, grantsFor, isAllowed, type ApiRequest } from './support/rbac.js';
import { OVERLAYS, flagValue, ofKind, render, type Container, type K8s } from './support/render.js';

const derived = deriveApiCalls();
const TENANT_NAMESPACE = 'some-app-namespace'; // any namespace but the controller's

interface Install {
  objects: K8s[];
  namespace: string;
  serviceAccount: string;
  /** Objects the controller is configured to own in its namespace. */
  ownNames: { leases: string[]; secrets: string[]; configmaps: string[] };
  /** Secrets the controller has no business reading through the API (API token, connector token). */
  otherSecrets: string[];
}

function install(overlay: (typeof OVERLAYS)[number]): Install {
  const objects = render(overlay);
  const containers = ofKind(objects, 'Deployment').flatMap((d) => d.spec.template.spec.containers as Container[]);
  const controllerDeployment = ofKind(objects, 'Deployment').find((d) =>
    (d.spec.template.spec.containers as Container[]).some((c) => c.args?.[0] === 'controller'),
  )!;
  const controller = containers.find((c) => c.args?.[0] === 'controller')!;
  const cloudflared = containers.find((c) => c.name === 'cloudflared')!;
  const secretOf = (c: Container, env: string) =>
    c.env!.find((e) => e.name === env)!.valueFrom.secretKeyRef.name as string;
  return {
    objects,
    namespace: controllerDeployment.metadata.namespace!,
    serviceAccount: controllerDeployment.spec.template.spec.serviceAccountName,
    ownNames: {
      leases: [flagValue(controller.args!, '--lease-name')!],
      secrets: [flagValue(controller.args!, '--admin-token-secret')!],
      configmaps: [flagValue(controller.args!, '--params-configmap')!],
    },
    otherSecrets: [secretOf(controller, 'CLOUDFLARE_API_TOKEN'), secretOf(cloudflared, 'TUNNEL_TOKEN')],
  };
}

/**
 * The concrete requests one derived call stands for. Leases, Secrets and the parameters ConfigMap the
 * controller reads or writes by name are its own, in its namespace, with the names its flags/params give
 * them (a list or watch selecting one name is authorized as a request for that name); everything else is
 * about users' objects, in any namespace.
 */
function requestsFor(call: ApiCall, inst: Install): ApiRequest[] {
  const base = {
    verb: call.verb,
    group: call.group,
    resource: call.resource,
    ...(call.subresource ? { subresource: call.subresource } : {}),
  };
  const own =
    call.group === 'coordination.k8s.io' ||
    (call.group === '' && call.resource === 'configmaps') ||
    (call.group === '' && call.resource === 'secrets' && (call.named || call.verb === 'create'));
  if (!call.namespaced) return [base];
  if (!own) return [{ ...base, namespace: TENANT_NAMESPACE, ...(call.named ? { name: 'some-object' } : {}) }];
  if (!call.named) return [{ ...base, namespace: inst.namespace }];
  const names = inst.ownNames[call.resource as keyof Install['ownNames']];
  return names.map((name) => ({ ...base, namespace: inst.namespace, name }));
}

describe('API calls derived from the controller source', () => {
  it('resolves every call site', () => {
    expect(derived.unresolved).toEqual([]);
  });

  it('include list+watch of every watched resource, status patches, lease and event writes', () => {
    const has = (verb: string, resource: string, subresource?: string) =>
      derived.calls.some((c) => c.verb === verb && c.resource === resource && c.subresource === subresource);
    for (const r of watchedResources())
      expect([r.plural, has('list', r.plural), has('watch', r.plural)]).toEqual([r.plural, true, true]);
    for (const plural of [
      'gatewayclasses',
      'gateways',
      'listenersets',
      'httproutes',
      'grpcroutes',
      'backendtlspolicies',
    ])
      expect(has('patch', plural, 'status')).toBe(true);
    expect([has('create', 'leases'), has('update', 'leases'), has('create', 'events')]).toEqual([true, true, true]);
  });
});

describe.each(OVERLAYS)('overlay %s: RBAC', (overlay) => {
  const inst = install(overlay);
  const grants = grantsFor(inst.objects, { name: inst.serviceAccount, namespace: inst.namespace });

  it('binds the controller ServiceAccount to a ClusterRole and a Role in its namespace', () => {
    expect(grants.filter((g) => g.namespace === undefined)).toHaveLength(1);
    expect(grants.filter((g) => g.namespace === inst.namespace)).toHaveLength(1);
  });

  it('allows every API call the controller makes', () => {
    const denied = derived.calls.flatMap((call) =>
      requestsFor(call, inst)
        .filter((r) => !isAllowed(grants, r))
        .map((r) => `${describeRequest(r)} (${call.site})`),
    );
    expect(denied).toEqual([]);
  });

  it('allows nothing on objects it does not own: no spec writes, no deletes, no other Secrets or Leases', () => {
    const gw = 'gateway.networking.k8s.io';
    const forbidden: ApiRequest[] = [
      ...['update', 'patch', 'delete'].map((verb) => ({
        verb,
        group: gw,
        resource: 'httproutes',
        namespace: TENANT_NAMESPACE,
        name: 'r',
      })),
      {
        verb: 'update',
        group: gw,
        resource: 'gateways',
        subresource: 'status',
        namespace: TENANT_NAMESPACE,
        name: 'g',
      },
      { verb: 'get', group: '', resource: 'secrets', namespace: TENANT_NAMESPACE, name: 'db-password' },
      { verb: 'get', group: '', resource: 'secrets', namespace: inst.namespace, name: 'someone-elses' },
      ...inst.otherSecrets.map((name) => ({
        verb: 'get',
        group: '',
        resource: 'secrets',
        namespace: inst.namespace,
        name,
      })),
      { verb: 'update', group: '', resource: 'secrets', namespace: inst.namespace, name: inst.ownNames.secrets[0]! },
      { verb: 'create', group: '', resource: 'secrets', namespace: TENANT_NAMESPACE },
      {
        verb: 'update',
        group: 'coordination.k8s.io',
        resource: 'leases',
        namespace: inst.namespace,
        name: 'kube-scheduler',
      },
      { verb: 'create', group: '', resource: 'pods', namespace: inst.namespace },
      { verb: 'delete', group: '', resource: 'secrets', namespace: inst.namespace, name: inst.ownNames.secrets[0]! },
      // ConfigMaps are listed and watched cluster-wide (BackendTLSPolicy CA bundles), never read one by one.
      { verb: 'get', group: '', resource: 'configmaps', namespace: TENANT_NAMESPACE, name: 'app-config' },
    ];
    expect(forbidden.filter((r) => isAllowed(grants, r)).map(describeRequest)).toEqual([]);
  });

  it('grants no permission the controller does not use (least privilege)', () => {
    const used = new Set(
      derived.calls.map((c) => `${c.verb} ${c.resource}${c.subresource ? `/${c.subresource}` : ''}`),
    );
    const granted = [...ofKind(inst.objects, 'ClusterRole'), ...ofKind(inst.objects, 'Role')].flatMap((role) =>
      (role.rules as Array<{ resources: string[]; verbs: string[] }>).flatMap((rule) =>
        rule.resources.flatMap((resource) => rule.verbs.map((verb) => `${verb} ${resource}`)),
      ),
    );
    expect([...new Set(granted)].filter((g) => !used.has(g)).sort()).toEqual([]);
  });
});
