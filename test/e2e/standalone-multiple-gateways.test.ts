// Conformance HTTPRouteMultipleGateways through the real `tunnel-gateway standalone` (ADR 0009): each Gateway
// has its own data port, listed in its status; real HTTP to each answers with that Gateway's routes (the
// shared /shared → v1 on both, / → v2 on same-namespace and v3 on all-namespaces). A Gateway added at
// runtime gets the next port and the proxy opens it; removed, the port closes. Older Gateways keep theirs.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, unlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEchoServer, type EchoServer } from '../../src/demo/echo-server.js';
import { DEFAULT_CONTROLLER_NAME } from '../../src/core/types.js';
import { DATA_PORT_ADDRESS_TYPE } from '../../src/translate/gateway-ports.js';
import { runStandalone, type CliProcess } from '../support/cli.js';
import { eventually, httpRequest } from '../support/http.js';
import { serviceYaml } from '../support/manifests.js';
import { accepts, bindable } from '../support/ports.js';

const NS = 'gateway-conformance-infra';
const BACKENDS = ['infra-backend-v1', 'infra-backend-v2', 'infra-backend-v3'];

const gateway = (name: string, from: string) => `apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: ${name}, namespace: ${NS} }
spec:
  gatewayClassName: cf
  listeners: [{ name: http, port: 80, protocol: HTTP, allowedRoutes: { namespaces: { from: ${from} } } }]
`;

const route = (
  name: string,
  parents: string[],
  prefix: string,
  backend: string,
) => `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: ${name}, namespace: ${NS} }
spec:
  parentRefs: [${parents.map((p) => `{ name: ${p} }`).join(', ')}]
  rules: [{ matches: [{ path: { type: PathPrefix, value: ${prefix} } }], backendRefs: [{ name: ${backend}, port: 80 }] }]
`;

const manifests = [
  `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: cf }
spec: { controllerName: ${DEFAULT_CONTROLLER_NAME} }
`,
  gateway('same-namespace', 'Same'),
  gateway('all-namespaces', 'All'),
  route('multiple-gateways-shared-route', ['same-namespace', 'all-namespaces'], '/shared', 'infra-backend-v1'),
  route('same-namespace-dedicated-route', ['same-namespace'], '/', 'infra-backend-v2'),
  route('all-namespaces-dedicated-route', ['all-namespaces'], '/', 'infra-backend-v3'),
].join('---\n');

/** A port whose next `count - 1` ports are free too: the Gateways after the first get the ones above it. */
async function freeRun(count: number, avoid: number[] = []): Promise<number> {
  for (;;) {
    const base = 20_000 + Math.floor(Math.random() * 30_000);
    const ports = Array.from({ length: count }, (_, i) => base + i);
    if (ports.some((p) => avoid.includes(p))) continue;
    if ((await Promise.all(ports.map(bindable))).every(Boolean)) return base;
  }
}

describe('standalone: one data port per Gateway', () => {
  let dir: string;
  let echo: EchoServer[];
  let app: CliProcess;
  let admin: number;
  let listen: number;

  /** Each Gateway's data port as its status lists it (only Gateways that list one). */
  async function dataPorts(): Promise<Record<string, number>> {
    const reply = await httpRequest(admin, { path: '/status' });
    const { statuses } = reply.json<{ statuses: Array<{ kind: string; name: string; status: any }> }>(); // eslint-disable-line @typescript-eslint/no-explicit-any
    const out: Record<string, number> = {};
    for (const s of statuses.filter((x) => x.kind === 'Gateway')) {
      const address = (s.status.addresses ?? []).find((a: { type: string }) => a.type === DATA_PORT_ADDRESS_TYPE);
      if (address) out[s.name] = Number(String(address.value).split(':').pop());
    }
    return out;
  }

  async function backendOn(port: number, path: string): Promise<string | number> {
    const reply = await httpRequest(port, { host: 'example.com', path });
    return reply.status === 200 ? String(reply.json().backend) : reply.status;
  }

  beforeAll(async () => {
    echo = await Promise.all(BACKENDS.map((name) => startEchoServer(name)));
    dir = await mkdtemp(join(tmpdir(), 'tgw-gateways-'));
    await writeFile(join(dir, 'gateways.yaml'), manifests);
    const services = echo.map((e) => serviceYaml(e.name, e.port, { namespace: NS })).join('---\n');
    await writeFile(join(dir, 'services.yaml'), services);
    listen = await freeRun(3);
    const tls = await freeRun(3, [listen, listen + 1, listen + 2]);
    const args = ['--listen', `127.0.0.1:${listen}`, '--tls-listen', `127.0.0.1:${tls}`];
    ({ app, admin } = await runStandalone(dir, args));
    await eventually(async () => Object.keys(await dataPorts()).length === 2, 20_000);
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    await Promise.all((echo ?? []).map((e) => e.close()));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('gives each Gateway its own address: --listen for the first, the next port for the other', async () => {
    const ports = await dataPorts();
    expect(Object.values(ports).sort()).toEqual([listen, listen + 1]);
  });

  it.each<[string, string, string]>([
    ['same-namespace', '/shared', 'infra-backend-v1'],
    ['same-namespace', '/', 'infra-backend-v2'],
    ['all-namespaces', '/shared', 'infra-backend-v1'],
    ['all-namespaces', '/', 'infra-backend-v3'],
  ])('%s %s → %s', async (gw, path, backend) => {
    const port = (await dataPorts())[gw]!;
    await eventually(async () => (await backendOn(port, path)) === backend);
  });

  it('opens the port of a Gateway added at runtime and closes it when the Gateway goes', async () => {
    const before = await dataPorts();
    // Creation times have second resolution: named to sort last should it be stamped in the others' second.
    const late = `${gateway('z-late', 'Same')}---\n${route('late-route', ['z-late'], '/', 'infra-backend-v1')}`;
    await writeFile(join(dir, 'late.yaml'), late);
    const port = await eventually(async () => (await dataPorts())['z-late'], 20_000);
    expect(port).toBe(listen + 2);
    await eventually(async () => (await backendOn(port, '/')) === 'infra-backend-v1');
    // The older Gateways keep their ports and routes.
    expect(await dataPorts()).toMatchObject(before);
    expect(await backendOn(before['same-namespace']!, '/')).toBe('infra-backend-v2');
    await unlink(join(dir, 'late.yaml'));
    await eventually(async () => !(await accepts(port)), 20_000);
    expect(await backendOn(before['all-namespaces']!, '/')).toBe('infra-backend-v3');
  }, 60_000);
});
