// A header a filter adds to one the client sent travels as a separate field, never joined into one
// "orig, added" value, whatever the protocols on either side (backends and the conformance suite compare
// field lists). The backends record the fields as they came on the wire.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import http2 from 'node:http2';
import type { AddressInfo } from 'node:net';
import { startEchoBackend, type EchoBackend } from '../support/backends.js';
import { ConfigBuilder, backend, prefix, send, startTestProxy } from './helpers.js';
import type { RunningProxy } from '../../proxy/index.js';
import { rows } from '../support/each.js';

let proxy: RunningProxy;
let h1: EchoBackend;
let h2c: EchoBackend;
let repeater: http2.Http2Server;
const ADD = [
  {
    type: 'RequestHeaderModifier' as const,
    requestHeaderModifier: { add: [{ name: 'x-multi', value: 'header-val-1' }] },
  },
];

beforeAll(async () => {
  h1 = await startEchoBackend('h1');
  h2c = await startEchoBackend('h2c', { protocol: 'h2c' });
  repeater = await startRepeatingBackend();
  const repeaterAt = { name: 'repeater', address: '127.0.0.1', port: (repeater.address() as AddressInfo).port };
  proxy = await startTestProxy();
  const b = new ConfigBuilder();
  b.route('h1.test', prefix('/'), b.rule('to-h1', [backend(h1)], { filters: ADD }));
  b.route('h2c.test', prefix('/'), b.rule('to-h2c', [backend(h2c, 1, { protocol: 'h2c' })], { filters: ADD }));
  b.route(
    'grpc.test',
    prefix('/'),
    b.rule('to-grpc', [backend(h2c, 1, { protocol: 'h2c' })], { kind: 'grpc', filters: ADD }),
  );
  b.route(
    'answers.test',
    prefix('/'),
    b.rule('from-h2c', [backend(repeaterAt, 1, { protocol: 'h2c' })], {
      filters: [
        {
          type: 'ResponseHeaderModifier',
          responseHeaderModifier: { add: [{ name: 'x-multi', value: 'header-val-1' }] },
        },
      ],
    }),
  );
  expect(proxy.applyConfig(b.build())).toMatchObject({ ok: true });
});

/** An h2c backend that answers with a header and a trailer field each sent twice. */
async function startRepeatingBackend(): Promise<http2.Http2Server> {
  const server = http2.createServer();
  server.on('stream', (stream) => {
    stream.respond({ ':status': 200, 'x-multi': ['a', 'b'] }, { waitForTrailers: true });
    stream.on('wantTrailers', () => stream.sendTrailers({ 'x-trailer': ['c', 'd'] }));
    stream.end('body');
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return server;
}

afterAll(async () => {
  await proxy?.close(0);
  await Promise.all([h1?.close(), h2c?.close()]);
  await new Promise((resolve) => repeater?.close(resolve));
});

function fields(raw: string[], name: string): string[] {
  const out: string[] = [];
  for (let i = 0; i < raw.length; i += 2) if (raw[i]!.toLowerCase() === name) out.push(raw[i + 1]!);
  return out;
}

async function sendH2(host: string, headers: Record<string, string>): Promise<void> {
  const session = http2.connect(`http://127.0.0.1:${proxy.ports.http}`);
  try {
    await new Promise<void>((resolve, reject) => {
      const req = session.request({ ':path': '/x', ':authority': host, ...headers });
      req.on('error', reject);
      req.on('response', () => req.resume().on('end', resolve));
      req.end();
    });
  } finally {
    session.close();
  }
}

describe('added header values stay separate fields', () => {
  it.each(
    rows<[string, string, () => EchoBackend, 'h1' | 'h2']>([
      ['HTTP/1.1 client → HTTP/1.1 backend', 'h1.test', () => h1, 'h1'],
      ['HTTP/2 client → HTTP/1.1 backend', 'h1.test', () => h1, 'h2'],
      ['HTTP/1.1 client → h2c backend', 'h2c.test', () => h2c, 'h1'],
      ['HTTP/2 client → h2c backend', 'h2c.test', () => h2c, 'h2'],
      ['gRPC-shaped HTTP/2 request → h2c backend', 'grpc.test', () => h2c, 'h2'],
    ]),
  )('%s', async (_name, host, target, client) => {
    const before = target().requests.length;
    const headers = {
      'x-multi': 'orig',
      ...(host === 'grpc.test' ? { 'content-type': 'application/grpc', te: 'trailers' } : {}),
    };
    if (client === 'h1') await send(proxy.ports.http, host, '/x', { headers });
    else await sendH2(host, headers);
    const seen = target().requests[before]!;
    expect(fields(seen.rawHeaders, 'x-multi')).toEqual(['orig', 'header-val-1']);
  });
});

describe('repeated fields from an HTTP/2 backend stay separate', () => {
  it('response headers (with an added value) and trailers', async () => {
    const seen = await new Promise<{ headers: string[]; trailers: string[] }>((resolve, reject) => {
      const req = http.get(
        { port: proxy.ports.http, path: '/', headers: { host: 'answers.test', te: 'trailers' } },
        (res) => {
          res.resume();
          res.on('end', () => resolve({ headers: res.rawHeaders, trailers: res.rawTrailers }));
        },
      );
      req.on('error', reject);
    });
    expect(fields(seen.headers, 'x-multi')).toEqual(['a', 'b', 'header-val-1']);
    expect(fields(seen.trailers, 'x-trailer')).toEqual(['c', 'd']);
  });
});
