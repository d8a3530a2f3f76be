// `tunnel-gateway proxy --workers 2`: a primary with the admin API and two worker processes sharing the
// data ports (their own, and those of the Gateways a config names). A push answers only once every worker serves it; metrics add up over the workers; a worker
// that dies is replaced and brought up to date; SIGTERM drains requests in flight.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawnSync } from 'node:child_process';
import http from 'node:http';
import { request } from 'undici';
import { startEchoBackend, type EchoBackend, type EchoBody } from '../support/backends.js';
import { runCli, type CliProcess } from '../support/cli.js';
import { ConfigBuilder, backend, prefix, waitFor } from './helpers.js';
import { freePort } from '../support/ports.js';

let one: EchoBackend;
let two: EchoBackend;
let proxy: CliProcess;
let ports: { http: number; admin: number };
/** How long the workers keep a replaced rule's metric series (30 s by default). */
const RETIRED_RULE_METRICS_MS = 300;

interface ConfigInfo {
  version: string | null;
  generation: number | null;
  workers?: Array<{ pid: number; version: string | null }>;
}

beforeAll(async () => {
  [one, two] = await Promise.all([startEchoBackend('cluster-one'), startEchoBackend('cluster-two')]);
  proxy = runCli([
    'proxy',
    '--workers',
    '2',
    '--listen',
    '127.0.0.1:0',
    '--admin',
    '127.0.0.1:0',
    '--drain-ms',
    '5000',
    '--retired-rule-metrics-ms',
    String(RETIRED_RULE_METRICS_MS),
  ]);
  ports = (await readyLine(proxy)).ports as typeof ports;
}, 150_000);

afterAll(async () => {
  await proxy?.stop('SIGKILL');
  await Promise.all([one?.close(), two?.close()]);
});

/** The proxy's "ready for config" line, which names its ports (the primary's, after every worker listens). */
const readyLine = (p: CliProcess) => p.waitForLog((l) => l.msg === 'proxy ready for config', 120_000);

function config(to: EchoBackend, generation: number, ruleId = 'http/default/cluster/0') {
  const b = new ConfigBuilder();
  b.route('cluster.test', prefix('/'), b.rule(ruleId, [backend(to)]));
  return b.build(generation);
}

async function admin(
  method: 'GET' | 'PUT',
  path: string,
  body?: unknown,
): Promise<{ status: number; json: Record<string, unknown> }> {
  const res = await request(`http://127.0.0.1:${ports.admin}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.body.text();
  return {
    status: res.statusCode,
    json: text.startsWith('{') ? (JSON.parse(text) as Record<string, unknown>) : { text },
  };
}

/** One request on a new connection, so the cluster may hand it to either worker. */
function fresh(path: string, port = ports.http): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = http.get({ host: '127.0.0.1', port, path, agent: false, headers: { host: 'cluster.test' } }, (res) => {
      let body = '';
      res.setEncoding('utf8').on('data', (c: string) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, body }));
    });
    req.on('error', reject);
  });
}

const backendOf = async (path: string, port?: number) =>
  (JSON.parse((await fresh(path, port)).body) as EchoBody).backend;

const configInfo = async () => (await admin('GET', '/config')).json as unknown as ConfigInfo;

describe('tunnel-gateway proxy --workers 2', () => {
  it('starts two workers, not ready until a config arrives', async () => {
    expect((await admin('GET', '/readyz')).status).toBe(503);
    expect((await fresh('/x')).status).toBe(503);
  });

  it('answers a push once every worker serves it', async () => {
    expect((await admin('PUT', '/config', config(one, 1))).status).toBe(200);
    const info = await configInfo();
    expect(info.workers).toHaveLength(2);
    expect(info.workers!.every((w) => w.version === info.version)).toBe(true);
    expect(await admin('GET', '/readyz')).toMatchObject({ status: 200 });
    expect((await admin('PUT', '/config', config(two, 2))).status).toBe(200);
    // Right after the 200, whichever worker takes a new connection routes by the new config.
    const seen = await Promise.all(Array.from({ length: 20 }, (_, i) => backendOf(`/after-push/${i}`)));
    expect(new Set(seen)).toEqual(new Set(['cluster-two']));
  });

  it('validates in the primary: a bad or stale config is refused and nothing changes', async () => {
    const bad = await admin('PUT', '/config', { version: 'bad', rules: [{ kind: 'http' }], hosts: [] });
    expect(bad.status).toBe(400);
    expect(String(bad.json.error)).toContain('rules.0.id');
    expect((await admin('PUT', '/config', config(one, 1))).status).toBe(409);
    expect((await configInfo()).generation).toBe(2);
    expect(await backendOf('/still-two')).toBe('cluster-two');
  });

  it('adds up the workers metrics', async () => {
    const before = await countRequests();
    await Promise.all(Array.from({ length: 12 }, (_, i) => fresh(`/counted/${i}`)));
    expect((await countRequests()) - before).toBe(12);
    const text = String((await admin('GET', '/metrics')).json.text);
    expect(text).toMatch(/^proxy_config_generation 2$/m);
    // The refused pushes of the test before, counted once by the primary (not once per worker).
    expect(text).toMatch(/^proxy_config_rejected_total\{status="400"\} 1$/m);
    expect(text).toMatch(/^proxy_config_rejected_total\{status="409"\} 1$/m);
  });

  it('drops the summed series of rules that left the table, in every worker', async () => {
    for (let g = 3; g <= 12; g++) {
      expect((await admin('PUT', '/config', config(two, g, `churn-${g}`))).status).toBe(200);
      // New connections, so both workers serve (and count) each rule.
      await Promise.all(Array.from({ length: 6 }, (_, i) => fresh(`/churn/${g}/${i}`)));
    }
    // The first rule has been gone longer than its grace period when it comes back (nothing scraped since).
    await new Promise((r) => setTimeout(r, RETIRED_RULE_METRICS_MS * 2));
    expect((await admin('PUT', '/config', config(two, 13))).status).toBe(200);
    await new Promise((r) => setTimeout(r, RETIRED_RULE_METRICS_MS * 2));
    await Promise.all(Array.from({ length: 4 }, (_, i) => fresh(`/back/${i}`)));
    const text = String((await admin('GET', '/metrics')).json.text);
    expect(text).not.toContain('churn-');
    // The rule left the table at generation 3 for longer than the grace period: it counts afresh.
    expect(text).toMatch(/^proxy_requests_total\{rule="http\/default\/cluster\/0",code="2xx"\} 4$/m);
  });

  it("opens a Gateway's own data port in every worker with the push naming it, and closes it with the next", async () => {
    const extra = await freePort();
    const all = { match: { path: { type: 'PathPrefix', value: '/' } } };
    const scoped = {
      version: 'gateways-14',
      generation: 14,
      gateways: [
        { name: 'ns/base', listenerPorts: [80] }, // the proxy's own ports
        { name: 'ns/extra', port: extra, listenerPorts: [80] },
      ],
      rules: [
        { id: 'gw-base', kind: 'http', backends: [backend(two)] },
        { id: 'gw-extra', kind: 'http', backends: [backend(one)] },
      ],
      hosts: [
        { hostname: '*', gateway: 'ns/base', ports: [80], matches: [{ ...all, rule: 0 }] },
        { hostname: '*', gateway: 'ns/extra', ports: [80], matches: [{ ...all, rule: 1 }] },
      ],
    };
    expect((await admin('PUT', '/config', scoped)).status).toBe(200);
    // New connections, so both workers answer on each port.
    const onExtra = await Promise.all(Array.from({ length: 10 }, (_, i) => backendOf(`/extra/${i}`, extra)));
    expect(new Set(onExtra)).toEqual(new Set(['cluster-one']));
    const onBase = await Promise.all(Array.from({ length: 10 }, (_, i) => backendOf(`/base/${i}`)));
    expect(new Set(onBase)).toEqual(new Set(['cluster-two']));
    expect((await admin('PUT', '/config', config(two, 15))).status).toBe(200);
    await expect(fresh('/closed', extra)).rejects.toThrow('ECONNREFUSED');
  });

  it('replaces a worker that dies and brings it up to date', async () => {
    const { workers } = await configInfo();
    const victim = workers![0]!.pid;
    process.kill(victim, 'SIGKILL');
    await waitFor(async () => {
      const now = (await configInfo()).workers!;
      return now.length === 2 && !now.some((w) => w.pid === victim) && now.every((w) => w.version === now[0]!.version);
    }, 60_000);
    const info = await configInfo();
    expect(info.workers!.map((w) => w.version)).toEqual([info.version, info.version]);
    const seen = await Promise.all(Array.from({ length: 10 }, (_, i) => backendOf(`/after-respawn/${i}`)));
    expect(new Set(seen)).toEqual(new Set(['cluster-two']));
  }, 90_000);

  it('drains requests in flight on SIGTERM and exits 0 with its workers', async () => {
    const { workers } = await configInfo();
    const slow = fresh('/delay/600');
    // In flight once a backend has it (it answers 600 ms later).
    await waitFor(() => [one, two].some((b) => b.requests.some((r) => r.path === '/delay/600')));
    const exited = proxy.stop('SIGTERM');
    expect((await slow).status).toBe(200);
    expect(await exited).toBe(0);
    for (const w of workers!) expect(() => process.kill(w.pid, 0)).toThrow();
  }, 30_000);
});

async function countRequests(): Promise<number> {
  const text = String((await admin('GET', '/metrics')).json.text);
  const m = /^proxy_requests_total\{rule="http\/default\/cluster\/0",code="2xx"\} (\d+)$/m.exec(text);
  return m ? Number(m[1]) : 0;
}

describe('tunnel-gateway proxy --workers 2 on a taken port', () => {
  it('exits 1 saying why, leaving no worker behind', async () => {
    const taken = http.createServer();
    await new Promise<void>((r) => taken.listen(0, '127.0.0.1', r));
    const port = (taken.address() as { port: number }).port;
    const proc = runCli(['proxy', '--workers', '2', '--listen', `127.0.0.1:${port}`, '--admin', '127.0.0.1:0']);
    const code = await proc.exited;
    taken.close();
    expect(code).toBe(1);
    expect(String(proc.logs.find((l) => l.msg === 'proxy could not start')?.err)).toContain('EADDRINUSE');
    await waitFor(() => spawnSync('pgrep', ['-f', '--', `--listen 127.0.0.1:${port}`]).status === 1, 10_000);
  }, 120_000);
});

describe('tunnel-gateway proxy --workers 1 whose workers keep dying', () => {
  it('replaces them, then gives up: exits 1 saying so', async () => {
    const proc = runCli(['proxy', '--workers', '1', '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0']);
    const adminPort = ((await readyLine(proc)).ports as { admin: number }).admin;
    const put = await fetch(`http://127.0.0.1:${adminPort}/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ version: 'v1', rules: [], hosts: [] }),
    });
    expect(put.status).toBe(200);
    // GET /config names the live workers; kill each new one as it appears, until the primary gives up.
    const livePids = async () =>
      ((await (await fetch(`http://127.0.0.1:${adminPort}/config`)).json()) as ConfigInfo).workers!.map((w) => w.pid);
    const killed = new Set<number>();
    while (killed.size < 10) {
      let next: number | undefined;
      await waitFor(async () => {
        if (proc.child.exitCode !== null) return true;
        next = (await livePids().catch(() => [] as number[])).find((p) => !killed.has(p));
        return next !== undefined;
      }, 30_000);
      if (proc.child.exitCode !== null || next === undefined) break;
      killed.add(next);
      process.kill(next, 'SIGKILL');
    }
    expect(await proc.exited).toBe(1);
    expect(killed.size).toBe(6);
    expect(proc.logs.some((l) => l.msg === 'proxy workers keep dying')).toBe(true);
  }, 120_000);
});
