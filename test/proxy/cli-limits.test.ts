// `tunnel-gateway proxy --upstream-response-timeout-ms` as a real child process (with a worker, so the flag
// reaches the serving process too): a route without timeouts to a backend that never answers gets 504.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import { request } from 'undici';
import { ConfigBuilder, backend, prefix, send, waitFor } from './helpers.js';

let child: ChildProcess;
let silent: net.Server;
const accepted = new Set<net.Socket>();
let output = '';
let ports: { http: number; admin: number };

beforeAll(async () => {
  // Accepts connections and never answers.
  silent = net.createServer((s) => {
    accepted.add(s);
    s.on('error', () => undefined);
  });
  await new Promise<void>((r) => silent.listen(0, '127.0.0.1', () => r()));
  const args = [
    'bin/tunnel-gateway.mjs',
    'proxy',
    '--listen',
    '127.0.0.1:0',
    '--admin',
    '127.0.0.1:0',
    '--upstream-response-timeout-ms',
    '300',
  ];
  child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  child.stdout!.setEncoding('utf8').on('data', (c: string) => (output += c));
  child.stderr!.setEncoding('utf8').on('data', (c: string) => (output += c));
  await waitFor(() => /"msg":"proxy ready for config"/.test(output), 60_000);
  const line = output.split('\n').find((l) => l.includes('proxy ready for config'))!;
  ports = (JSON.parse(line) as { ports: typeof ports }).ports;
}, 90_000);

afterAll(async () => {
  if (child && child.exitCode === null) {
    // SIGTERM lets the primary take its worker down with it; SIGKILL if that takes too long.
    const exited = new Promise((r) => child.once('exit', r));
    child.kill('SIGTERM');
    const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
    await exited;
    clearTimeout(timer);
  }
  accepted.forEach((s) => s.destroy());
  await new Promise<void>((r) => silent.close(() => r()));
}, 30_000);

describe('tunnel-gateway proxy limit flags', () => {
  it('--upstream-response-timeout-ms: a backend that never answers gets 504 after it', async () => {
    const b = new ConfigBuilder();
    const port = (silent.address() as net.AddressInfo).port;
    b.route('hang.test', prefix('/'), b.rule('hang', [backend({ name: 'hang', address: '127.0.0.1', port })]));
    const res = await request(`http://127.0.0.1:${ports.admin}/config`, {
      method: 'PUT',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(b.build(1)),
    });
    await res.body.text();
    expect(res.statusCode).toBe(200);
    expect((await send(ports.http, 'hang.test', '/', { signal: AbortSignal.timeout(10_000) })).status).toBe(504);
  });
});
