// The pieces line up: ports, names and Secrets agree between the controller, the proxy, cloudflared, Services, probes and NetworkPolicy.
import { describe, expect, it } from '@jest/globals';
import { DEFAULT_CONTROLLER_NAME } from '../../src/core/types.js';
import { validateEdgeParameters } from '../../src/cloudflare/params.js';
import { ADMIN_TOKEN_KEY } from '../../src/kubernetes/admin-token.js';
import {
  OVERLAYS,
  container,
  find,
  flagValue,
  hostPort,
  ofKind,
  render,
  selectedDeployments,
  selects,
  type Container,
  type K8s,
} from './support/render.js';

const LOOPBACK = new Set(['127.0.0.1', '::1', 'localhost']);
const ANY = new Set(['0.0.0.0', '::']);

/** Deployment whose container runs `tunnel-gateway <subcommand>`. */
function roleDeployment(objects: K8s[], subcommand: string): { deployment: K8s; main: Container } {
  const matches = ofKind(objects, 'Deployment').flatMap((deployment) =>
    (deployment.spec.template.spec.containers as Container[])
      .filter((c) => c.args?.[0] === subcommand)
      .map((main) => ({ deployment, main })),
  );
  if (matches.length !== 1) throw new Error(`expected one container running "${subcommand}", found ${matches.length}`);
  return matches[0]!;
}

/** A probe or Service targetPort (name or number) → the container port number it means, if declared. */
function resolvePort(c: Container, port: string | number): number | undefined {
  return typeof port === 'number'
    ? c.ports?.find((p) => p.containerPort === port)?.containerPort
    : c.ports?.find((p) => p.name === port)?.containerPort;
}

describe.each(OVERLAYS)('overlay %s: ports and names', (overlay) => {
  const objects = render(overlay);
  const controller = roleDeployment(objects, 'controller');
  const proxy = roleDeployment(objects, 'proxy');
  const controllerArgs = controller.main.args!;
  const proxyArgs = proxy.main.args!;
  const namespace = proxy.deployment.metadata.namespace!;

  it('probes name ports their containers declare', () => {
    const problems: string[] = [];
    for (const d of ofKind(objects, 'Deployment')) {
      for (const c of d.spec.template.spec.containers as Container[]) {
        for (const kind of ['startupProbe', 'livenessProbe', 'readinessProbe'] as const) {
          const probe = c[kind];
          const port = probe?.httpGet?.port ?? probe?.grpc?.port ?? probe?.tcpSocket?.port;
          if (probe && resolvePort(c, port) === undefined)
            problems.push(`${d.metadata.name}/${c.name} ${kind}: port ${port}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('Services select pods that declare every targetPort', () => {
    const problems: string[] = [];
    for (const svc of ofKind(objects, 'Service')) {
      const targets = selectedDeployments(objects, svc.spec.selector, svc.metadata.namespace!);
      if (targets.length === 0) problems.push(`Service ${svc.metadata.name} selects no pods`);
      for (const d of targets) {
        for (const p of svc.spec.ports) {
          const declared = (d.spec.template.spec.containers as Container[]).some(
            (c) => resolvePort(c, p.targetPort ?? p.port) !== undefined,
          );
          if (!declared)
            problems.push(`Service ${svc.metadata.name} port ${p.name}: ${d.metadata.name} has no ${p.targetPort}`);
        }
      }
    }
    expect(problems).toEqual([]);
  });

  it('proxy: data ports on loopback for cloudflared only, admin port reachable and probed at /readyz and /healthz', () => {
    const admin = hostPort(flagValue(proxyArgs, '--admin'));
    const listen = hostPort(flagValue(proxyArgs, '--listen'));
    const tls = hostPort(flagValue(proxyArgs, '--tls-listen'));
    expect(LOOPBACK.has(tls.host)).toBe(true);
    expect(LOOPBACK.has(listen.host)).toBe(true);
    expect(ANY.has(admin.host)).toBe(true);
    const declared = (proxy.main.ports ?? []).map((p) => p.containerPort);
    expect(declared).toContain(admin.port);
    expect(declared).not.toContain(listen.port);
    expect(declared).not.toContain(tls.port);
    const probePort = (kind: 'startupProbe' | 'livenessProbe' | 'readinessProbe') =>
      resolvePort(proxy.main, proxy.main[kind].httpGet.port);
    expect([probePort('startupProbe'), probePort('livenessProbe'), probePort('readinessProbe')]).toEqual([
      admin.port,
      admin.port,
      admin.port,
    ]);
    expect(proxy.main.readinessProbe.httpGet.path).toBe('/readyz');
    expect(proxy.main.livenessProbe.httpGet.path).toBe('/healthz');
  });

  it("proxy drains at least as long as cloudflared may still send it requests, within the pod's grace period", () => {
    const drainMs = Number(flagValue(proxyArgs, '--drain-ms'));
    const cloudflaredGraceMs = 30_000; // cloudflared's default --grace-period (the manifests keep it)
    expect(container(proxy.deployment, 'cloudflared').args!.join(' ')).not.toContain('--grace-period');
    expect(drainMs).toBeGreaterThanOrEqual(cloudflaredGraceMs);
    expect(proxy.deployment.spec.template.spec.terminationGracePeriodSeconds * 1000).toBeGreaterThan(drainMs);
  });

  it('controller tells cloudflared (through the tunnel ingress) the ports the proxy really listens on', () => {
    expect(Number(flagValue(controllerArgs, '--proxy-http-port'))).toBe(
      hostPort(flagValue(proxyArgs, '--listen')).port,
    );
    expect(Number(flagValue(controllerArgs, '--proxy-tls-port'))).toBe(
      hostPort(flagValue(proxyArgs, '--tls-listen')).port,
    );
  });

  it('controller: admin (health, metrics) port declared and probed at /healthz and /readyz', () => {
    const admin = hostPort(flagValue(controllerArgs, '--admin'));
    expect(ANY.has(admin.host)).toBe(true);
    for (const kind of ['startupProbe', 'livenessProbe', 'readinessProbe'] as const) {
      expect(resolvePort(controller.main, controller.main[kind].httpGet.port)).toBe(admin.port);
    }
    expect(controller.main.livenessProbe.httpGet.path).toBe('/healthz');
    expect(controller.main.readinessProbe.httpGet.path).toBe('/readyz');
  });

  it('controller finds every proxy replica (ready or not) through the headless Service on the admin port', () => {
    const svc = find(objects, 'Service', flagValue(controllerArgs, '--proxy-service')!, namespace);
    expect(svc.spec.clusterIP).toBe('None');
    expect(svc.spec.publishNotReadyAddresses).toBe(true);
    expect(selectedDeployments(objects, svc.spec.selector, namespace)).toEqual([proxy.deployment]);
    const adminPort = hostPort(flagValue(proxyArgs, '--admin')).port;
    expect(Number(flagValue(controllerArgs, '--proxy-admin-port'))).toBe(adminPort);
    const svcPort = svc.spec.ports.find((p: { port: number }) => p.port === adminPort);
    expect(resolvePort(proxy.main, svcPort?.targetPort ?? svcPort?.port)).toBe(adminPort);
    expect(controller.deployment.metadata.namespace).toBe(namespace);
  });

  it('NetworkPolicy lets only the controller pods reach the proxy, only on the admin port', () => {
    const policies = ofKind(objects, 'NetworkPolicy').filter(
      (p) =>
        p.metadata.namespace === namespace &&
        selects(p.spec.podSelector.matchLabels, proxy.deployment.spec.template.metadata.labels),
    );
    expect(policies).toHaveLength(1);
    const policy = policies[0]!;
    expect(policy.spec.policyTypes).toContain('Ingress');
    const adminPort = hostPort(flagValue(proxyArgs, '--admin')).port;
    const rules = policy.spec.ingress as Array<{
      from?: Array<Record<string, { matchLabels: Record<string, string> }>>;
      ports?: Array<{ port: number | string }>;
    }>;
    expect(rules).toHaveLength(1);
    expect(rules[0]!.ports?.map((p) => resolvePort(proxy.main, p.port))).toEqual([adminPort]);
    expect(rules[0]!.from).toHaveLength(1);
    const peer = rules[0]!.from![0]!;
    expect(Object.keys(peer)).toEqual(['podSelector']); // same namespace, no ipBlock
    expect(selectedDeployments(objects, peer.podSelector!.matchLabels, namespace)).toEqual([controller.deployment]);
  });

  it('the admin token Secret the controller manages is the one mounted where the proxy reads it', () => {
    const secretName = flagValue(controllerArgs, '--admin-token-secret');
    const tokenFile = flagValue(proxyArgs, '--admin-token-file')!;
    const volume = (
      proxy.deployment.spec.template.spec.volumes as Array<{ name: string; secret?: { secretName: string } }>
    ).find((v) => v.secret?.secretName === secretName);
    expect(volume).toBeDefined();
    const mount = proxy.main.volumeMounts?.find((m) => m.name === volume!.name);
    expect(mount).toBeDefined();
    expect(tokenFile.startsWith(`${mount!.mountPath}/`)).toBe(true);
    // The file is the Secret key the controller writes the token under.
    expect(tokenFile.slice(mount!.mountPath.length + 1)).toBe(ADMIN_TOKEN_KEY);
  });

  it('cloudflared runs the remotely managed tunnel over http2 with its own connector token Secret', () => {
    const cloudflared = container(proxy.deployment, 'cloudflared');
    expect(cloudflared.image).toMatch(/^cloudflare\/cloudflared:\d{4}\.\d+\.\d+$/);
    const args = cloudflared.args!;
    expect(args[0]).toBe('tunnel');
    expect(args).toContain('--no-autoupdate');
    expect(flagValue(args, '--protocol')).toBe('http2');
    expect(args[args.length - 1]).toBe('run');
    expect(args.join(' ')).not.toMatch(/--token|\$\(TUNNEL_TOKEN\)/); // token only from env, never in argv
    const tokenSecret = cloudflared.env?.find((e) => e.name === 'TUNNEL_TOKEN')?.valueFrom?.secretKeyRef?.name;
    expect(tokenSecret).toBeTruthy();
    // cloudflared never sees the Cloudflare API token, and the controller never the connector token.
    expect(tokenSecret).not.toBe(apiTokenRef().name);
    expect(JSON.stringify(controller.main.env)).not.toContain(tokenSecret);
  });

  /** The API token Secret the controller's CLOUDFLARE_API_TOKEN comes from. */
  function apiTokenRef(): { name: string; key: string } {
    return controller.main.env!.find((e) => e.name === 'CLOUDFLARE_API_TOKEN')!.valueFrom.secretKeyRef;
  }

  it('GatewayClass, controller and params agree on the controller name and parameters', () => {
    const gatewayClass = find(objects, 'GatewayClass', 'cloudflare-tunnel');
    expect(gatewayClass.spec.controllerName).toBe(DEFAULT_CONTROLLER_NAME);
    expect(flagValue(controllerArgs, '--controller-name')).toBe(DEFAULT_CONTROLLER_NAME);
    const ref = gatewayClass.spec.parametersRef;
    expect([ref.group, ref.kind, ref.namespace]).toEqual(['', 'ConfigMap', namespace]);
    const params = find(objects, 'ConfigMap', ref.name, namespace);
    for (const env of controller.main.env ?? []) {
      const cm = env.valueFrom?.configMapKeyRef;
      if (cm) expect([cm.name, cm.key in params.data]).toEqual([params.metadata.name, true]);
    }
  });

  it("params pass the edge's own validation once filled in, and feed the controller's account, tunnel and API token", () => {
    const params = find(objects, 'ConfigMap', 'cloudflare-tunnel-params', namespace);
    // As shipped, accountId and tunnelId are placeholders the user must replace: the edge says so.
    const shipped = validateEdgeParameters(params.data);
    expect(shipped.ok ? '' : shipped.message).toMatch(/accountId/);
    const filled = validateEdgeParameters({
      ...params.data,
      accountId: '0123456789abcdef0123456789abcdef',
      tunnelId: '6ff42ae2-765d-4adf-8112-31c55c1551ef',
    });
    if (!filled.ok) throw new Error(filled.message);
    // The controller is given the same account and tunnel through its flags (it refuses tunnelId "create").
    for (const [flag, key] of [
      ['--account-id', 'accountId'],
      ['--tunnel-id', 'tunnelId'],
    ] as const) {
      const variable = /^\$\((\w+)\)$/.exec(flagValue(controllerArgs, flag) ?? '')?.[1];
      const env = controller.main.env?.find((e) => e.name === variable);
      expect([env?.valueFrom?.configMapKeyRef?.name, env?.valueFrom?.configMapKeyRef?.key]).toEqual([
        params.metadata.name,
        key,
      ]);
    }
    const { name, key, namespace: secretNamespace } = filled.params.tokenSecretRef;
    expect({ name, key }).toEqual(apiTokenRef());
    expect(secretNamespace ?? namespace).toBe(namespace);
  });

  it('controller: namespace from the downward API, API token from a Secret, leader election on', () => {
    const env = new Map((controller.main.env ?? []).map((e) => [e.name, e]));
    expect(flagValue(controllerArgs, '--namespace')).toBe('$(POD_NAMESPACE)');
    expect(env.get('POD_NAMESPACE')?.valueFrom?.fieldRef?.fieldPath).toBe('metadata.namespace');
    expect(env.get('CLOUDFLARE_API_TOKEN')?.valueFrom?.secretKeyRef?.name).toBeTruthy();
    expect(env.get('CLOUDFLARE_API_TOKEN')?.value).toBeUndefined();
    expect(controllerArgs).toContain('--leader-elect');
    expect(flagValue(controllerArgs, '--lease-name')).toBeTruthy();
  });
});
