// The real `standalone` CLI against issue 14's attacks: a manifests folder holding FIFOs and a symlink to
// /dev/zero (skipped and logged, hot reload keeps working), and a web page using DNS rebinding against the
// loopback admin port without a token (403 on writes and reads; loopback and allowed names still served).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm, symlink, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runStandalone, type CliProcess } from '../support/cli.js';
import { eventually, httpRequest } from '../support/http.js';
import { startEchoBackend, type EchoBackend } from '../support/backends.js';
import { gatewayYaml, routeYaml, serviceYaml } from '../support/manifests.js';

let dir: string;
let app: CliProcess;
let port: number;
let admin: number;
let echo: EchoBackend;

const skippedFiles = () =>
  app.logs
    .filter((l) => l.msg === 'manifest file skipped')
    .map((l) => `${String(l.file).split('/').pop()}: ${String(l.reason)}`);

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'tgw-hardening-'));
  echo = await startEchoBackend('svc');
  await writeFile(join(dir, 'gateway.yaml'), gatewayYaml);
  await writeFile(join(dir, 'service.yaml'), serviceYaml('svc', echo.port));
  await writeFile(join(dir, 'a.yaml'), routeYaml('a', 'a.test'));
  for (const n of [1, 2]) execFileSync('mkfifo', [join(dir, `pipe${n}.yaml`)]);
  await symlink('/dev/zero', join(dir, 'zero.yaml'));
  ({ app, port, admin } = await runStandalone(dir, ['--admin-allowed-hosts', 'gateway.local']));
}, 90_000);

afterAll(async () => {
  await app?.stop('SIGKILL');
  await echo?.close();
  if (dir) await rm(dir, { recursive: true, force: true });
});

describe('standalone with special files in the manifests folder', () => {
  it('skips FIFOs and /dev/zero at start, naming each, and serves the rest', async () => {
    expect(skippedFiles()).toEqual(
      expect.arrayContaining([
        'pipe1.yaml: not a regular file (FIFO)',
        'pipe2.yaml: not a regular file (FIFO)',
        'zero.yaml: not a regular file (character device)',
      ]),
    );
    await eventually(async () => (await httpRequest(port, { host: 'a.test' })).status === 200);
  });

  it('keeps hot reload working after four more FIFOs appear', async () => {
    for (const n of [3, 4, 5, 6]) execFileSync('mkfifo', [join(dir, `pipe${n}.yaml`)]);
    await eventually(async () =>
      [3, 4, 5, 6].every((n) => skippedFiles().includes(`pipe${n}.yaml: not a regular file (FIFO)`)),
    );
    await writeFile(join(dir, 'b.yaml'), routeYaml('b', 'b.test'));
    await eventually(async () => (await httpRequest(port, { host: 'b.test' })).status === 200);
  });
});

describe('standalone admin API without a token against DNS rebinding', () => {
  const body = JSON.stringify({ version: 'evil', generation: Number.MAX_SAFE_INTEGER, rules: [], hosts: [] });

  it('refuses a push and reads under a foreign Host, and keeps serving', async () => {
    const push = await httpRequest(admin, {
      method: 'PUT',
      path: '/config',
      host: 'rebind.attacker.example:9901',
      body,
      headers: { 'content-type': 'application/json' },
    });
    expect(push.status).toBe(403);
    for (const path of ['/config', '/status', '/debug/actors'])
      expect((await httpRequest(admin, { path, host: 'rebind.attacker.example' })).status).toBe(403);
    expect((await httpRequest(port, { host: 'a.test' })).status).toBe(200);
  });

  it('serves loopback names and --admin-allowed-hosts', async () => {
    for (const host of ['127.0.0.1', `localhost:${admin}`, 'gateway.local'])
      expect((await httpRequest(admin, { path: '/status', host })).status).toBe(200);
  });
});

describe('standalone after a push of generation 2^53−1 (e.g. from a local process)', () => {
  it('converges back to the manifests on the next change instead of refusing every push', async () => {
    const evil = JSON.stringify({ version: 'evil', generation: Number.MAX_SAFE_INTEGER, rules: [], hosts: [] });
    expect(
      (
        await httpRequest(admin, {
          method: 'PUT',
          path: '/config',
          host: '127.0.0.1',
          body: evil,
          headers: { 'content-type': 'application/json' },
        })
      ).status,
    ).toBe(200);
    expect((await httpRequest(port, { host: 'a.test' })).status).toBe(404);
    await writeFile(join(dir, 'c.yaml'), routeYaml('c', 'c.test'));
    await eventually(async () => (await httpRequest(port, { host: 'c.test' })).status === 200);
    expect((await httpRequest(port, { host: 'a.test' })).status).toBe(200);
    expect((await httpRequest(admin, { path: '/config' })).json().generation).toBeLessThan(Number.MAX_SAFE_INTEGER);
    expect((await httpRequest(admin, { path: '/readyz' })).status).toBe(200);
  });
});
