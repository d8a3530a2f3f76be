// `tunnel-gateway proxy --access-log` through the real CLI, with a worker process (the one that serves and
// writes): a file given on the command line gets one line per request; by default the log follows the
// pushed config (the GatewayClass parameter), to stdout; a path that cannot be written stops the start.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import type { ProxyConfigInput } from '../../proxy/config/schema.js';
import { startEchoBackend, type EchoBackend } from '../support/backends.js';
import { runCli, type CliProcess } from '../support/cli.js';
import { ConfigBuilder, backend, prefix, send, waitFor } from './helpers.js';

let echo: EchoBackend;
let dir: string;
const running: CliProcess[] = [];

beforeAll(async () => {
  echo = await startEchoBackend('echo');
  dir = mkdtempSync(join(tmpdir(), 'access-log-'));
});

afterAll(async () => {
  await Promise.all(running.map((p) => p.stop()));
  await echo.close();
  rmSync(dir, { recursive: true, force: true });
}, 30_000);

async function startProxyCli(extra: string[]): Promise<{ proc: CliProcess; http: number; admin: number }> {
  const proc = runCli(['proxy', '--workers', '1', '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', ...extra]);
  running.push(proc);
  const ready = await proc.waitForLog((l) => l.msg === 'proxy ready for config', 120_000);
  const ports = ready.ports as { http: number; admin: number };
  return { proc, http: ports.http, admin: ports.admin };
}

function config(accessLog?: boolean): ProxyConfigInput {
  const b = new ConfigBuilder();
  b.route('echo.test', prefix('/'), b.rule('httproute/default/echo/0', [backend(echo)]));
  const cfg = b.build(1);
  return accessLog === undefined ? cfg : { ...cfg, version: `${cfg.version}-log`, generation: 2, accessLog };
}

async function push(admin: number, cfg: ProxyConfigInput): Promise<void> {
  const res = await request(`http://127.0.0.1:${admin}/config`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(cfg),
  });
  await res.body.text();
  expect(res.statusCode).toBe(200);
}

describe('tunnel-gateway proxy --access-log', () => {
  it('a file path: the worker appends one JSON line per request', async () => {
    const file = join(dir, 'access.log');
    const { proc, http, admin } = await startProxyCli(['--access-log', file]);
    await push(admin, config());
    expect((await send(http, 'echo.test', '/file?secret=1')).status).toBe(200);
    expect((await send(http, 'other.test', '/')).status).toBe(404);
    const lines = () =>
      readFileSync(file, 'utf8')
        .split('\n')
        .filter(Boolean)
        .map((l) => JSON.parse(l) as Record<string, unknown>);
    await waitFor(() => lines().length === 2);
    expect(lines()).toEqual([
      expect.objectContaining({ path: '/file', status: 200, upstream: `127.0.0.1:${echo.port}`, protocol: 'h1' }),
      expect.objectContaining({ host: 'other.test', status: 404, rule: null }),
    ]);
    // Lines are written in batches (at least once a second): the ones still buffered at shutdown are not lost.
    expect((await send(http, 'echo.test', '/last')).status).toBe(200);
    expect(await proc.stop('SIGTERM')).toBe(0);
    expect(lines().map((l) => l.path)).toEqual(['/file', '/', '/last']);
  }, 180_000);

  it('by default: off, until a pushed config says accessLog: true; then the lines go to stdout', async () => {
    const { proc, http, admin } = await startProxyCli([]);
    await push(admin, config());
    expect((await send(http, 'echo.test', '/before')).status).toBe(200);
    await push(admin, config(true));
    expect((await send(http, 'echo.test', '/after')).status).toBe(200);
    await proc.waitForLog((l) => l.msg === 'access' && l.path === '/after');
    // The worker writes in order: a line for the earlier request would be there already.
    expect(proc.logs.filter((l) => l.msg === 'access').map((l) => l.path)).toEqual(['/after']);
    // Stdout lines are batched too (at least once a second): a shutdown writes what is still held.
    expect((await send(http, 'echo.test', '/final')).status).toBe(200);
    expect(await proc.stop('SIGTERM')).toBe(0);
    await proc.waitForLog((l) => l.msg === 'access' && l.path === '/final', 5_000); // stdout may trail the exit
    expect(proc.logs.filter((l) => l.msg === 'access').map((l) => l.path)).toEqual(['/after', '/final']);
  }, 180_000);

  it('a path that cannot be written stops the start with a clear error', async () => {
    const proc = runCli(['proxy', '--listen', '127.0.0.1:0', '--access-log', join(dir, 'missing', 'x.log')]);
    running.push(proc);
    expect(await proc.exited).not.toBe(0);
    expect(proc.stderr()).toContain('cannot write the access log');
  }, 60_000);
});
