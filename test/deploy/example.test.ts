// The `example` overlay is a working install: its Gateway, HTTPRoute and GRPCRoute are accepted by our own
// translator with every reference resolved, and each route's backends are Services of the overlay.
import { describe, expect, it } from '@jest/globals';
import { toSnapshot } from '../../src/sources/manifests.js';
import { translate } from '../../src/translate/index.js';
import { DEFAULT_CONTROLLER_NAME, type K8sObject } from '../../src/core/types.js';
import { find, flagValue, hostPort, ofKind, render, selectedDeployments, type Container } from './support/render.js';

const objects = render('example');
const proxy = ofKind(objects, 'Deployment').flatMap((d) =>
  (d.spec.template.spec.containers as Container[]).filter((c) => c.args?.[0] === 'proxy'),
)[0]!;
const ports = {
  proxyHttpPort: hostPort(flagValue(proxy.args!, '--listen')).port,
  proxyTlsPort: hostPort(flagValue(proxy.args!, '--tls-listen')).port,
};
const routes = [...ofKind(objects, 'HTTPRoute'), ...ofKind(objects, 'GRPCRoute')];

describe('overlay example', () => {
  const desired = translate(toSnapshot(objects as unknown as K8sObject[]).snapshot, {
    controllerName: DEFAULT_CONTROLLER_NAME,
    now: '2026-01-01T00:00:00Z',
    tunnelId: '00000000-0000-4000-8000-000000000000',
    ...ports,
  });
  const conditions = (kind: string, name: string) => {
    const status = desired.statuses.find((s) => s.kind === kind && s.name === name)?.status as
      | {
          conditions?: Array<{ type: string; status: string }>;
          parents?: Array<{ conditions: Array<{ type: string; status: string }> }>;
        }
      | undefined;
    expect(status).toBeDefined();
    return status!.conditions ?? status!.parents!.flatMap((p) => p.conditions);
  };
  const isTrue = (list: Array<{ type: string; status: string }>, type: string) =>
    list.some((c) => c.type === type && c.status === 'True');

  it('the GatewayClass and the Gateway are accepted by the translator', () => {
    expect(isTrue(conditions('GatewayClass', 'cloudflare-tunnel'), 'Accepted')).toBe(true);
    const gateway = conditions('Gateway', 'cloudflare-tunnel');
    expect([isTrue(gateway, 'Accepted'), isTrue(gateway, 'Programmed')]).toEqual([true, true]);
  });

  it.each(routes.map((r) => [r.kind, r.metadata.name]))(
    '%s %s is accepted with every reference resolved',
    (kind, name) => {
      const list = conditions(kind, name);
      expect(list.length).toBeGreaterThan(0);
      expect(list.filter((c) => ['Accepted', 'ResolvedRefs'].includes(c.type) && c.status !== 'True')).toEqual([]);
    },
  );

  it('publishes every route hostname through the tunnel; gRPC hostnames via the loopback TLS port', () => {
    const ingress = new Map(desired.ingress.ingress.map((r) => [r.hostname, r]));
    for (const route of routes) {
      for (const hostname of route.spec.hostnames as string[]) {
        const expected =
          route.kind === 'GRPCRoute'
            ? `https://localhost:${ports.proxyTlsPort}`
            : `http://localhost:${ports.proxyHttpPort}`;
        expect(ingress.get(hostname)?.service).toBe(expected);
      }
    }
    expect(desired.ingress.ingress.at(-1)).toEqual({ service: 'http_status:404' });
  });

  it('routes point at Services of the overlay whose ports reach running pods; gRPC backends speak h2c', () => {
    for (const route of routes) {
      for (const rule of route.spec.rules) {
        for (const backend of rule.backendRefs) {
          const svc = find(objects, 'Service', backend.name, backend.namespace ?? route.metadata.namespace);
          const port = svc.spec.ports.find((p: { port: number }) => p.port === backend.port);
          expect(port).toBeDefined();
          expect(selectedDeployments(objects, svc.spec.selector, svc.metadata.namespace!)).toHaveLength(1);
          if (route.kind === 'GRPCRoute') expect(port.appProtocol).toBe('kubernetes.io/h2c');
        }
      }
    }
  });
});
