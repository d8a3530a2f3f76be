// Every overlay renders with `kubectl kustomize`, every object passes its schema, and every pod meets the
// hardening the install promises (restricted Pod Security Standard, resources, standard labels).
import { describe, expect, it } from '@jest/globals';
import {
  OVERLAYS,
  ofKind,
  packageVersion,
  render,
  selectedDeployments,
  selects,
  type Container,
  type K8s,
} from './support/render.js';
import { GATEWAY_API_CRDS, unknownFields, validateWithCrd, validateWithModels } from './support/schema.js';

const STANDARD_LABELS = [
  'app.kubernetes.io/name',
  'app.kubernetes.io/instance',
  'app.kubernetes.io/component',
  'app.kubernetes.io/part-of',
  'app.kubernetes.io/version',
];

const ref = (o: K8s) => `${o.kind} ${o.metadata.namespace ? `${o.metadata.namespace}/` : ''}${o.metadata.name}`;
const podTemplates = (objects: K8s[]) => ofKind(objects, 'Deployment');
const allContainers = (d: K8s): Container[] => [
  ...(d.spec.template.spec.initContainers ?? []),
  ...d.spec.template.spec.containers,
];

describe.each(OVERLAYS)('overlay %s', (overlay) => {
  const objects = render(overlay);

  it('renders objects with unique kind/namespace/name', () => {
    expect(objects.length).toBeGreaterThan(10);
    const keys = objects.map(ref);
    expect(new Set(keys).size).toBe(keys.length);
  });

  it('passes the kubernetes-models schemas for every object', async () => {
    const failures: string[] = [];
    for (const object of objects) {
      await validateWithModels(object).catch((e: Error) => failures.push(`${ref(object)}: ${e.message}`));
    }
    expect(failures).toEqual([]);
  });

  it('has no fields the Kubernetes API does not define (strict field validation) in built-in objects', () => {
    const builtIn = objects.filter((o) => !o.apiVersion.startsWith('gateway.networking.k8s.io/'));
    expect(builtIn.flatMap((o) => unknownFields(o).map((f) => `${ref(o)}: ${f}`))).toEqual([]);
  });

  it(`passes the Gateway API v1.6.1 CRD schemas (${GATEWAY_API_CRDS})`, () => {
    const gatewayObjects = objects.filter((o) => o.apiVersion.startsWith('gateway.networking.k8s.io/'));
    expect(gatewayObjects.length).toBeGreaterThan(0);
    const failures = gatewayObjects.flatMap((o) => validateWithCrd(o).map((e) => `${ref(o)}: ${e}`));
    expect(failures).toEqual([]);
  });

  it('puts the standard app.kubernetes.io labels on every object and pod, version = package.json', () => {
    const missing: string[] = [];
    const labelled = [
      ...objects.map((o) => ({ what: ref(o), labels: o.metadata.labels })),
      ...podTemplates(objects).map((d) => ({ what: `pods of ${ref(d)}`, labels: d.spec.template.metadata.labels })),
    ];
    for (const { what, labels } of labelled) {
      for (const label of STANDARD_LABELS) if (!labels?.[label]) missing.push(`${what}: ${label}`);
      if (labels?.['app.kubernetes.io/version'] !== packageVersion())
        missing.push(`${what}: version ${labels?.['app.kubernetes.io/version']}`);
    }
    expect(missing).toEqual([]);
  });

  it('runs every container as a non-root, unprivileged user on a read-only root filesystem', () => {
    const problems: string[] = [];
    for (const d of podTemplates(objects)) {
      const pod = d.spec.template.spec.securityContext ?? {};
      for (const c of allContainers(d)) {
        const sc = c.securityContext ?? {};
        const where = `${ref(d)} container ${c.name}`;
        const uid = sc.runAsUser ?? pod.runAsUser;
        if ((sc.runAsNonRoot ?? pod.runAsNonRoot) !== true) problems.push(`${where}: runAsNonRoot is not true`);
        if (typeof uid !== 'number' || uid === 0) problems.push(`${where}: runAsUser ${uid} (must be a non-zero uid)`);
        if (sc.readOnlyRootFilesystem !== true) problems.push(`${where}: readOnlyRootFilesystem is not true`);
        if (sc.allowPrivilegeEscalation !== false) problems.push(`${where}: allowPrivilegeEscalation is not false`);
        if (sc.privileged === true) problems.push(`${where}: privileged`);
        if (!(sc.capabilities?.drop ?? []).includes('ALL')) problems.push(`${where}: capabilities.drop lacks ALL`);
        if ((sc.capabilities?.add ?? []).length > 0) problems.push(`${where}: adds capabilities`);
        const seccomp = sc.seccompProfile?.type ?? pod.seccompProfile?.type;
        if (seccomp !== 'RuntimeDefault') problems.push(`${where}: seccompProfile ${seccomp}`);
      }
      for (const field of ['hostNetwork', 'hostPID', 'hostIPC']) {
        if (d.spec.template.spec[field] === true) problems.push(`${ref(d)}: ${field}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('sets resource requests and a memory limit on every container', () => {
    const problems = podTemplates(objects).flatMap((d) =>
      allContainers(d).flatMap((c) => {
        const r = c.resources ?? {};
        const where = `${ref(d)} container ${c.name}`;
        return [
          ...(r.requests?.cpu ? [] : [`${where}: no cpu request`]),
          ...(r.requests?.memory ? [] : [`${where}: no memory request`]),
          ...(r.limits?.memory ? [] : [`${where}: no memory limit`]),
        ];
      }),
    );
    expect(problems).toEqual([]);
  });

  it('gives every container a readiness probe, and our own containers startup and liveness probes too', () => {
    const problems: string[] = [];
    for (const d of podTemplates(objects)) {
      for (const c of allContainers(d)) {
        const ours = c.image.startsWith('tunnel-gateway') || c.image.includes('/tunnel-gateway');
        const required = ours ? ['readinessProbe', 'livenessProbe', 'startupProbe'] : ['readinessProbe'];
        for (const probe of required)
          if (!(c as unknown as Record<string, unknown>)[probe]) problems.push(`${ref(d)} ${c.name}: no ${probe}`);
      }
    }
    expect(problems).toEqual([]);
  });

  it('has Deployment selectors that match their own pod templates (and nothing else in the namespace)', () => {
    for (const d of podTemplates(objects)) {
      expect(selects(d.spec.selector.matchLabels, d.spec.template.metadata.labels)).toBe(true);
      expect(selectedDeployments(objects, d.spec.selector.matchLabels, d.metadata.namespace!)).toEqual([d]);
    }
  });

  it('has PodDisruptionBudgets that select pods and still let a drain evict one of them', () => {
    const pdbs = ofKind(objects, 'PodDisruptionBudget');
    expect(pdbs.length).toBeGreaterThan(0);
    for (const pdb of pdbs) {
      const [target, ...others] = selectedDeployments(objects, pdb.spec.selector.matchLabels, pdb.metadata.namespace!);
      expect(target).toBeDefined();
      expect(others).toEqual([]);
      const replicas: number = target!.spec.replicas ?? 1;
      if (pdb.spec.minAvailable !== undefined) expect(pdb.spec.minAvailable).toBeLessThan(replicas);
      if (pdb.spec.maxUnavailable !== undefined) expect(pdb.spec.maxUnavailable).toBeGreaterThanOrEqual(1);
    }
  });

  it('labels the controller pods app.kubernetes.io/name=cloudflare-tunnel-gateway-controller', () => {
    const controllers = ofKind(objects, 'Deployment').filter((d) =>
      allContainers(d).some((c) => c.args?.[0] === 'controller'),
    );
    expect(controllers.length).toBe(1);
    expect(controllers[0]!.spec.template.metadata.labels['app.kubernetes.io/name']).toBe(
      'cloudflare-tunnel-gateway-controller',
    );
  });
});

describe('overlay differences', () => {
  const deployment = (overlay: (typeof OVERLAYS)[number], name: string) =>
    render(overlay).find((o) => o.kind === 'Deployment' && o.metadata.name === name)!;

  it('default runs one controller and one proxy; ha runs 2 controllers, 2+ proxies and a PDB for each', () => {
    expect(deployment('default', 'cloudflare-tunnel-gateway-controller').spec.replicas ?? 1).toBe(1);
    expect(deployment('default', 'cloudflare-tunnel-proxy').spec.replicas ?? 1).toBe(1);
    expect(deployment('ha', 'cloudflare-tunnel-gateway-controller').spec.replicas).toBe(2);
    expect(deployment('ha', 'cloudflare-tunnel-proxy').spec.replicas).toBeGreaterThanOrEqual(2);
    const pdbTargets = ofKind(render('ha'), 'PodDisruptionBudget')
      .map((p) => p.spec.selector.matchLabels['app.kubernetes.io/name'])
      .sort();
    expect(pdbTargets).toEqual(['cloudflare-tunnel-gateway-controller', 'cloudflare-tunnel-proxy']);
  });

  it('example adds a Gateway, an HTTPRoute and a GRPCRoute on top of default', () => {
    const kinds = (overlay: (typeof OVERLAYS)[number]) => new Set(render(overlay).map((o) => o.kind));
    for (const kind of ['Gateway', 'HTTPRoute', 'GRPCRoute']) {
      expect(kinds('default').has(kind)).toBe(false);
      expect(kinds('example').has(kind)).toBe(true);
    }
    const defaultRefs = new Set(render('default').map(ref));
    expect(render('example').filter((o) => defaultRefs.has(ref(o))).length).toBe(defaultRefs.size);
  });
});
