// `tunnel-gateway standalone` and the access log: the GatewayClass parameter in the folder of manifests
// switches it (an edited ConfigMap file takes effect without a restart), and ACCESS_LOG=<file> forces it on
// whatever the parameter says.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEchoServer, type EchoServer } from '../../src/demo/echo-server.js';
import { runStandalone, type CliProcess } from '../support/cli.js';
import { eventually, httpRequest } from '../support/http.js';
import { serviceYaml } from '../support/manifests.js';

const world = (accessLog: string) => `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: { name: e2e }
spec:
  controllerName: cloudflare-tunnel-gateway.dev/controller
  parametersRef: { group: "", kind: ConfigMap, name: params, namespace: e2e }
---
apiVersion: v1
kind: ConfigMap
metadata: { name: params, namespace: e2e }
data: { accessLog: "${accessLog}" }
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: { name: gw, namespace: e2e }
spec:
  gatewayClassName: e2e
  listeners: [{ name: http, protocol: HTTP, port: 80 }]
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: app, namespace: e2e }
spec:
  parentRefs: [{ name: gw }]
  hostnames: [app.test]
  rules: [{ backendRefs: [{ name: echo, port: 80 }] }]
`;

let echo: EchoServer;
let dir: string;
const apps: CliProcess[] = [];

beforeAll(async () => {
  echo = await startEchoServer('echo');
  dir = await mkdtemp(join(tmpdir(), 'tgw-access-log-'));
  await writeFile(join(dir, 'service.yaml'), serviceYaml('echo', echo.port, { namespace: 'e2e' }));
});

afterAll(async () => {
  await Promise.all(apps.map((a) => a.stop()));
  await echo?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

async function start(env: Record<string, string> = {}): Promise<{ app: CliProcess; port: number }> {
  const started = await runStandalone(dir, [], env);
  apps.push(started.app);
  const served = async () => (await httpRequest(started.port, { host: 'app.test', path: '/ready' })).status === 200;
  await eventually(served);
  return started;
}

const accessPaths = (app: CliProcess) => app.logs.filter((l) => l.msg === 'access').map((l) => l.path);

describe('standalone access log', () => {
  it('follows the GatewayClass parameter: off, then on once the ConfigMap file says "true"', async () => {
    await writeFile(join(dir, 'world.yaml'), world('false'));
    const { app, port } = await start();
    expect((await httpRequest(port, { host: 'app.test', path: '/quiet' })).status).toBe(200);
    await writeFile(join(dir, 'world.yaml'), world('true'));
    await eventually(async () => {
      await httpRequest(port, { host: 'app.test', path: '/loud' });
      return accessPaths(app).includes('/loud');
    });
    expect(accessPaths(app)).not.toContain('/quiet');
    expect(app.logs.find((l) => l.path === '/loud')).toMatchObject({ host: 'app.test', status: 200, protocol: 'h1' });
    await app.stop();
  }, 90_000);

  it('ACCESS_LOG=<file> forces it on although the parameter says "false"', async () => {
    await writeFile(join(dir, 'world.yaml'), world('false'));
    const file = join(dir, 'access.log');
    const { port } = await start({ ACCESS_LOG: file });
    expect((await httpRequest(port, { host: 'app.test', path: '/forced?k=v' })).status).toBe(200);
    await eventually(async () => (await readFile(file, 'utf8').catch(() => '')).includes('"path":"/forced"'));
  }, 90_000);
});
