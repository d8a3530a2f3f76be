// A replica pushed generation 2^53−1 refuses later pushes with 409 — now naming what it runs — reports the
// conflict on /readyz (503) and in proxy_config_generation_conflict, and takes a push marked
// `X-Config-Resync: true` (same token as any push), after which it serves it and is ready again.
// One process (startProxy) and the real `proxy --workers 2` (primary + workers) behave the same.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { httpRequest } from '../support/http.js';
import { runCli, type CliProcess } from '../support/cli.js';
import { ConfigBuilder, prefix, send, startTestProxy } from './helpers.js';
import type { RunningProxy } from '../../proxy/index.js';

const TOKEN = 'resync-token';
const FUTURE = Number.MAX_SAFE_INTEGER;

/** A config whose only backend fails closed with `status`: the data plane shows which one serves. */
function config(status: 500 | 503, generation: number) {
  const b = new ConfigBuilder();
  b.route('app.test', prefix('/'), b.rule(`rule-${status}`, [{ name: `fail-${status}`, weight: 1, status }]));
  return b.build(generation);
}

interface Target {
  ports(): { http: number; admin: number };
}

function admin(
  t: Target,
  method: string,
  path: string,
  opts: { body?: unknown; token?: string; resync?: boolean } = {},
) {
  const headers: Record<string, string> = { authorization: `Bearer ${opts.token ?? TOKEN}` };
  if (opts.body !== undefined) headers['content-type'] = 'application/json';
  if (opts.resync) headers['x-config-resync'] = 'true';
  return httpRequest(t.ports().admin, {
    method,
    path,
    headers,
    body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
  });
}
const gauge = async (t: Target) =>
  /^proxy_config_generation_conflict (\d+)$/m.exec((await admin(t, 'GET', '/metrics')).body)?.[1];

function resyncSuite(name: string, setup: () => Promise<Target>, teardown: () => Promise<void>): void {
  describe(name, () => {
    let t: Target;
    beforeAll(async () => {
      t = await setup();
    }, 150_000);
    afterAll(teardown);

    it('answers 409 naming the running generation, and reports the conflict while stuck', async () => {
      expect((await admin(t, 'PUT', '/config', { body: config(500, FUTURE) })).status).toBe(200);
      const refused = await admin(t, 'PUT', '/config', { body: config(503, 5) });
      expect(refused.status).toBe(409);
      expect(refused.json().running).toEqual({ version: config(500, 0).version, generation: FUTURE });
      const ready = await admin(t, 'GET', '/readyz');
      expect(ready.status).toBe(503);
      expect(ready.json().status).toMatch(/generation conflict/);
      expect(await gauge(t)).toBe('1');
      expect((await send(t.ports().http, 'app.test', '/')).status).toBe(500);
    });

    it('refuses a resync without the token', async () => {
      expect((await admin(t, 'PUT', '/config', { body: config(503, 5), token: 'wrong', resync: true })).status).toBe(
        401,
      );
    });

    it('takes a resync: serves it at the lower generation, ready again, gauge back to 0', async () => {
      const res = await admin(t, 'PUT', '/config', { body: config(503, 5), resync: true });
      expect(res.status).toBe(200);
      expect(res.json()).toMatchObject({ version: config(503, 0).version, generation: 5 });
      expect((await admin(t, 'GET', '/readyz')).status).toBe(200);
      expect(await gauge(t)).toBe('0');
      // New connections, so with workers each may land on either one.
      for (let i = 0; i < 4; i++)
        expect((await httpRequest(t.ports().http, { host: 'app.test', headers: { connection: 'close' } })).status).toBe(
          503,
        );
      // And ordinary numbering again.
      expect((await admin(t, 'PUT', '/config', { body: config(500, 6) })).status).toBe(200);
    });
  });
}

let proxy: RunningProxy | undefined;
resyncSuite(
  'one process',
  async () => {
    proxy = await startTestProxy({ adminToken: TOKEN });
    return { ports: () => ({ http: proxy!.ports.http, admin: proxy!.ports.admin! }) };
  },
  async () => proxy?.close(0),
);

let cli: CliProcess | undefined;
let tokenDir: string | undefined;
resyncSuite(
  'proxy --workers 2',
  async () => {
    tokenDir = await mkdtemp(join(tmpdir(), 'tgw-resync-'));
    await writeFile(join(tokenDir, 'token'), TOKEN);
    cli = runCli([
      'proxy',
      '--workers',
      '2',
      '--listen',
      '127.0.0.1:0',
      '--admin',
      '127.0.0.1:0',
      '--admin-token-file',
      join(tokenDir, 'token'),
    ]);
    const ports = (await cli.waitForLog((l) => l.msg === 'proxy ready for config', 120_000)).ports as {
      http: number;
      admin: number;
    };
    return { ports: () => ports };
  },
  async () => {
    await cli?.stop('SIGKILL');
    if (tokenDir) await rm(tokenDir, { recursive: true, force: true });
  },
);
