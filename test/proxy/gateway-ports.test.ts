// The Gateways' own data ports on a real proxy (ADR 0009): a pushed config naming a Gateway on a port the
// proxy does not listen on opens it (cleartext and TLS), requests there see that Gateway's routes only; a
// config without it closes the port; a port that cannot be bound is logged and the rest keeps serving, and
// it opens once it is free (retried every 5 s, and with each new config).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import net from 'node:net';
import https from 'node:https';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import type { ProxyConfigInput } from '../../proxy/config/schema.js';
import type { RunningProxy } from '../../proxy/index.js';
import { startEchoBackend, type EchoBackend, type EchoBody } from '../support/backends.js';
import { backend, send, startTestProxy, waitFor } from './helpers.js';
import { accepts, freePort } from '../support/ports.js';

let proxy: RunningProxy;
let a: EchoBackend;
let b: EchoBackend;
const logs: string[] = [];

beforeAll(async () => {
  [a, b] = await Promise.all([startEchoBackend('a'), startEchoBackend('b')]);
  const sink = new Writable({ write: (chunk, _enc, done) => (logs.push(String(chunk)), done()) });
  proxy = await startTestProxy({ tlsListen: { host: '127.0.0.1', port: 0 }, logger: pino({ level: 'info' }, sink) });
});

afterAll(async () => {
  await proxy?.close(0);
  await Promise.all([a?.close(), b?.close()]);
});

/** Gateway ns/a on the proxy's own ports (named by none, as the translator writes it), and ns/b (when given ports) on its own. */
function config(version: string, bPorts?: { port: number; tlsPort: number }): ProxyConfigInput {
  const all = { path: { type: 'PathPrefix' as const, value: '/' } };
  return {
    version,
    gateways: [
      { name: 'ns/a', listenerPorts: [80] },
      ...(bPorts ? [{ name: 'ns/b', ...bPorts, listenerPorts: [80] }] : []),
    ],
    rules: [
      { id: 'a', kind: 'http', backends: [backend(a)] },
      { id: 'b', kind: 'http', backends: [backend(b)] },
    ],
    hosts: [
      { hostname: 'app.test', gateway: 'ns/a', ports: [80], matches: [{ match: all, rule: 0 }] },
      ...(bPorts ? [{ hostname: 'app.test', gateway: 'ns/b', ports: [80], matches: [{ match: all, rule: 1 }] }] : []),
    ],
  };
}

async function backendOn(port: number): Promise<string | number> {
  const res = await send(port, 'app.test', '/');
  return res.status === 200 ? res.json<EchoBody>().backend : res.status;
}

function backendOnTls(port: number): Promise<string> {
  return new Promise((resolve, reject) => {
    const req = https.request(
      { host: '127.0.0.1', port, path: '/', headers: { host: 'app.test' }, rejectUnauthorized: false, agent: false },
      (res) => {
        let text = '';
        res.on('data', (c) => (text += String(c)));
        res.on('end', () => resolve((JSON.parse(text) as EchoBody).backend));
      },
    );
    req.on('error', reject);
    req.end();
  });
}

describe('Gateway data ports', () => {
  it('opens a Gateway’s ports with the config that names them, each port routing to its own Gateway', async () => {
    const bPorts = { port: await freePort(), tlsPort: await freePort() };
    expect((await proxy.applySharedConfig(config('v1', bPorts))).ok).toBe(true);
    expect(proxy.gatewayPorts()).toEqual([bPorts.port, bPorts.tlsPort].sort((x, y) => x - y));
    expect(await backendOn(proxy.ports.http)).toBe('a');
    expect(await backendOn(bPorts.port)).toBe('b');
    expect(await backendOnTls(proxy.ports.tls!)).toBe('a');
    expect(await backendOnTls(bPorts.tlsPort)).toBe('b');
  });

  it('closes them, and their open connections, with the config that no longer names the Gateway', async () => {
    const bPorts = { port: await freePort(), tlsPort: await freePort() };
    await proxy.applySharedConfig(config('v2', bPorts));
    expect(await accepts(bPorts.port)).toBe(true);
    const kept = net.connect(bPorts.port, '127.0.0.1');
    const keptClosed = new Promise((resolve) => kept.once('close', resolve));
    await new Promise((resolve) => kept.once('connect', resolve));
    expect((await proxy.applySharedConfig(config('v3'))).ok).toBe(true);
    expect(proxy.gatewayPorts()).toEqual([]);
    expect(await accepts(bPorts.port)).toBe(false);
    expect(await accepts(bPorts.tlsPort)).toBe(false);
    await keptClosed;
    expect(await backendOn(proxy.ports.http)).toBe('a');
  });

  it('logs a port it cannot bind, keeps serving, and opens it once it is free', async () => {
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as net.AddressInfo).port;
    const tlsPort = await freePort();
    expect((await proxy.applySharedConfig(config('v4', { port: taken, tlsPort }))).ok).toBe(true);
    expect(proxy.gatewayPorts()).toEqual([tlsPort]);
    const line = logs.find((l) => l.includes('could not open the data port') && l.includes(String(taken)));
    expect(line).toContain('"gateway":"ns/b"');
    expect(line).toContain('EADDRINUSE');
    expect(await backendOn(proxy.ports.http)).toBe('a');
    expect(await backendOnTls(tlsPort)).toBe('b');
    await new Promise((resolve) => blocker.close(resolve));
    await waitFor(() => proxy.gatewayPorts().includes(taken), 8_000); // no new config: the retry
    expect(await backendOn(taken)).toBe('b');
  });
});
