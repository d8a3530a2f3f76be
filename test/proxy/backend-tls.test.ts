// TLS from the proxy to backends (BackendTLSPolicy, translated into a backend's `tls`), against real TLS
// servers whose certificates a CA made here signs: the certificate is verified against the configured CA
// bundle, its identity against the SNI name or the listed subject alternative names; any failure answers 502
// and is never retried in plaintext. HTTP/1.1, HTTP/2 (ALPN), gRPC and WebSocket upgrades, as a request table.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Writable } from 'node:stream';
import pino from 'pino';
import * as grpc from '@grpc/grpc-js';
import WebSocket from 'ws';
import { caCertificateId, type ProxyConfigInput } from '../../proxy/config/schema.js';
import type { RunningProxy } from '../../proxy/index.js';
import { EchoClient, startGrpcBackend, type EchoMessage, type GrpcBackend } from '../support/backends.js';
import { rows } from '../support/each.js';
import { createTestCa } from '../support/test-ca.js';
import { startTlsBackend, type TlsBackend, type TlsEcho } from '../support/tls-backend.js';
import { ConfigBuilder, backend, prefix, send, startTestProxy } from './helpers.js';

type BackendInput = Parameters<typeof backend>[2];
type Tls = NonNullable<NonNullable<BackendInput>['tls']>;

const ca = createTestCa('backend CA');
const otherCa = createTestCa('another CA');
const CA = caCertificateId(ca.cert);
const OTHER = caCertificateId(otherCa.cert);
const serverPems = ca.issue({ dns: ['abc.example.com'], uris: ['spiffe://abc.example.com/test-identity'] });

let proxy: RunningProxy;
let h1: TlsBackend;
let h2: TlsBackend;
let rpc: GrpcBackend;
const logLines: string[] = [];

/** Host name served by the proxy → the backend it forwards to and how. */
const CASES: Record<string, { to: 'h1' | 'h2'; tls?: Tls; protocol?: 'h2c' | 'ws' }> = {
  'good.test': { to: 'h1', tls: { serverName: 'abc.example.com', ca: CA } },
  'wrong-ca.test': { to: 'h1', tls: { serverName: 'abc.example.com', ca: OTHER } },
  'host-mismatch.test': { to: 'h1', tls: { serverName: 'mismatch.example.com', ca: CA } },
  'system.test': { to: 'h1', tls: { serverName: 'abc.example.com', ca: 'system' } },
  'plain-to-tls.test': { to: 'h1' },
  'san-dns.test': {
    to: 'h1',
    tls: {
      serverName: 'sni.example.com',
      ca: CA,
      subjectAltNames: [{ type: 'Hostname', hostname: 'abc.example.com' }],
    },
  },
  'san-dns-mismatch.test': {
    to: 'h1',
    tls: {
      serverName: 'abc.example.com',
      ca: CA,
      subjectAltNames: [{ type: 'Hostname', hostname: 'dce.example.com' }],
    },
  },
  'san-uri.test': {
    to: 'h1',
    tls: {
      serverName: 'abc.example.com',
      ca: CA,
      subjectAltNames: [{ type: 'URI', uri: 'spiffe://abc.example.com/test-identity' }],
    },
  },
  'san-uri-mismatch.test': {
    to: 'h1',
    tls: {
      serverName: 'abc.example.com',
      ca: CA,
      subjectAltNames: [{ type: 'URI', uri: 'spiffe://def.example.com/test-identity' }],
    },
  },
  'san-multiple.test': {
    to: 'h1',
    tls: {
      serverName: 'abc.example.com',
      ca: CA,
      subjectAltNames: [
        { type: 'URI', uri: 'spiffe://def.example.com/test-identity' },
        { type: 'Hostname', hostname: 'abc.example.com' },
      ],
    },
  },
  'san-multiple-mismatch.test': {
    to: 'h1',
    tls: {
      serverName: 'abc.example.com',
      ca: CA,
      subjectAltNames: [
        { type: 'URI', uri: 'spiffe://def.example.com/test-identity' },
        { type: 'Hostname', hostname: 'def.example.com' },
      ],
    },
  },
  'h2.test': { to: 'h2', protocol: 'h2c', tls: { serverName: 'abc.example.com', ca: CA } },
  'h2-wrong-ca.test': { to: 'h2', protocol: 'h2c', tls: { serverName: 'abc.example.com', ca: OTHER } },
  'wss.test': { to: 'h1', protocol: 'ws', tls: { serverName: 'abc.example.com', ca: CA } },
  'wss-wrong-ca.test': { to: 'h1', protocol: 'ws', tls: { serverName: 'abc.example.com', ca: OTHER } },
};

function config(): ProxyConfigInput {
  const b = new ConfigBuilder();
  // gRPC (GRPCRoute backends): HTTP/2 over TLS, trailers relayed.
  for (const [host, ca] of [
    ['grpc.test', CA],
    ['grpc-wrong-ca.test', OTHER],
  ] as const) {
    const tls = { serverName: 'abc.example.com', ca };
    const rule = b.rule(`grpcroute/default/${host}/0`, [backend(rpc, 1, { tls })], { kind: 'grpc' });
    b.route(host, prefix('/test.Echo/'), rule);
  }
  for (const [host, c] of Object.entries(CASES)) {
    const target = c.to === 'h1' ? h1 : h2;
    const extra: BackendInput = { name: `default/${host}:443` };
    if (c.tls) extra.tls = c.tls;
    if (c.protocol) extra.protocol = c.protocol;
    b.route(host, prefix('/'), b.rule(`httproute/default/${host}/0`, [backend(target, 1, extra)]));
  }
  return {
    ...b.build(),
    caCertificates: [
      { id: CA, pem: ca.cert },
      { id: OTHER, pem: otherCa.cert },
    ],
  };
}

beforeAll(async () => {
  h1 = await startTlsBackend('tls-h1', serverPems);
  h2 = await startTlsBackend('tls-h2', serverPems, { protocol: 'h2' });
  rpc = await startGrpcBackend('tls-rpc', serverPems);
  const sink = new Writable({
    write(chunk: Buffer, _enc, done) {
      logLines.push(...chunk.toString().trim().split('\n'));
      done();
    },
  });
  proxy = await startTestProxy({ logger: pino({ level: 'warn' }, sink) });
  const applied = proxy.applyConfig(config());
  expect(applied).toEqual({ ok: true, version: expect.any(String) });
});

afterAll(async () => {
  await proxy?.close(0);
  await Promise.all([h1?.close(), h2?.close(), rpc?.close()]);
});

describe('requests to TLS backends', () => {
  it.each(
    rows<[string, number, Partial<TlsEcho> | undefined]>([
      ['good.test', 200, { backend: 'tls-h1', sni: 'abc.example.com', alpn: 'http/1.1' }],
      ['wrong-ca.test', 502, undefined],
      ['host-mismatch.test', 502, undefined],
      // The test CA is in no default trust store.
      ['system.test', 502, undefined],
      // No TLS asked for: plain HTTP to a TLS port fails, it is never upgraded behind the config's back.
      ['plain-to-tls.test', 502, undefined],
      // SNI is the server name; the certificate is checked against the subjectAltNames instead.
      ['san-dns.test', 200, { sni: 'sni.example.com' }],
      ['san-dns-mismatch.test', 502, undefined],
      ['san-uri.test', 200, { sni: 'abc.example.com' }],
      ['san-uri-mismatch.test', 502, undefined],
      ['san-multiple.test', 200, {}],
      ['san-multiple-mismatch.test', 502, undefined],
      ['h2.test', 200, { backend: 'tls-h2', alpn: 'h2', httpVersion: '2.0' }],
      ['h2-wrong-ca.test', 502, undefined],
    ]),
  )('%s → %d', async (host, status, echo) => {
    const res = await send(proxy.ports.http, host, '/check');
    expect(res.status).toBe(status);
    if (echo) expect(JSON.parse(res.text)).toMatchObject({ path: '/check', ...echo });
  });

  it('keeps TLS connections to a backend across requests', async () => {
    const before = h1.handshakes();
    for (let i = 0; i < 5; i++) expect((await send(proxy.ports.http, 'good.test', `/again/${i}`)).status).toBe(200);
    expect(h1.handshakes() - before).toBeLessThanOrEqual(1);
  });

  it.each(
    rows<[string, string]>([
      ['wrong-ca.test', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
      ['host-mismatch.test', 'ERR_TLS_CERT_ALTNAME_INVALID'],
      ['san-uri-mismatch.test', 'ERR_TLS_CERT_ALTNAME_INVALID'],
      ['h2-wrong-ca.test', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE'],
    ]),
  )('logs the TLS failure of %s naming the backend and %s, never key material', async (host, code) => {
    await send(proxy.ports.http, host, '/log');
    const lines = logLines.map((l) => JSON.parse(l) as Record<string, unknown>);
    const line = lines.find((l) => l.backend === `default/${host}:443`);
    expect(line).toMatchObject({ level: 40, code, msg: expect.stringContaining('backend TLS failed') });
    expect(logLines.join('\n')).not.toContain('PRIVATE KEY');
  });
});

describe('WebSocket to a TLS backend', () => {
  function exchange(host: string): Promise<string> {
    return new Promise((resolve, reject) => {
      const ws = new WebSocket(`ws://127.0.0.1:${proxy.ports.http}/ws`, { headers: { host } });
      ws.on('open', () => ws.send('hello'));
      ws.on('message', (m: Buffer) => {
        resolve(m.toString());
        ws.close();
      });
      ws.on('unexpected-response', (_req, res) => resolve(`status ${res.statusCode}`));
      ws.on('error', reject);
    });
  }

  it('is tunnelled over a verified TLS connection', async () => {
    expect(await exchange('wss.test')).toBe('tls-h1:hello');
  });

  it('is refused with 502 when the certificate does not verify', async () => {
    expect(await exchange('wss-wrong-ca.test')).toBe('status 502');
  });
});

describe('gRPC to a TLS backend', () => {
  function unary(authority: string): Promise<{ res?: EchoMessage; err?: grpc.ServiceError; served?: unknown }> {
    const client = new EchoClient(`127.0.0.1:${proxy.ports.http}`, grpc.credentials.createInsecure(), {
      'grpc.default_authority': authority,
    });
    return new Promise((resolve) => {
      let served: unknown;
      const call = client.unary({ text: 'hi' }, (err: grpc.ServiceError | null, res?: EchoMessage) =>
        setImmediate(() => {
          client.close();
          resolve({ res, err: err ?? undefined, served });
        }),
      ) as grpc.ClientUnaryCall;
      call.on('status', (s: grpc.StatusObject) => (served = s.metadata.get('x-served-by')));
    });
  }

  it('is carried over HTTP/2 over verified TLS, trailers intact', async () => {
    const { res, err, served } = await unary('grpc.test');
    expect(err).toBeUndefined();
    expect(res?.text).toBe('tls-rpc:hi');
    expect(served).toEqual(['tls-rpc']);
  });

  it('is UNAVAILABLE when the certificate does not verify', async () => {
    const { err } = await unary('grpc-wrong-ca.test');
    expect(err?.code).toBe(grpc.status.UNAVAILABLE);
  });
});
