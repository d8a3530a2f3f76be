// The bench's Node floors (servers/floor.ts) are only a fair floor if they really forward HTTP: each request
// reaches the backend whole and its response comes back whole, on kept-alive connections. Real clients, a
// real backend, the floor as the bench starts it (a child process).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import http from 'node:http';
import http2 from 'node:http2';
import { startEchoBackend, type EchoBackend } from '../support/backends.js';
import { startChild, type Child } from './lib/procs.js';

async function startFloor(kind: 'h1' | 'h2', backend: EchoBackend): Promise<{ child: Child; port: number }> {
  const { child, ready } = await startChild<{ port: number }>(
    'node',
    ['bin/run-ts.mjs', 'test/bench/servers/floor.ts', kind, `http://127.0.0.1:${backend.port}`],
    { readyJson: true },
  );
  return { child, port: ready!.port };
}

function h1(agent: http.Agent, port: number, method: string, path: string, body?: string) {
  return new Promise<{
    status: number;
    headers: http.IncomingHttpHeaders;
    body: string;
    trailers: NodeJS.Dict<string>;
  }>((resolve, reject) => {
    const req = http.request({ host: '127.0.0.1', port, method, path, agent }, (res) => {
      let text = '';
      res.setEncoding('utf8').on('data', (c: string) => (text += c));
      res.on('end', () =>
        resolve({ status: res.statusCode!, headers: res.headers, body: text, trailers: res.trailers }),
      );
    });
    req.on('error', reject);
    req.end(body);
  });
}

describe('the HTTP/1.1 floor (raw sockets + llhttp)', () => {
  let backend: EchoBackend;
  let floor: { child: Child; port: number };
  const agent = new http.Agent({ keepAlive: true, maxSockets: 1 });

  beforeAll(async () => {
    backend = await startEchoBackend('floor-backend');
    floor = await startFloor('h1', backend);
  }, 60_000);
  afterAll(async () => {
    agent.destroy();
    await floor?.child.stop();
    await backend?.close();
  });

  it('forwards requests one after another on one kept-alive connection each side', async () => {
    for (let i = 0; i < 5; i++) {
      const res = await h1(agent, floor.port, 'GET', `/item?id=${i}`);
      expect(res.status).toBe(200);
      expect(JSON.parse(res.body)).toMatchObject({ backend: 'floor-backend', method: 'GET', path: `/item?id=${i}` });
    }
    expect(backend.connections()).toBe(1);
  });

  it('forwards request bodies, fixed-length and chunked, whole', async () => {
    const fixed = await h1(agent, floor.port, 'POST', '/upload', 'x'.repeat(70_000));
    expect(JSON.parse(fixed.body)).toMatchObject({ method: 'POST', body: 'x'.repeat(70_000) });
    const chunked = await new Promise<string>((resolve, reject) => {
      const req = http.request(
        { host: '127.0.0.1', port: floor.port, method: 'PUT', path: '/chunks', agent },
        (res) => {
          let text = '';
          res.setEncoding('utf8').on('data', (c: string) => (text += c));
          res.on('end', () => resolve(text));
        },
      );
      req.on('error', reject);
      req.write('first,');
      setImmediate(() => req.end('second'));
    });
    expect(JSON.parse(chunked)).toMatchObject({ method: 'PUT', body: 'first,second' });
  });

  it('ends each exchange where the response ends: HEAD, a streamed chunked body, trailers', async () => {
    const head = await h1(agent, floor.port, 'HEAD', '/head');
    expect(head.status).toBe(200);
    expect(head.body).toBe('');
    const streamed = await h1(agent, floor.port, 'GET', '/stream/3');
    expect(streamed.body.length).toBeGreaterThan(0);
    const withTrailers = await h1(agent, floor.port, 'GET', '/trailers');
    expect(withTrailers.body).toBe('body');
    expect(withTrailers.trailers['x-checksum']).toBe('abc123');
    // Still in step after all of them: the next answer is this request's.
    expect(JSON.parse((await h1(agent, floor.port, 'GET', '/after')).body)).toMatchObject({ path: '/after' });
  });

  it('serves clients concurrently, each answer its own', async () => {
    const many = new http.Agent({ keepAlive: true, maxSockets: 8 });
    const paths = Array.from({ length: 40 }, (_, i) => `/concurrent/${i}`);
    const answers = await Promise.all(paths.map((p) => h1(many, floor.port, 'GET', p)));
    many.destroy();
    expect(answers.map((a) => (JSON.parse(a.body) as { path: string }).path)).toEqual(paths);
  });
});

describe('the HTTP/2 floor (bare node:http2)', () => {
  let backend: EchoBackend;
  let floor: { child: Child; port: number };

  beforeAll(async () => {
    backend = await startEchoBackend('floor-h2', { protocol: 'h2c' });
    floor = await startFloor('h2', backend);
  }, 60_000);
  afterAll(async () => {
    await floor?.child.stop();
    await backend?.close();
  });

  function call(session: http2.ClientHttp2Session, path: string, body?: string) {
    return new Promise<{ status: number; body: string; trailers: http2.IncomingHttpHeaders }>((resolve, reject) => {
      const stream = session.request({ ':method': body === undefined ? 'GET' : 'POST', ':path': path });
      let status = 0;
      let text = '';
      let trailers: http2.IncomingHttpHeaders = {};
      stream.on('response', (h) => (status = Number(h[':status'])));
      stream.on('trailers', (t) => (trailers = t));
      stream.setEncoding('utf8').on('data', (c: string) => (text += c));
      stream.on('end', () => resolve({ status, body: text, trailers }));
      stream.on('error', reject);
      stream.end(body);
    });
  }

  it('relays streams with their bodies and trailers over one session each side', async () => {
    const session = http2.connect(`http://127.0.0.1:${floor.port}`);
    try {
      const posted = await call(session, '/echo', 'payload');
      expect(posted.status).toBe(200);
      expect(JSON.parse(posted.body)).toMatchObject({ backend: 'floor-h2', method: 'POST', body: 'payload' });
      const withTrailers = await call(session, '/trailers');
      expect(withTrailers.body).toBe('body');
      expect(withTrailers.trailers['x-checksum']).toBe('abc123');
      const paths = Array.from({ length: 20 }, (_, i) => `/stream-${i}`);
      const answers = await Promise.all(paths.map((p) => call(session, p)));
      expect(answers.map((a) => (JSON.parse(a.body) as { path: string }).path)).toEqual(paths);
      expect(backend.connections()).toBe(1);
    } finally {
      session.close();
    }
  });

  it('keeps serving after clients cancel streams whose answers are still on the way', async () => {
    // As h2load leaves calls in flight when a run ends: the backend's answer comes to a stream already gone.
    const session = http2.connect(`http://127.0.0.1:${floor.port}`);
    try {
      for (let i = 0; i < 5; i++) {
        const cancelled = session.request({ ':method': 'GET', ':path': '/delay/100' });
        cancelled.on('error', () => undefined);
        setTimeout(() => cancelled.close(http2.constants.NGHTTP2_CANCEL), 20);
      }
      await new Promise((resolve) => setTimeout(resolve, 300));
      const after = await call(session, '/after');
      expect(JSON.parse(after.body)).toMatchObject({ path: '/after' });
    } finally {
      session.close();
    }
  });
});
