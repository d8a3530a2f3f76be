// End to end, as in a cluster: the real `controller` process against the API server double, a real `proxy`
// process found through its Service's EndpointSlice, kubectl applying Gateway API objects that point at a
// local HTTP backend. Status appears in kubectl, traffic flows through the proxy; delete → the route is gone.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createServer, request as httpRequest, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeApiServer, type FakeApiServer } from '../support/fake-apiserver/server.js';
import { writeKubeconfig } from '../support/fake-apiserver/kubeconfig.js';
import { runCli, type CliProcess } from '../support/cli.js';
import { waitFor } from './support.js';
import { createTestCa } from '../support/test-ca.js';
import { startTlsBackend } from '../support/tls-backend.js';
import { freePort } from '../support/ports.js';

const run = promisify(execFile);
const TOKEN = 'e2e-admin-token';
const dir = mkdtempSync(join(tmpdir(), 'controller-e2e-'));
let api: FakeApiServer;
let kubeconfig: string;
let backend: Server;
let backendPort: number;
let proxy: CliProcess;
let controller: CliProcess;
let proxyHttp: number;
let proxyAdmin: number;
let controllerAdmin: number;

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run('kubectl', args, { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 30_000 });
  return stdout;
}

/** GET over node:http (fetch does not let a caller set Host). */
function get(port: number, path: string, host?: string): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, headers: host ? { host } : {}, agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

const app = (backend: number) => `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: cloudflare}
spec: {controllerName: cloudflare-tunnel-gateway.dev/controller}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: apps}
spec:
  gatewayClassName: cloudflare
  listeners: [{name: http, port: 80, protocol: HTTP}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: web, namespace: apps}
spec:
  parentRefs: [{name: gw}]
  hostnames: [app.example.com]
  rules: [{backendRefs: [{name: web, port: 80}]}]
---
apiVersion: v1
kind: Service
metadata: {name: web, namespace: apps}
spec: {ports: [{name: http, port: 80, targetPort: ${backend}}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: web-1, namespace: apps, labels: {kubernetes.io/service-name: web}}
addressType: IPv4
ports: [{name: http, port: ${backend}, protocol: TCP}]
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
`;

beforeAll(async () => {
  api = await startFakeApiServer({ namespaces: ['default', 'apps', 'tunnel-gateway'] });
  kubeconfig = writeKubeconfig(api.url);
  backend = createServer((req, res) => res.end(`backend saw ${req.headers.host} ${req.url}`));
  await new Promise<void>((r) => backend.listen(0, '127.0.0.1', () => r()));
  backendPort = (backend.address() as AddressInfo).port;
  // The admin token Secret the proxy pods would mount, and the proxy's headless Service (not ready: no config yet).
  api.seed({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { namespace: 'tunnel-gateway', name: 'proxy-admin' },
    type: 'Opaque',
    data: { token: Buffer.from(TOKEN).toString('base64') },
  });
  const tokenFile = join(dir, 'token');
  writeFileSync(tokenFile, TOKEN);
  const adminPort = (proxyAdmin = await freePort());
  proxy = runCli([
    'proxy',
    '--listen',
    '127.0.0.1:0',
    '--admin',
    `127.0.0.1:${adminPort}`,
    '--admin-token-file',
    tokenFile,
  ]);
  const ready = await proxy.waitForLog((l) => l.msg === 'proxy ready for config', 30_000);
  proxyHttp = (ready.ports as { http: number }).http;
  api.seed({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: 'tunnel-gateway', name: 'proxy-1', labels: { 'kubernetes.io/service-name': 'proxy' } },
    addressType: 'IPv4',
    ports: [{ name: 'admin', port: adminPort }],
    endpoints: [
      { addresses: ['127.0.0.1'], conditions: { ready: false }, targetRef: { kind: 'Pod', name: 'proxy-0' } },
    ],
  });
  controller = runCli([
    'controller',
    '--kubeconfig',
    kubeconfig,
    '--namespace',
    'tunnel-gateway',
    '--proxy-service',
    'proxy',
    '--proxy-admin-port',
    String(adminPort),
    '--admin-token-secret',
    'proxy-admin',
    '--params-configmap',
    'params',
    '--admin',
    '127.0.0.1:0',
    '--leader-elect',
    '--lease-duration',
    '3',
  ]);
  const serving = await controller.waitForLog((l) => l.msg === 'controller serving', 30_000);
  controllerAdmin = Number(String(serving.admin).split(':').pop());
  markReadyOnceConfigured(adminPort);
}, 90_000);

/** What kubelet + the EndpointSlice controller do: the proxy pod turns ready once its /readyz passes. */
function markReadyOnceConfigured(adminPort: number): void {
  void waitFor(async () => (await get(adminPort, '/readyz')).status === 200, 'proxy readiness', 60_000).then(
    () => {
      const sliceType = api.type('discovery.k8s.io', 'EndpointSlice');
      const slice = api.store.get(sliceType, 'tunnel-gateway', 'proxy-1')!;
      slice.endpoints[0].conditions.ready = true;
      api.store.update(sliceType, 'tunnel-gateway', 'proxy-1', slice);
    },
    () => undefined,
  );
}

afterAll(async () => {
  if (process.env.E2E_LOGS)
    writeFileSync(
      process.env.E2E_LOGS,
      `${controller?.stdout()}\n${controller?.stderr()}\n---proxy\n${proxy?.stdout()}\n${proxy?.stderr()}`,
    );
  await controller?.stop();
  await proxy?.stop();
  await new Promise((r) => backend?.close(r));
  await api?.stop();
});

describe('controller + proxy against the API server double', () => {
  it('becomes ready and leader, and reports itself on /healthz, /readyz and /metrics', async () => {
    await waitFor(async () => (await get(controllerAdmin, '/readyz')).status === 200, 'controller /readyz');
    expect((await get(controllerAdmin, '/healthz')).status).toBe(200);
    await waitFor(
      async () => /tunnel_gateway_leader 1/.test((await get(controllerAdmin, '/metrics')).body),
      'leadership',
    );
    const lease = JSON.parse(
      await kubectl('get', 'lease', '-n', 'tunnel-gateway', 'tunnel-gateway-controller', '-o', 'json'),
    );
    expect(lease.spec.renewTime).toMatch(/\.\d{6}Z$/);
  });

  it('kubectl apply → status in kubectl get → traffic through the proxy', async () => {
    const file = join(dir, 'app.yaml');
    writeFileSync(file, app(backendPort));
    await kubectl('apply', '-f', file);
    await waitFor(
      async () =>
        (await kubectl(
          'get',
          'gateway',
          'gw',
          '-n',
          'apps',
          '-o',
          'jsonpath={.status.conditions[?(@.type=="Programmed")].status}',
        )) === 'True',
      'Gateway Programmed=True',
      30_000,
    );
    // What a user sees: kubectl get's columns (the CRD's printer columns) say Programmed.
    const table = (await kubectl('get', 'gateway', 'gw', '-n', 'apps'))
      .trim()
      .split('\n')
      .map((l) => l.split(/\s+/));
    expect(table[0]!.slice(0, 4)).toEqual(['NAME', 'CLASS', 'ADDRESS', 'PROGRAMMED']);
    expect(table[1]!.slice(0, 4)).toEqual(['gw', 'cloudflare', 'pending.cfargotunnel.com', 'True']);
    const route = JSON.parse(await kubectl('get', 'httproute', 'web', '-n', 'apps', '-o', 'json'));
    const parent = route.status.parents.find(
      (p: { controllerName: string }) => p.controllerName === 'cloudflare-tunnel-gateway.dev/controller',
    );
    expect(parent.conditions.find((c: { type: string }) => c.type === 'Accepted')).toMatchObject({
      status: 'True',
      observedGeneration: 1,
    });
    expect(parent.conditions.find((c: { type: string }) => c.type === 'ResolvedRefs')).toMatchObject({
      status: 'True',
    });
    const cls = JSON.parse(await kubectl('get', 'gatewayclass', 'cloudflare', '-o', 'json'));
    expect(cls.status.conditions.find((c: { type: string }) => c.type === 'Accepted').status).toBe('True');
    const res = await waitFor(
      async () => {
        const r = await get(proxyHttp, '/hello', 'app.example.com');
        return r.status === 200 ? r : undefined;
      },
      'traffic through the proxy',
      20_000,
    );
    expect(res.body).toBe('backend saw app.example.com /hello');
    const events = JSON.parse(await kubectl('get', 'events.events.k8s.io', '-n', 'apps', '-o', 'json'));
    expect(
      events.items.some(
        (e: { regarding: { name: string }; reason: string }) => e.regarding.name === 'gw' && e.reason === 'Programmed',
      ),
    ).toBe(true);
  }, 60_000);

  it('BackendTLSPolicy: kubectl apply → policy status in kubectl → traffic over verified TLS', async () => {
    const ca = createTestCa('e2e backend CA');
    const tlsBackend = await startTlsBackend('secure', ca.issue({ dns: ['secure.example.com'] }));
    try {
      const pem = ca.cert.replace(/\r/g, '').trim().replace(/^/gm, '    ');
      const file = join(dir, 'tls.yaml');
      writeFileSync(
        file,
        `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: secure, namespace: apps}
spec:
  parentRefs: [{name: gw}]
  hostnames: [secure.example.com]
  rules: [{backendRefs: [{name: secure, port: 443}]}]
---
apiVersion: v1
kind: Service
metadata: {name: secure, namespace: apps}
spec: {ports: [{name: https, port: 443, appProtocol: https}]}
---
apiVersion: discovery.k8s.io/v1
kind: EndpointSlice
metadata: {name: secure-1, namespace: apps, labels: {kubernetes.io/service-name: secure}}
addressType: IPv4
ports: [{name: https, port: ${tlsBackend.port}, protocol: TCP}]
endpoints: [{addresses: [127.0.0.1], conditions: {ready: true}}]
---
apiVersion: v1
kind: ConfigMap
metadata: {name: secure-ca, namespace: apps}
data:
  ca.crt: |
${pem}
---
apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: {name: secure, namespace: apps}
spec:
  targetRefs: [{group: "", kind: Service, name: secure}]
  validation: {hostname: secure.example.com, caCertificateRefs: [{group: "", kind: ConfigMap, name: secure-ca}]}
`,
      );
      await kubectl('apply', '-f', file);
      const accepted =
        'jsonpath={.status.ancestors[0].ancestorRef.name}/{.status.ancestors[0].conditions[?(@.type=="Accepted")].status}';
      await waitFor(
        async () => (await kubectl('get', 'backendtlspolicy', 'secure', '-n', 'apps', '-o', accepted)) === 'gw/True',
        'BackendTLSPolicy Accepted=True on gw',
        30_000,
      );
      const res = await waitFor(
        async () => {
          const r = await get(proxyHttp, '/tls', 'secure.example.com');
          return r.status === 200 ? r : undefined;
        },
        'traffic over TLS through the proxy',
        20_000,
      );
      expect(JSON.parse(res.body)).toMatchObject({ backend: 'secure', sni: 'secure.example.com', path: '/tls' });
      await kubectl('delete', '-f', file);
    } finally {
      await tlsBackend.close();
    }
  }, 60_000);

  it('ListenerSet: kubectl apply → ListenerSet Programmed in kubectl get → traffic through its listener', async () => {
    const file = join(dir, 'listenerset.yaml');
    // A second Gateway has data ports of its own (ADR 0009): pinned here to one this machine has free.
    const gwPort = await freePort();
    writeFileSync(
      file,
      `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw-shared, namespace: apps, annotations: {cloudflare-tunnel-gateway.dev/data-port: "${gwPort}"}}
spec:
  gatewayClassName: cloudflare
  allowedListeners: {namespaces: {from: Same}}
  listeners: [{name: http, port: 80, protocol: HTTP, hostname: shared.example.com}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: {name: team, namespace: apps}
spec:
  parentRef: {name: gw-shared}
  listeners: [{name: team, port: 80, protocol: HTTP, hostname: team.example.com}]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: team, namespace: apps}
spec:
  parentRefs: [{kind: ListenerSet, name: team}]
  rules: [{backendRefs: [{name: web, port: 80}]}]
`,
    );
    await kubectl('apply', '-f', file);
    // What a user sees: the CRD's printer columns say Accepted and Programmed.
    await waitFor(
      async () => /^team\s+True\s+True\s/m.test(await kubectl('get', 'listenerset', 'team', '-n', 'apps')),
      'ListenerSet Accepted=True Programmed=True',
      30_000,
    );
    const ls = JSON.parse(await kubectl('get', 'listenerset', 'team', '-n', 'apps', '-o', 'json'));
    expect(ls.status.listeners).toEqual([expect.objectContaining({ name: 'team', attachedRoutes: 1 })]);
    const gw = JSON.parse(await kubectl('get', 'gateway', 'gw-shared', '-n', 'apps', '-o', 'json'));
    expect(gw.status.attachedListenerSets).toBe(1);
    expect(gw.status.listeners.map((l: { name: string }) => l.name)).toEqual(['http']);
    const res = await waitFor(
      async () => {
        const r = await get(gwPort, '/team', 'team.example.com').catch(() => undefined);
        return r?.status === 200 ? r : undefined;
      },
      'traffic through the ListenerSet listener',
      20_000,
    );
    expect(res.body).toBe('backend saw team.example.com /team');
    expect((await get(gwPort, '/team', 'shared.example.com')).status).toBe(404);
    // Not through the first Gateway's port: each Gateway routes only its own listeners.
    expect((await get(proxyHttp, '/team', 'team.example.com')).status).toBe(404);
  }, 60_000);

  it('after a burst of spec changes, the status speaks for the last generation', async () => {
    const routeType = api.type('gateway.networking.k8s.io', 'HTTPRoute');
    for (let i = 0; i < 15; i++) {
      const r = api.store.get(routeType, 'apps', 'web')!;
      api.store.update(routeType, 'apps', 'web', {
        ...r,
        spec: { ...r.spec, hostnames: ['app.example.com', `alias-${i}.example.com`] },
      });
    }
    const last = api.store.get(routeType, 'apps', 'web')!.metadata.generation;
    await waitFor(
      () => {
        const conds = api.store.get(routeType, 'apps', 'web')!.status?.parents?.[0]?.conditions ?? [];
        return conds.length > 0 && conds.every((c: { observedGeneration: number }) => c.observedGeneration === last);
      },
      'status for the last generation',
      20_000,
    );
    // Coalesced (fewer writes than changes), and never going back to an older generation.
    const writes = api.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/httproutes/web/status'));
    const gens = writes.map(
      (w) =>
        (w.body as { status: { parents: { conditions: { observedGeneration: number }[] }[] } }).status.parents[0]!
          .conditions[0]!.observedGeneration,
    );
    expect(gens).toEqual([...gens].sort((a, b) => a - b));
    expect(writes.length).toBeLessThan(15);
    await waitFor(
      async () => (await get(proxyHttp, '/x', 'alias-14.example.com')).status === 200,
      'the last hostname served',
    );
  }, 40_000);

  it('converges after the API server restarts and compacts its history: a route applied then is served', async () => {
    await api.restart(500);
    api.compact(); // every watch must now re-list
    const file = join(dir, 'second.yaml');
    writeFileSync(
      file,
      `
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: second, namespace: apps}
spec:
  parentRefs: [{name: gw}]
  hostnames: [two.example.com]
  rules: [{matches: [{path: {type: PathPrefix, value: /two}}], backendRefs: [{name: web, port: 80}]}]
`,
    );
    await kubectl('apply', '-f', file);
    const res = await waitFor(
      async () => {
        const r = await get(proxyHttp, '/two/x', 'two.example.com');
        return r.status === 200 ? r : undefined;
      },
      'the second route through the proxy',
      30_000,
    );
    expect(res.body).toBe('backend saw two.example.com /two/x');
    await waitFor(
      async () =>
        (await kubectl(
          'get',
          'httproute',
          'second',
          '-n',
          'apps',
          '-o',
          'jsonpath={.status.parents[0].conditions[?(@.type=="Accepted")].status}',
        )) === 'True',
      'the second route status',
    );
    await kubectl('delete', '-f', file);
  }, 60_000);

  it('the GatewayClass parameter accessLog switches the access log of the running proxy, no restart', async () => {
    const auth = { authorization: `Bearer ${TOKEN}` };
    const accessLines = () => proxy.logs.filter((l) => l.msg === 'access').map((l) => l.path);
    const logged = (path: string) =>
      waitFor(
        async () => (await get(proxyHttp, path, 'app.example.com')).status === 200 && accessLines().includes(path),
        `an access line for ${path}`,
        20_000,
      );
    const setAccessLog = (value: string) =>
      kubectl(
        'patch',
        'configmap',
        'params',
        '-n',
        'tunnel-gateway',
        '-p',
        JSON.stringify({ data: { accessLog: value } }),
      );
    expect((await get(proxyHttp, '/unlogged', 'app.example.com')).status).toBe(200);
    const file = join(dir, 'params.yaml');
    writeFileSync(
      file,
      `
apiVersion: v1
kind: ConfigMap
metadata: {name: params, namespace: tunnel-gateway}
data: {accessLog: "true"}
`,
    );
    await kubectl('apply', '-f', file);
    const ref = { group: '', kind: 'ConfigMap', name: 'params', namespace: 'tunnel-gateway' };
    await kubectl(
      'patch',
      'gatewayclass',
      'cloudflare',
      '--type',
      'merge',
      '-p',
      JSON.stringify({ spec: { parametersRef: ref } }),
    );
    await logged('/logged');
    expect(accessLines()).not.toContain('/unlogged');
    // Off, then on again: the request made while off never shows, although the ones around it do.
    const version = async () =>
      ((await (await fetch(`http://127.0.0.1:${proxyAdmin}/config`, { headers: auth })).json()) as { version: string })
        .version;
    const logging = await version();
    await setAccessLog('false');
    await waitFor(async () => (await version()) !== logging, 'the config without the access log to be pushed');
    expect((await get(proxyHttp, '/while-off', 'app.example.com')).status).toBe(200);
    await setAccessLog('true');
    await logged('/logged-again');
    expect(accessLines()).not.toContain('/while-off');
  }, 60_000);

  it('kubectl delete → the route is gone from the proxy', async () => {
    await kubectl('delete', 'httproute', 'web', '-n', 'apps');
    await waitFor(
      async () => (await get(proxyHttp, '/hello', 'app.example.com')).status === 404,
      'the route to disappear',
      20_000,
    );
    await waitFor(
      async () =>
        JSON.parse(await kubectl('get', 'gateway', 'gw', '-n', 'apps', '-o', 'json')).status.listeners[0]
          .attachedRoutes === 0,
      'attachedRoutes back to 0',
    );
  }, 60_000);
});
