// Issue 14 item 1: a request path is normalised before matching (percent-encoded unreserved characters
// decoded, dot-segments removed, "//" runs merged, clamped at "/") and the backend sees exactly the path
// that was matched. Encoded slashes / backslashes, raw backslashes, malformed escapes and "..;" segments
// are refused with 400. Each row: request target → status, which rule's backend answered, the path it saw.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import { startEchoBackend, type EchoBackend } from '../support/backends.js';
import { rawGet, rawHttp2, type RawReply } from '../support/raw-http.js';
import { ConfigBuilder, backend, prefix, startTestProxy } from './helpers.js';
import type { RunningProxy } from '../../proxy/index.js';

const HOST = 'www.test';
let proxy: RunningProxy;
/** One backend per rule, named after it: the backend that recorded a request says which rule matched. */
const backends: Record<string, EchoBackend> = {};

beforeAll(async () => {
  for (const name of ['index', 'public', 'rewrite', 'tilde']) backends[name] = await startEchoBackend(name);
  proxy = await startTestProxy();
  const b = new ConfigBuilder();
  b.route(HOST, { path: { type: 'Exact', value: '/public/index.html' } }, b.rule('index', [backend(backends.index!)]));
  b.route(HOST, prefix('/public'), b.rule('public', [backend(backends.public!)]));
  // A route value written with an escaped unreserved character is normalised the same way as requests.
  b.route(HOST, { path: { type: 'Exact', value: '/%7Euser/home' } }, b.rule('tilde', [backend(backends.tilde!)]));
  const rewrite = { type: 'ReplacePrefixMatch' as const, replacePrefixMatch: '/new' };
  b.route(
    HOST,
    prefix('/old'),
    b.rule('rewrite', [backend(backends.rewrite!)], {
      filters: [{ type: 'URLRewrite', urlRewrite: { path: rewrite } }],
    }),
  );
  const redirect = { type: 'ReplacePrefixMatch' as const, replacePrefixMatch: '/went' };
  b.route(
    HOST,
    prefix('/go'),
    b.rule('redirect', [backend(backends.public!)], {
      filters: [{ type: 'RequestRedirect', requestRedirect: { path: redirect } }],
    }),
  );
  expect(proxy.applyConfig(b.build())).toMatchObject({ ok: true });
});

afterAll(async () => {
  await proxy?.close(0);
  await Promise.all(Object.values(backends).map((b) => b.close()));
});

function forgetRequests(): void {
  for (const b of Object.values(backends)) b.requests.length = 0;
}

beforeEach(forgetRequests);

/** [request target, status, rule whose backend answered (or null), path + query that backend saw]. */
type Row = [target: string, status: number, rule: string | null, seen: string | null];

const ROWS: Row[] = [
  // The attacks from the issue: the prefix is escaped, so nothing routes them (only /public is served).
  ['/public/../admin/secret.txt', 404, null, null],
  ['/public/%2e%2e/admin/secret.txt', 404, null, null],
  ['/public/%2E%2E/admin/secret.txt', 404, null, null],
  ['/public/.%2e/admin/secret.txt', 404, null, null],
  ['/public/x/..%2f../admin/secret.txt', 400, null, null],
  ['/public/x/..%2F../admin/secret.txt', 400, null, null],
  ['/public/..%5c..%5cadmin/secret.txt', 400, null, null],
  ['/public/..%5C..%5Cadmin/secret.txt', 400, null, null],
  ['/public\\..\\admin/secret.txt', 400, null, null],
  ['/public/..;/admin/secret.txt', 400, null, null],
  ['/public/%zz', 400, null, null],
  ['/public/%2', 400, null, null],
  ['/../../etc/passwd', 404, null, null],
  // Normalised, then matched: the backend sees the normalised path.
  ['/public/a.txt', 200, 'public', '/public/a.txt'],
  ['/public/./docs/../a.txt', 200, 'public', '/public/a.txt'],
  ['/public/x/../index.html', 200, 'index', '/public/index.html'],
  ['/public/%2e/index.html', 200, 'index', '/public/index.html'],
  ['/%70ublic/%7Euser/a%2Db', 200, 'public', '/public/~user/a-b'],
  ['/public//a///b', 200, 'public', '/public/a/b'],
  ['//public/a', 200, 'public', '/public/a'],
  ['/public/../../../public/a', 200, 'public', '/public/a'],
  ['/public/x/..', 200, 'public', '/public/'],
  ['/public/', 200, 'public', '/public/'],
  ['/public/a..b/...', 200, 'public', '/public/a..b/...'],
  // Reserved and other escapes stay as sent; the query is never touched.
  ['/public/a%20b%3F%25', 200, 'public', '/public/a%20b%3F%25'],
  ['/public/a/../b?next=/../admin&x=%2e%2e/%2f', 200, 'public', '/public/b?next=/../admin&x=%2e%2e/%2f'],
  // Route values are normalised like request paths.
  ['/~user/home', 200, 'tilde', '/~user/home'],
  ['/%7euser/home', 200, 'tilde', '/~user/home'],
  // Filters work on the normalised path.
  ['/old/./a/../b?q=1', 200, 'rewrite', '/new/b?q=1'],
];

function expectRow(reply: RawReply, [, status, rule, seen]: Row): void {
  expect(reply.status).toBe(status);
  const saw = Object.values(backends).flatMap((b) => b.requests.map((r) => `${b.name} ${r.path}`));
  expect(saw).toEqual(rule === null ? [] : [`${rule} ${seen}`]);
  forgetRequests();
}

describe('path normalisation before matching', () => {
  it.each(ROWS)('HTTP/1.1 %s → %i (%s saw %s)', async (...row) => {
    expectRow(await rawGet(proxy.ports.http, HOST, row[0]), row);
  });

  it.each(ROWS)('HTTP/2 %s → %i (%s saw %s)', async (...row) => {
    expectRow(await rawHttp2(proxy.ports.http, HOST, row[0]), row);
  });

  it('gRPC paths are normalised too: an escaped prefix finds no route (grpc-status 12)', async () => {
    const reply = await rawHttp2(proxy.ports.http, HOST, '/public/%2e%2e/admin.Svc/Get', {
      'content-type': 'application/grpc',
    });
    expect(reply.headers['grpc-status']).toBe('12');
    expect(Object.values(backends).every((b) => b.requests.length === 0)).toBe(true);
  });

  it('RequestRedirect builds its Location from the normalised path', async () => {
    const reply = await rawGet(proxy.ports.http, HOST, '/go/x/../y?z=1');
    expect(reply.status).toBe(302);
    expect(reply.headers.location).toBe(`http://${HOST}/went/y?z=1`);
  });

  it('absolute-form: routed by Host, only path and query forwarded; an authority naming another host is 400', async () => {
    expectRow(await rawGet(proxy.ports.http, HOST, `http://${HOST}/public/a/../b?x=1`), [
      '',
      200,
      'public',
      '/public/b?x=1',
    ]);
    expectRow(await rawGet(proxy.ports.http, HOST, `HTTP://WWW.test:80/public/c`), ['', 200, 'public', '/public/c']);
    expectRow(await rawGet(proxy.ports.http, HOST, 'http://internal.test/public/a'), ['', 400, null, null]);
    expectRow(await rawGet(proxy.ports.http, HOST, 'http://www.test@internal.test/public/a'), ['', 400, null, null]);
  });
});
