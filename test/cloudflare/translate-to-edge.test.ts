// End to end on the Cloudflare side: manifests → translate() → edge.reconcile() → what the double holds.
// The translator's placeholder target (tunnel id unknown, tunnel to be created) must not leak into DNS.
import { afterEach, beforeEach, expect, it } from '@jest/globals';
import { DEFAULT_CONTROLLER_NAME, type TranslateOptions } from '../../src/core/types.js';
import { parseManifests, toSnapshot } from '../../src/sources/manifests.js';
import { translate } from '../../src/translate/index.js';
import { startFakeCloudflare, type FakeCloudflare } from '../support/fake-cloudflare/index.js';
import { configIngress, edgeFor } from './helpers.js';

const MANIFESTS = (webHost: string) => `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: cloudflare}
spec: {controllerName: ${DEFAULT_CONTROLLER_NAME}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: infra}
spec:
  gatewayClassName: cloudflare
  listeners: [{name: http, port: 80, protocol: HTTP, allowedRoutes: {namespaces: {from: All}}}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: GRPCRoute
metadata: {name: grpc, namespace: app}
spec:
  parentRefs: [{name: gw, namespace: infra}]
  hostnames: [grpc.example.com]
  rules: [{backendRefs: [{name: svc, port: 50051}]}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: app}
spec:
  parentRefs: [{name: gw, namespace: infra}]
  hostnames: [${webHost}]
  rules: [{backendRefs: [{name: svc, port: 50051}]}]
---
apiVersion: v1
kind: Service
metadata: {name: svc, namespace: app}
spec:
  ports: [{name: p, port: 50051}]
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: svc-1, namespace: app, labels: {kubernetes.io/service-name: svc}}
addressType: IPv4
ports: [{name: p, port: 50051}]
endpoints: [{addresses: [10.0.7.1]}]
`;

let fake: FakeCloudflare;
beforeEach(async () => {
  fake = await startFakeCloudflare();
  fake.store.addZone('example.com');
});
afterEach(() => fake.close());

function desired(webHost: string, tunnelId?: string) {
  const options: TranslateOptions = {
    controllerName: DEFAULT_CONTROLLER_NAME,
    now: '2026-01-01T00:00:00Z',
    proxyHttpPort: 8080,
    proxyTlsPort: 8443,
    tunnelId,
  };
  const { ingress, dns } = translate(toSnapshot(parseManifests(MANIFESTS(webHost), 'edge.yaml')).snapshot, options);
  return { ingress, dns };
}

it('publishes what the translator computed, then stays quiet once the tunnel id is known', async () => {
  const edge = edgeFor(fake, { tunnelId: 'create', tunnelName: 'e2e' });
  expect(await edge.reconcile(desired('web.example.com'))).toEqual({ ok: true, writes: 3 });
  const id = edge.tunnelId()!;
  expect(configIngress(fake, id)).toEqual([
    {
      hostname: 'grpc.example.com',
      service: 'https://localhost:8443',
      originRequest: { http2Origin: true, noTLSVerify: true },
    },
    { hostname: 'web.example.com', service: 'http://localhost:8080' },
    { service: 'http_status:404' },
  ]);
  const targets = [...fake.store.records.values()].map((r) => `${r.name} → ${r.content}`).sort();
  expect(targets).toEqual([`grpc.example.com → ${id}.cfargotunnel.com`, `web.example.com → ${id}.cfargotunnel.com`]);

  // The runtime re-translates with the tunnel id: same edge state, so nothing to write.
  fake.resetCalls();
  expect(await edge.reconcile(desired('web.example.com', id))).toEqual({ ok: true, writes: 0 });
  expect(fake.writes()).toEqual([]);

  // A route's hostname changes: one configuration write, one batch (delete old + create new).
  expect(await edge.reconcile(desired('shop.example.com', id))).toEqual({ ok: true, writes: 3 });
  expect([...fake.store.records.values()].map((r) => r.name).sort()).toEqual(['grpc.example.com', 'shop.example.com']);
  expect(fake.writes().map((c) => `${c.method} ${c.path.replace(/[0-9a-f-]{32,36}/g, ':id')}`)).toEqual([
    'PUT /accounts/:id/cfd_tunnel/:id/configurations',
    'POST /zones/:id/dns_records/batch',
  ]);
});
