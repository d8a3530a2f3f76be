// The admin surface: wrong or missing tokens are refused, and no secret reaches any log line, even at debug.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { runCli, type CliProcess } from '../support/cli.js';
import { httpRequest } from '../support/http.js';

describe('admin token', () => {
  const token = randomBytes(24).toString('hex');
  let dir: string;
  let proxy: CliProcess;
  let admin: number;

  beforeAll(async () => {
    dir = await mkdtemp(join(tmpdir(), 'tgw-secret-'));
    await writeFile(join(dir, 'token'), `${token}\n`, { mode: 0o600 });
    proxy = runCli(
      ['proxy', '--listen', '127.0.0.1:0', '--admin', '127.0.0.1:0', '--admin-token-file', join(dir, 'token')],
      { LOG_LEVEL: 'debug' },
    );
    const listening = await proxy.waitForLog((l) => l.msg === 'proxy ready for config');
    admin = (listening.ports as { admin: number }).admin;
  });

  afterAll(async () => {
    await proxy?.stop();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  const config = JSON.stringify({ version: 'v1', generation: 1, rules: [], hosts: [] });

  it.each([
    ['no token', {}],
    ['a wrong token', { authorization: `Bearer ${'0'.repeat(token.length)}` }],
    ['a token prefix', { authorization: `Bearer ${token.slice(0, 10)}` }],
    ['the token in another scheme', { authorization: `Basic ${token}` }],
  ])('refuses PUT /config with %s (401), keeping the proxy unready', async (_what, headers) => {
    const reply = await httpRequest(admin, {
      method: 'PUT',
      path: '/config',
      headers: { 'content-type': 'application/json', ...headers },
      body: config,
    });
    expect(reply.status).toBe(401);
    expect((await httpRequest(admin, { path: '/readyz' })).status).toBe(503);
  });

  it('accepts the right token, and never logs it', async () => {
    const reply = await httpRequest(admin, {
      method: 'PUT',
      path: '/config',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: config,
    });
    expect(reply.status).toBe(200);
    expect((await httpRequest(admin, { path: '/readyz' })).status).toBe(200);
    await proxy.stop();
    expect(proxy.logs.length).toBeGreaterThan(0);
    expect(proxy.stdout() + proxy.stderr()).not.toContain(token);
  });
});
