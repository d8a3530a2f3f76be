// Canaries for what the code relies on beyond the documented APIs of its dependencies. Each dependency below is
// pinned to an exact version in package.json; when an upgrade (or a new Node) changes one of these behaviours,
// this file fails and names the code to revisit, instead of the product failing somewhere far from the cause.
//
//   xstate       `_stop()` on a child actor and the snapshot's mutable `children` map   src/runtime/control-plane.ts
//                snapshot `children` / `machine.id` walked for idleness                  src/runtime/idle.ts
//   undici       the legacy (unwrapped) Dispatcher handler: onConnect / onHeaders (raw    proxy/forward/http1.ts
//                Buffers, resume) / onData (false pauses) / onComplete / onError
//   prom-client  a plain object registered as a Metric (get / reset / aggregator,         proxy/forward/rule-metrics.ts
//                values with metricName), summed by AggregatorRegistry
//   node:http    `server.emit('listening')` starts the headers/request timeout checks     proxy/server/listener.ts
//                of a server that never listen()s
//   selfsigned   the `keyPair` option (signs with a key we generate natively), untyped   proxy/index.ts
import { generateKeyPairSync, X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import net, { type AddressInfo } from 'node:net';
import { createRequire } from 'node:module';
import { afterAll, describe, expect, it } from '@jest/globals';
import { AggregatorRegistry, Registry, type Metric } from 'prom-client';
import { Pool } from 'undici';
import { assign, createActor, createMachine, fromCallback, setup, type AnyActorRef } from 'xstate';

const require = createRequire(import.meta.url);
const pkg = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as {
  dependencies: Record<string, string>;
  engines: { node: string };
};
const installed = (name: string) => (require(`${name}/package.json`) as { version: string }).version;

describe('versions', () => {
  it.each(['xstate', 'undici', 'prom-client', 'selfsigned'])(
    '%s is pinned exactly, and the installed version is the pinned one',
    (name) => {
      expect(pkg.dependencies[name]).toMatch(/^\d+\.\d+\.\d+$/);
      expect(installed(name)).toBe(pkg.dependencies[name]);
    },
  );

  it('runs on a Node that package.json engines allows (20 on dev machines, 22 in the image)', () => {
    const [major, minor] = process.versions.node.split('.').map(Number) as [number, number];
    expect(pkg.engines.node).toBe('^20.19.0 || ^22.13.0');
    expect((major === 20 && minor >= 19) || (major === 22 && minor >= 13)).toBe(true);
  });
});

describe('xstate internals (src/runtime/control-plane.ts, src/runtime/idle.ts)', () => {
  const child = createMachine({ id: 'child', initial: 'on', states: { on: {} } });
  const parent = setup({ actors: { child } }).createMachine({
    id: 'parent',
    context: {},
    entry: assign(({ spawn }) => {
      spawn('child', { id: 'a' });
      spawn('child', { id: 'b' });
      return {};
    }),
  });

  it('lists spawned children by id on the snapshot, each with its machine id', () => {
    const root = createActor(parent).start();
    const children = (root.getSnapshot() as { children: Record<string, AnyActorRef | undefined> }).children;
    expect(Object.keys(children).sort()).toEqual(['a', 'b']);
    const snap = children.a!.getSnapshot() as { status: string; machine?: { id: string } };
    expect(snap.status).toBe('active');
    expect(snap.machine?.id).toBe('child');
    root.stop();
  });

  it('stops a child with `_stop()` and tolerates it being dropped from the children map before the parent stops', () => {
    const root = createActor(parent).start();
    const snapshot = root.getSnapshot() as { children: Record<string, AnyActorRef | undefined> };
    const a = snapshot.children.a!;
    const stopped: string[] = [];
    a.subscribe({ complete: () => stopped.push('a'), error: () => undefined });
    expect(typeof (a as unknown as { _stop?: unknown })._stop).toBe('function');
    (a as unknown as { _stop(): void })._stop();
    expect(a.getSnapshot().status).toBe('stopped');
    delete snapshot.children.a;
    expect(() => root.stop()).not.toThrow();
    expect(snapshot.children.b!.getSnapshot().status).toBe('stopped');
    expect(root.getSnapshot().status).toBe('stopped');
  });

  it('still refuses the public stop() on a child (why control-plane.ts needs `_stop`)', () => {
    const root = createActor(parent).start();
    const a = (root.getSnapshot() as { children: Record<string, AnyActorRef | undefined> }).children.a!;
    // If this starts passing, xstate has a public way to stop a child from outside: use it and drop `_stop`.
    expect(() => a.stop()).toThrow();
    root.stop();
  });

  it('stops the children of a root that failed, given `_stop` (stopDescendants)', () => {
    let cleaned = 0;
    const ticking = fromCallback(() => () => cleaned++);
    const failing = setup({ actors: { ticking } }).createMachine({
      id: 'failing',
      invoke: { src: 'ticking', id: 'tick' },
      on: {
        boom: {
          actions: () => {
            throw new Error('boom');
          },
        },
      },
    });
    const root = createActor(failing);
    root.subscribe({ error: () => undefined });
    root.start();
    const tick = (root.getSnapshot() as { children: Record<string, AnyActorRef | undefined> }).children.tick!;
    root.send({ type: 'boom' });
    expect(cleaned).toBe(0); // xstate leaves a failed root's children running: why stopDescendants exists
    expect(root.getSnapshot().status).toBe('error');
    (tick as unknown as { _stop(): void })._stop();
    expect(cleaned).toBe(1);
  });
});

describe('undici legacy dispatch handler (proxy/forward/http1.ts)', () => {
  let server: http.Server;
  let port = 0;
  const pools: Pool[] = [];
  afterAll(async () => {
    await Promise.all(pools.map((p) => p.close()));
    await new Promise((resolve) => server?.close(resolve));
  });

  it('calls onConnect(abort), onHeaders(status, raw Buffers, resume), onData (false pauses until resume), onComplete', async () => {
    server = http.createServer((_req, res) => {
      res.writeHead(200, { 'x-canary': 'yes', trailer: 'x-end' });
      res.write('one');
      setTimeout(() => {
        res.addTrailers({ 'x-end': 'done' });
        res.end('two');
      }, 50);
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
    const pool = new Pool(`http://127.0.0.1:${port}`);
    pools.push(pool);
    const seen: string[] = [];
    let resume: (() => void) | undefined;
    const body: string[] = [];
    const result = await new Promise<{ trailers: Array<Buffer | string> | null }>((resolve, reject) => {
      pool.dispatch({ method: 'GET', path: '/', headers: ['host', 'canary'] }, {
        onConnect(abort: (err?: Error) => void) {
          expect(typeof abort).toBe('function');
          seen.push('connect');
        },
        onHeaders(status: number, raw: Array<Buffer | string>, res: () => void) {
          expect(status).toBe(200);
          expect(raw.every((h) => Buffer.isBuffer(h))).toBe(true);
          const names = raw.filter((_, i) => i % 2 === 0).map(String);
          expect(names.map((n) => n.toLowerCase())).toContain('x-canary');
          resume = res;
          seen.push('headers');
          return true;
        },
        onData(chunk: Buffer) {
          expect(Buffer.isBuffer(chunk)).toBe(true);
          body.push(chunk.toString());
          seen.push('data');
          if (body.length === 1) {
            setTimeout(() => resume!(), 20);
            return false; // paused: the rest arrives only after resume()
          }
          return true;
        },
        onComplete(trailers: Array<Buffer | string> | null) {
          seen.push('complete');
          resolve({ trailers });
        },
        onError: reject,
      } as unknown as Parameters<Pool['dispatch']>[1]);
    });
    expect(seen[0]).toBe('connect');
    expect(seen[1]).toBe('headers');
    expect(seen[seen.length - 1]).toBe('complete');
    expect(body.join('')).toBe('onetwo');
    expect(result.trailers?.map(String)).toEqual(['x-end', 'done']);
  });

  it('reports a refused connection through onError', async () => {
    const closed = net.createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const deadPort = (closed.address() as AddressInfo).port;
    await new Promise((resolve) => closed.close(resolve));
    const pool = new Pool(`http://127.0.0.1:${deadPort}`);
    pools.push(pool);
    const err = await new Promise<Error>((resolve) => {
      pool.dispatch({ method: 'GET', path: '/', headers: [] }, {
        onConnect: () => undefined,
        onHeaders: () => true,
        onData: () => true,
        onComplete: () => resolve(new Error('completed')),
        onError: resolve,
      } as unknown as Parameters<Pool['dispatch']>[1]);
    });
    expect((err as NodeJS.ErrnoException).code).toBe('ECONNREFUSED');
  });
});

describe('prom-client Metric shape (proxy/forward/rule-metrics.ts)', () => {
  type Value = { labels: Record<string, string | number>; value: number; metricName?: string };
  function plainMetric(values: Value[], onReset: () => void): Metric {
    const name = 'canary_requests';
    const get = () => ({ name, help: 'canary', type: 'histogram', aggregator: 'sum', values });
    return { name, help: 'canary', type: 'histogram', aggregator: 'sum', get, reset: onReset } as unknown as Metric;
  }
  const values: Value[] = [
    { labels: { le: 0.1, rule: 'r' }, value: 2, metricName: 'canary_requests_bucket' },
    { labels: { le: '+Inf', rule: 'r' }, value: 3, metricName: 'canary_requests_bucket' },
    { labels: { rule: 'r' }, value: 0.5, metricName: 'canary_requests_sum' },
    { labels: { rule: 'r' }, value: 3, metricName: 'canary_requests_count' },
  ];

  it('renders a registered plain object, each value under its metricName', async () => {
    const registry = new Registry();
    let resets = 0;
    registry.registerMetric(plainMetric(values, () => resets++));
    const text = await registry.metrics();
    expect(text).toContain('# TYPE canary_requests histogram');
    expect(text).toContain('canary_requests_bucket{le="0.1",rule="r"} 2');
    expect(text).toContain('canary_requests_bucket{le="+Inf",rule="r"} 3');
    expect(text).toContain('canary_requests_sum{rule="r"} 0.5');
    expect(text).toContain('canary_requests_count{rule="r"} 3');
    registry.resetMetrics();
    expect(resets).toBe(1);
  });

  it('sums it across cluster workers with AggregatorRegistry', async () => {
    const registry = new Registry();
    registry.registerMetric(plainMetric(values, () => undefined));
    const json = await registry.getMetricsAsJSON();
    const aggregated = AggregatorRegistry.aggregate([json, json] as Parameters<typeof AggregatorRegistry.aggregate>[0]);
    const text = await aggregated.metrics();
    expect(text).toContain('canary_requests_bucket{le="+Inf",rule="r"} 6');
    expect(text).toContain('canary_requests_sum{rule="r"} 1');
  });
});

describe("node:http `emit('listening')` (proxy/server/listener.ts)", () => {
  it('starts the headers timeout checks of a server that never listen()s', async () => {
    const h1 = http.createServer({ headersTimeout: 200, requestTimeout: 400, connectionsCheckingInterval: 50 });
    h1.emit('listening');
    // Sockets reach h1 only through emit('connection'), as from the sniffing listener.
    const front = net.createServer((socket) => h1.emit('connection', socket));
    await new Promise<void>((resolve) => front.listen(0, '127.0.0.1', resolve));
    const answer = await new Promise<string>((resolve, reject) => {
      const client = net.connect((front.address() as AddressInfo).port, '127.0.0.1', () =>
        client.write('GET / HTTP/1.1\r\nhost: x\r\n'),
      );
      let text = '';
      client.on('data', (c: Buffer) => (text += c.toString()));
      client.on('close', () => resolve(text));
      client.on('error', reject);
      setTimeout(() => {
        client.destroy();
        resolve('(still open after 3 s)');
      }, 3_000).unref();
    });
    // Only the timeout checks answer 408 (without them the head would wait for the 3 s give-up above).
    expect(answer).toMatch(/^HTTP\/1\.1 408/);
    h1.close();
    await new Promise((resolve) => front.close(resolve));
  });
});

describe('selfsigned `keyPair` (proxy/index.ts)', () => {
  it('signs the certificate for the key pair it is given, not one of its own', () => {
    const pair = generateKeyPairSync('rsa', {
      modulusLength: 2048,
      publicKeyEncoding: { type: 'spki', format: 'pem' },
      privateKeyEncoding: { type: 'pkcs1', format: 'pem' },
    });
    const selfsigned = require('selfsigned') as { generate(a: unknown, o: unknown): { cert: string; private: string } };
    const pems = selfsigned.generate([{ name: 'commonName', value: 'canary' }], { days: 1, keyPair: pair });
    const cert = new X509Certificate(pems.cert);
    expect(cert.publicKey.export({ type: 'spki', format: 'pem' })).toBe(pair.publicKey);
    expect(cert.checkIssued(cert)).toBe(true);
  });
});
