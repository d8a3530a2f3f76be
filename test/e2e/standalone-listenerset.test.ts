// `tunnel-gateway standalone` with a ListenerSet, as a user writes one: its listener's hostname and port are
// served by the embedded proxy (routes attached through the ListenerSet reach the backend, those of the
// Gateway do not take its hostname), and /status shows the ListenerSet Programmed once the proxy runs the
// config, and the Gateway's attachedListenerSets.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEchoServer, type EchoServer } from '../../src/demo/echo-server.js';
import { DEFAULT_CONTROLLER_NAME } from '../../src/core/types.js';
import { runStandalone, type CliProcess } from '../support/cli.js';
import { eventually, httpRequest } from '../support/http.js';
import { serviceYaml } from '../support/manifests.js';

const MANIFESTS = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: cf }
spec: { controllerName: ${DEFAULT_CONTROLLER_NAME} }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw, namespace: infra }
spec:
  gatewayClassName: cf
  allowedListeners: { namespaces: { from: All } }
  listeners: [{ name: http, protocol: HTTP, port: 80, hostname: gw.test, allowedRoutes: { namespaces: { from: All } } }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: ListenerSet
metadata: { name: team, namespace: team }
spec:
  parentRef: { name: gw, namespace: infra }
  listeners:
    - { name: web, protocol: HTTP, port: 80, hostname: team.test }
    - { name: alt, protocol: HTTP, port: 8080, hostname: team.test }
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: team-web, namespace: team }
spec:
  parentRefs: [{ kind: ListenerSet, group: gateway.networking.k8s.io, name: team, sectionName: web }]
  rules: [{ backendRefs: [{ name: web, port: 80 }] }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: team-alt, namespace: team }
spec:
  parentRefs: [{ kind: ListenerSet, group: gateway.networking.k8s.io, name: team, port: 8080 }]
  rules: [{ backendRefs: [{ name: alt, port: 80 }] }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: on-gateway, namespace: team }
spec:
  parentRefs: [{ name: gw, namespace: infra }]
  rules: [{ backendRefs: [{ name: alt, port: 80 }] }]
`;

interface Status {
  kind: string;
  name: string;
  status: { conditions?: Array<{ type: string; status: string; reason: string }>; attachedListenerSets?: number };
}

describe('standalone with a ListenerSet', () => {
  let dir: string;
  let echo: EchoServer[];
  let app: CliProcess;
  let port: number;
  let admin: number;
  const statuses = async () => (await httpRequest(admin, { path: '/status' })).json<{ statuses: Status[] }>().statuses;

  beforeAll(async () => {
    echo = await Promise.all(['web', 'alt'].map((name) => startEchoServer(name)));
    dir = await mkdtemp(join(tmpdir(), 'tgw-ls-'));
    const services = echo.map((e) => serviceYaml(e.name, e.port, { namespace: 'team' })).join('---\n');
    await writeFile(join(dir, 'world.yaml'), `${MANIFESTS}---\n${services}`);
    ({ app, port, admin } = await runStandalone(dir));
    await eventually(async () => (await httpRequest(admin, { path: '/readyz' })).status === 200);
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    await Promise.all((echo ?? []).map((e) => e.close()));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.each([
    ['team.test', 'web'],
    ['team.test:8080', 'alt'],
    ['gw.test', 'alt'],
  ])('%s is served by %s', async (host, backend) => {
    const reply = await httpRequest(port, { host, path: '/' });
    expect(reply.status).toBe(200);
    expect(reply.json().backend).toBe(backend);
  });

  it('serves nothing where no listener takes the host: gw.test on the set-only port 8080, an unknown host', async () => {
    expect((await httpRequest(port, { host: 'gw.test:8080', path: '/' })).status).toBe(404);
    expect((await httpRequest(port, { host: 'other.test', path: '/' })).status).toBe(404);
  });

  it('reports the ListenerSet Accepted and Programmed, and the Gateway attachedListenerSets', async () => {
    await eventually(async () => {
      const ls = (await statuses()).find((s) => s.kind === 'ListenerSet' && s.name === 'team');
      return ls?.status.conditions?.find((c) => c.type === 'Programmed')?.status === 'True';
    });
    const all = await statuses();
    const ls = all.find((s) => s.kind === 'ListenerSet')!;
    expect(ls.status.conditions?.map((c) => `${c.type}=${c.status}/${c.reason}`)).toEqual([
      'Accepted=True/Accepted',
      'Programmed=True/Programmed',
    ]);
    expect(all.find((s) => s.kind === 'Gateway')!.status.attachedListenerSets).toBe(1);
  });
});
