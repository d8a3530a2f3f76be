// `tunnel-gateway standalone` as a child process against real echo backends: routing table, weights,
// fail-closed statuses, hot reload without failed requests, and a clean drain on SIGTERM.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { readFileSync } from 'node:fs';
import { mkdtemp, readFile, writeFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { startEchoServer, type EchoServer } from '../../src/demo/echo-server.js';
import { runStandalone, type CliProcess } from '../support/cli.js';
import { eventually, httpRequest } from '../support/http.js';
import { serviceYaml } from '../support/manifests.js';

const DATA = fileURLToPath(new URL('./testdata/', import.meta.url));
const BACKENDS = ['svc-a', 'svc-b', 'svc-c', 'svc-d'];
// Loaded at collection time so every row is its own test.
const table: Row[] = parse(readFileSync(join(DATA, 'standalone-routing.table.yaml'), 'utf8'));

interface Row {
  host: string;
  path: string;
  method?: string;
  headers?: Record<string, string>;
  backend?: string;
  status?: number;
}

describe('standalone end to end', () => {
  let dir: string;
  let echo: EchoServer[];
  let app: CliProcess;
  let port: number;
  let adminPort: number;

  beforeAll(async () => {
    echo = await Promise.all(BACKENDS.map((name) => startEchoServer(name)));
    dir = await mkdtemp(join(tmpdir(), 'tgw-e2e-'));
    await writeFile(join(dir, 'routes.yaml'), await readFile(join(DATA, 'standalone-routing.yaml'), 'utf8'));
    const services = echo.map((e) => serviceYaml(e.name, e.port, { namespace: 'e2e' })).join('---\n');
    await writeFile(
      join(dir, 'services.yaml'),
      `${services}---\n${serviceYaml('svc-empty', 1, { namespace: 'e2e', ready: false })}`,
    );
    ({ app, port, admin: adminPort } = await runStandalone(dir));
    await eventually(async () => (await httpRequest(adminPort, { path: '/readyz' })).status === 200);
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    await Promise.all((echo ?? []).map((e) => e.close()));
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it.each(table)('$method $host$path → $backend$status', async (row) => {
    const reply = await httpRequest(port, { host: row.host, path: row.path, method: row.method, headers: row.headers });
    if (row.backend) {
      expect(reply.status).toBe(200);
      expect(reply.json().backend).toBe(row.backend);
    } else {
      expect(reply.status).toBe(row.status);
    }
  });

  it('splits traffic by weight (3:1 within ±5 % over 600 requests)', async () => {
    const counts: Record<string, number> = {};
    for (let i = 0; i < 600; i++) {
      const reply = await httpRequest(port, { host: 'app.test', path: '/weighted' });
      const backend = String(reply.json().backend);
      counts[backend] = (counts[backend] ?? 0) + 1;
    }
    expect(Object.keys(counts).sort()).toEqual(['svc-a', 'svc-b']);
    expect(Math.abs(counts['svc-a']! / 600 - 0.75)).toBeLessThan(0.05);
  });

  it('serves a manifest change within a second with no failed request meanwhile', async () => {
    let failures = 0;
    let served = 0;
    let stop = false;
    const steady = (async () => {
      while (!stop) {
        const reply = await httpRequest(port, { host: 'app.test', path: '/exact' }).catch(() => undefined);
        if (reply?.status === 200 && reply.json().backend === 'svc-a') served++;
        else failures++;
      }
    })();
    expect((await httpRequest(port, { host: 'new.test', path: '/' })).status).toBe(404);
    const route = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: { name: added, namespace: e2e }
spec:
  parentRefs: [{ name: gw }]
  hostnames: [new.test]
  rules: [{ backendRefs: [{ name: svc-c, port: 80 }] }]
`;
    const written = Date.now();
    await writeFile(join(dir, 'added.yaml'), route);
    await eventually(async () => (await httpRequest(port, { host: 'new.test', path: '/' })).status === 200, 5000, 5);
    const latency = Date.now() - written;
    stop = true;
    await steady;
    expect(latency).toBeLessThan(1000);
    expect(failures).toBe(0);
    expect(served).toBeGreaterThan(0);
  });

  it('keeps serving the previous version of a file that stops parsing', async () => {
    await writeFile(join(dir, 'added.yaml'), 'kind: HTTPRoute\nmetadata: [unclosed\n');
    await app.waitForLog((l) => typeof l.msg === 'string' && l.msg.includes('keeping the previous version'));
    expect((await httpRequest(port, { host: 'new.test', path: '/' })).json().backend).toBe('svc-c');
  });
});
