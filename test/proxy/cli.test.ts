// `tunnel-gateway proxy` as a real child process: starts empty (not ready), serves a pushed config,
// keeps the token out of its logs, drains and exits 0 on SIGTERM.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { request } from 'undici';
import { startEchoBackend, type EchoBackend, type EchoBody } from '../support/backends.js';
import { ConfigBuilder, backend, prefix, send, waitFor } from './helpers.js';

const TOKEN = 'cli-token-do-not-log';
let echo: EchoBackend;
let child: ChildProcess;
let output = '';
let ports: { http: number; tls?: number; admin: number };

beforeAll(async () => {
  echo = await startEchoBackend('cli-echo');
  const dir = mkdtempSync(join(tmpdir(), 'proxy-cli-'));
  writeFileSync(join(dir, 'token'), `${TOKEN}\n`);
  child = spawn(
    process.execPath,
    [
      'bin/tunnel-gateway.mjs',
      'proxy',
      '--listen',
      '127.0.0.1:0',
      '--tls-listen',
      '127.0.0.1:0',
      '--admin',
      '127.0.0.1:0',
      '--log-level',
      'debug',
    ],
    {
      env: { ...process.env, PROXY_ADMIN_TOKEN_FILE: join(dir, 'token') },
      stdio: ['ignore', 'pipe', 'pipe'],
    },
  );
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (output += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (output += c));
  await waitFor(() => /"msg":"proxy ready for config"/.test(output), 60_000);
  const line = output.split('\n').find((l) => l.includes('proxy ready for config'))!;
  ports = (JSON.parse(line) as { ports: typeof ports }).ports;
}, 90_000);

afterAll(async () => {
  if (child && child.exitCode === null) child.kill('SIGKILL');
  await echo?.close();
});

async function putConfig(token: string | undefined, body: unknown) {
  const res = await request(`http://127.0.0.1:${ports.admin}/config`, {
    method: 'PUT',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  });
  await res.body.text();
  return res.statusCode;
}

describe('tunnel-gateway proxy', () => {
  it('reports its ports and starts not ready', async () => {
    expect(ports.http).toBeGreaterThan(0);
    expect(ports.tls).toBeGreaterThan(0);
    const res = await request(`http://127.0.0.1:${ports.admin}/readyz`);
    await res.body.text();
    expect(res.statusCode).toBe(503);
  });

  it('takes the token from PROXY_ADMIN_TOKEN_FILE and serves the pushed config', async () => {
    const b = new ConfigBuilder();
    b.route('cli.test', prefix('/'), b.rule('http/default/cli/0', [backend(echo)]));
    expect(await putConfig(undefined, b.build(1))).toBe(401);
    expect(await putConfig(TOKEN, b.build(1))).toBe(200);
    const res = await send(ports.http, 'cli.test', '/via-cli');
    expect(res.json<EchoBody>().backend).toBe('cli-echo');
  });

  it('never logs the token', () => {
    expect(output).not.toContain(TOKEN);
  });

  it('drains and exits 0 on SIGTERM', async () => {
    const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
    child.kill('SIGTERM');
    expect(await exited).toBe(0);
  });
});
