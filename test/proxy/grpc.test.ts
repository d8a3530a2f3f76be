// gRPC through the proxy with @grpc/grpc-js on both sides: unary, the three streaming kinds, status codes
// and custom trailers, trailers-only answers, deadlines, unknown methods, and the TLS port.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http2 from 'node:http2';
import * as grpc from '@grpc/grpc-js';
import selfsigned from 'selfsigned';
import { EchoClient, startGrpcBackend, type EchoMessage, type GrpcBackend } from '../support/backends.js';
import { ConfigBuilder, backend, prefix, startTestProxy } from './helpers.js';
import type { RunningProxy } from '../../proxy/index.js';

let proxy: RunningProxy;
let rpc: GrpcBackend;
const pems = selfsigned.generate([{ name: 'commonName', value: 'grpc.example.com' }], { days: 1, keySize: 2048 });

beforeAll(async () => {
  rpc = await startGrpcBackend('rpc');
  proxy = await startTestProxy({
    tlsListen: { host: '127.0.0.1', port: 0 },
    tls: { cert: pems.cert, key: pems.private },
  });
  const b = new ConfigBuilder();
  b.route('grpc.example.com', prefix('/test.Echo/'), b.rule('grpc/default/echo/0', [backend(rpc)], { kind: 'grpc' }));
  b.route(
    'grpc.example.com',
    prefix('/test.Missing/'),
    b.rule('grpc/default/missing/0', [backend(rpc)], { kind: 'grpc' }),
  );
  expect(proxy.applyConfig(b.build()).ok).toBe(true);
});

afterAll(async () => {
  await proxy?.close(0);
  await rpc?.close();
});

describe('gRPC through the proxy', () => {
  let client: InstanceType<typeof EchoClient>;
  type Call = (
    req: EchoMessage,
    md: grpc.Metadata,
    opts: grpc.CallOptions,
    cb: (err: grpc.ServiceError | null, res?: EchoMessage) => void,
  ) => grpc.ClientUnaryCall;
  const unary = (req: EchoMessage, md = new grpc.Metadata(), opts: grpc.CallOptions = {}) =>
    new Promise<{ res?: EchoMessage; err?: grpc.ServiceError; trailers?: grpc.Metadata }>((resolve) => {
      let trailers: grpc.Metadata | undefined;
      const call = (client.unary as unknown as Call).call(client, req, md, opts, (err, res) =>
        setImmediate(() => resolve({ res, err: err ?? undefined, trailers })),
      );
      call.on('status', (s: grpc.StatusObject) => (trailers = s.metadata));
    });

  beforeAll(() => {
    client = new EchoClient(`127.0.0.1:${proxy.ports.http}`, grpc.credentials.createInsecure(), {
      'grpc.default_authority': 'grpc.example.com',
    });
  });
  afterAll(() => client?.close());

  it('unary call, with the backend trailers intact', async () => {
    const { res, err, trailers } = await unary({ text: 'hi' });
    expect(err).toBeUndefined();
    expect(res?.text).toBe('rpc:hi');
    expect(trailers?.get('x-served-by')).toEqual(['rpc']);
  });

  it('error status, message and custom trailers (trailers-only response)', async () => {
    const { err } = await unary({ text: 'boom', failCode: grpc.status.FAILED_PRECONDITION });
    expect(err?.code).toBe(grpc.status.FAILED_PRECONDITION);
    expect(err?.details).toBe('asked to fail: boom');
    expect(err?.metadata.get('x-error-detail')).toEqual(['failed:boom']);
  });

  it('server streaming', async () => {
    const call = client.serverStream({ text: 's', count: 4 } as EchoMessage) as grpc.ClientReadableStream<EchoMessage>;
    const got: string[] = [];
    for await (const m of call as AsyncIterable<EchoMessage>) got.push(m.text);
    expect(got).toEqual(['rpc:s:0', 'rpc:s:1', 'rpc:s:2', 'rpc:s:3']);
  });

  it('client streaming', async () => {
    const res = await new Promise<EchoMessage>((resolve, reject) => {
      const call = (
        client.clientStream as unknown as (
          cb: (e: grpc.ServiceError | null, r?: EchoMessage) => void,
        ) => grpc.ClientWritableStream<EchoMessage>
      ).call(client, (e, r) => (e ? reject(e) : resolve(r!)));
      for (const t of ['a', 'b', 'c']) call.write({ text: t });
      call.end();
    });
    expect(res.text).toBe('rpc:a,b,c');
  });

  it('bidi streaming, message by message', async () => {
    const call = client.bidi() as grpc.ClientDuplexStream<EchoMessage, EchoMessage>;
    const replies: string[] = [];
    for (const t of ['one', 'two', 'three']) {
      const next = new Promise<EchoMessage>((resolve) => call.once('data', resolve));
      call.write({ text: t });
      replies.push((await next).text); // the reply arrives before the next write: real streaming
    }
    call.end();
    expect(replies).toEqual(['rpc:one', 'rpc:two', 'rpc:three']);
  });

  it('passes the deadline (grpc-timeout) to the backend', async () => {
    const before = rpc.calls.length;
    const deadline = Date.now() + 5_000;
    const { err } = await unary({ text: 'd' }, new grpc.Metadata(), { deadline });
    expect(err).toBeUndefined();
    const seen = rpc.calls[before]!.deadline;
    expect(typeof seen === 'number' || seen instanceof Date).toBe(true);
    expect(Math.abs(Number(seen) - deadline)).toBeLessThan(1_000);
  });

  it('a method no route matches → UNIMPLEMENTED from the proxy', async () => {
    const Other = grpc.makeGenericClientConstructor(
      { call: { ...EchoClient.service.unary, path: '/test.Other/Call' } },
      'test.Other',
    );
    const other = new Other(`127.0.0.1:${proxy.ports.http}`, grpc.credentials.createInsecure(), {
      'grpc.default_authority': 'grpc.example.com',
    });
    try {
      const err = await new Promise<grpc.ServiceError | null>((resolve) =>
        (other as unknown as { call: (r: EchoMessage, cb: (e: grpc.ServiceError | null) => void) => void }).call(
          { text: 'x' },
          resolve,
        ),
      );
      expect(err?.code).toBe(grpc.status.UNIMPLEMENTED);
    } finally {
      other.close();
    }
  });

  it('a routed method the backend lacks → UNIMPLEMENTED from the backend', async () => {
    const Missing = grpc.makeGenericClientConstructor(
      { call: { ...EchoClient.service.unary, path: '/test.Missing/Call' } },
      'test.Missing',
    );
    const missing = new Missing(`127.0.0.1:${proxy.ports.http}`, grpc.credentials.createInsecure(), {
      'grpc.default_authority': 'grpc.example.com',
    });
    try {
      const err = await new Promise<grpc.ServiceError | null>((resolve) =>
        (missing as unknown as { call: (r: EchoMessage, cb: (e: grpc.ServiceError | null) => void) => void }).call(
          { text: 'x' },
          resolve,
        ),
      );
      expect(err?.code).toBe(grpc.status.UNIMPLEMENTED);
      expect(rpc.calls.some((c) => c.method === 'missing')).toBe(false);
    } finally {
      missing.close();
    }
  });

  it('trailers-only answers stay one HEADERS frame with END_STREAM (proxy no-match and backend error)', async () => {
    const session = http2.connect(`http://127.0.0.1:${proxy.ports.http}`);
    const call = (path: string, msg: EchoMessage) =>
      new Promise<{ headers: http2.IncomingHttpHeaders; endStream: boolean; trailersEvent: boolean }>(
        (resolve, reject) => {
          const req = session.request({
            ':method': 'POST',
            ':path': path,
            ':authority': 'grpc.example.com',
            'content-type': 'application/grpc',
            te: 'trailers',
          });
          let result: { headers: http2.IncomingHttpHeaders; endStream: boolean; trailersEvent: boolean } | undefined;
          req.on(
            'response',
            (headers, flags) =>
              (result = {
                headers,
                endStream: (flags & http2.constants.NGHTTP2_FLAG_END_STREAM) !== 0,
                trailersEvent: false,
              }),
          );
          req.on('trailers', () => result && (result.trailersEvent = true));
          req.on('close', () => (result ? resolve(result) : reject(new Error('no response'))));
          req.on('error', reject);
          req.resume();
          const payload = Buffer.from(JSON.stringify(msg));
          const frame = Buffer.alloc(5 + payload.length);
          frame.writeUInt32BE(payload.length, 1);
          payload.copy(frame, 5);
          req.end(frame);
        },
      );
    try {
      const fromProxy = await call('/nowhere.Svc/Call', { text: 'x' });
      expect(fromProxy.headers[':status']).toBe(200);
      expect(fromProxy.headers['grpc-status']).toBe('12');
      expect(fromProxy.endStream).toBe(true);
      const fromBackend = await call('/test.Echo/Unary', { text: 'y', failCode: grpc.status.NOT_FOUND });
      expect(fromBackend.headers['grpc-status']).toBe(String(grpc.status.NOT_FOUND));
      expect(fromBackend.endStream).toBe(true);
      expect(fromBackend.trailersEvent).toBe(false);
    } finally {
      session.close();
    }
  });

  it('works over the TLS port too', async () => {
    const tlsClient = new EchoClient(
      `127.0.0.1:${proxy.ports.tls}`,
      grpc.credentials.createSsl(Buffer.from(pems.cert)),
      {
        'grpc.default_authority': 'grpc.example.com',
        'grpc.ssl_target_name_override': 'grpc.example.com',
      },
    );
    try {
      const res = await new Promise<EchoMessage>((resolve, reject) =>
        (
          tlsClient as unknown as {
            unary: (r: EchoMessage, cb: (e: grpc.ServiceError | null, r?: EchoMessage) => void) => void;
          }
        ).unary({ text: 'secure' }, (e, r) => (e ? reject(e) : resolve(r!))),
      );
      expect(res.text).toBe('rpc:secure');
    } finally {
      tlsClient.close();
    }
  });
});
