// Pure routing pieces: host normalization and lookup, path/header/query/method matching, weighted choice.
import { describe, expect, it, jest } from '@jest/globals';
import { authorityPort, BAD_PORT, HostTable, hostPort, NO_PORT, normalizeHost } from '../../proxy/router/host.js';
import { ListenerHosts } from '../../proxy/router/ports.js';
import { compileMatch, matches, pathHasPrefix, RequestMatchInput, type MatchInput } from '../../proxy/router/match.js';
import { compileTable } from '../../proxy/router/table.js';
import { nextEndpoint, pickBackend, persistedToken, persistenceHeader } from '../../proxy/router/select.js';
import { UpstreamRegistry } from '../../proxy/forward/upstream.js';
import { DEFAULT_LIMITS } from '../../proxy/limits.js';
import { parseProxyConfig, type ProxyMatch } from '../../proxy/config/schema.js';

describe('normalizeHost', () => {
  it.each([
    ['App.Example.COM', 'app.example.com'], // case-insensitive
    ['app.example.com:8443', 'app.example.com'], // port stripped
    ['app.example.com.', 'app.example.com'], // trailing dot (FQDN) stripped
    ['app.example.com.:80', 'app.example.com'],
    ['[::1]:8080', '[::1]'],
    ['', ''],
  ])('%s → %s', (raw, want) => expect(normalizeHost(raw)).toBe(want));

  it.each([
    ['a.com:8443', 8443],
    ['a.com', undefined],
    ['[::1]', undefined],
    ['[::1]:99', 99],
  ])('port of %s is %s', (raw, want) => expect(hostPort(raw)).toBe(want));

  it.each([
    ['a.com:8080', 8080],
    ['a.com:080', 80],
    ['a.com', NO_PORT],
    ['a.com:', NO_PORT], // empty port: none (RFC 3986)
    ['[::1]:99', 99],
    ['[::1]', NO_PORT],
    ['a.com:0', BAD_PORT],
    ['a.com:65536', BAD_PORT],
    ['a.com:99999999999999999999', BAD_PORT],
    ['a.com:0x50', BAD_PORT],
    ['a.com: 80', BAD_PORT],
    ['a.com:-1', BAD_PORT],
  ])('authorityPort(%s) is %s', (raw, want) => expect(authorityPort(raw)).toBe(want));
});

describe('ListenerHosts', () => {
  const hosts = new ListenerHosts<string>();
  hosts.addPort(9000); // a listener port with nothing on it
  hosts.add('a.com', [80], 'a80');
  hosts.add('a.com', [8080, 443], 'a8080+443');
  hosts.add('*.a.com', [8080], 'wild8080');
  hosts.add('only443.com', [443], 'only443');
  hosts.add('only80.com', [80], 'only80');
  it.each<[string, number, boolean, string | undefined]>([
    ['a.com', NO_PORT, false, 'a80'], // cleartext: 80
    ['a.com', NO_PORT, true, 'a8080+443'], // TLS: 443
    ['a.com', 8080, false, 'a8080+443'],
    ['x.a.com', 8080, false, 'wild8080'],
    ['x.a.com', NO_PORT, false, undefined], // the wildcard is on 8080 only
    ['a.com', 9000, false, undefined], // a listener port: only its own entries, never another port's
    ['a.com', 1234, false, 'a80'], // no listener on 1234: as if no port was named
    ['a.com', 1234, true, 'a8080+443'],
    ['only443.com', NO_PORT, false, 'only443'], // nothing on 80 for it: 443
    ['only80.com', NO_PORT, true, 'only80'], // nothing on 443 for it: 80
    ['only80.com', 443, false, undefined], // named: no falling back
    ['s', 9000, false, undefined], // a single-label host no entry names: not on the empty port either
  ])('%s port %s (TLS %s) → %s', (host, port, tls, want) => expect(hosts.lookup(host, port, tls)).toBe(want));

  it('a lookup without a port or TLS flag is a cleartext request without a port: port 80', () => {
    expect(hosts.lookup('a.com')).toBe('a80');
    expect(hosts.lookup('a.com', 1234)).toBe('a80');
  });

  it('entries without ports serve every port, in config order with the ported ones', () => {
    const t = new ListenerHosts<string>();
    t.add('a.com', undefined, 'any-first');
    t.add('a.com', [8080], 'a8080');
    t.add('b.com', [8080], 'b8080');
    t.add('b.com', undefined, 'any-later');
    expect(t.lookup('a.com', 8080)).toBe('any-first'); // first for (8080, a.com)
    expect(t.lookup('b.com', 8080)).toBe('b8080');
    expect(t.lookup('b.com')).toBe('any-later');
    expect(t.lookup('a.com', 5555)).toBe('any-first');
  });
});

describe('HostTable', () => {
  const table = new HostTable<string>();
  table.add('a.com', 'exact-a');
  table.add('*.a.com', 'wild-a');
  table.add('*.b.a.com', 'wild-b');
  table.add('x.b.a.com', 'exact-x');
  table.add('*', 'any');
  it.each([
    ['a.com', 'exact-a'], // the apex never matches its wildcard
    ['x.b.a.com', 'exact-x'], // exact beats wildcard
    ['y.b.a.com', 'wild-b'], // longest suffix wins
    ['deep.y.b.a.com', 'wild-b'], // wildcards match any depth
    ['q.a.com', 'wild-a'],
    ['b.a.com', 'wild-a'], // "*.b.a.com" does not match "b.a.com"
    ['other.org', 'any'],
    ['aa.com', 'any'], // suffix match is per label, not per character
  ])('%s → %s', (host, want) => expect(table.lookup(host)).toBe(want));

  it('without "*" an unknown host finds nothing', () => {
    const t = new HostTable<string>();
    t.add('*.a.com', 'w');
    expect(t.lookup('a.com')).toBeUndefined();
    expect(t.lookup('xa.com')).toBeUndefined();
  });
});

describe('pathHasPrefix is segment-aware', () => {
  it.each([
    ['/foo', '/foo', true],
    ['/foo/', '/foo', true],
    ['/foo/bar', '/foo', true],
    ['/foobar', '/foo', false],
    ['/fo', '/foo', false],
  ])('%s under %s: %s', (path, pre, want) => expect(pathHasPrefix(path, pre)).toBe(want));
});

function input(
  path: string,
  opts: { method?: string; headers?: Record<string, string>; query?: string } = {},
): MatchInput {
  return new RequestMatchInput(opts.method ?? 'GET', path, opts.headers ?? {}, opts.query ?? '');
}

describe('matches', () => {
  const cases: Array<[string, ProxyMatch, MatchInput, boolean]> = [
    ['Exact equal', { path: { type: 'Exact', value: '/a' } }, input('/a'), true],
    ['Exact with trailing slash differs', { path: { type: 'Exact', value: '/a' } }, input('/a/'), false],
    ['PathPrefix "/v1/" matches "/v1"', { path: { type: 'PathPrefix', value: '/v1/' } }, input('/v1'), true],
    [
      'PathPrefix "/" matches everything',
      { path: { type: 'PathPrefix', value: '/' } },
      input('/anything/at/all'),
      true,
    ],
    ['PathPrefix "/v1" does not match "/v10"', { path: { type: 'PathPrefix', value: '/v1' } }, input('/v10'), false],
    ['Regex is a full match', { path: { type: 'RegularExpression', value: '/u/[0-9]+' } }, input('/u/42'), true],
    [
      'Regex does not match a substring',
      { path: { type: 'RegularExpression', value: '/u/[0-9]+' } },
      input('/x/u/42'),
      false,
    ],
    [
      'Regex is matched as written, not normalised like a path ("." is any character, not a dot-segment)',
      { path: { type: 'RegularExpression', value: '/a/./b' } },
      input('/a/x/b'),
      true,
    ],
    ['method must be equal', { method: 'POST' }, input('/', { method: 'GET' }), false],
    ['method matches', { method: 'POST' }, input('/', { method: 'POST' }), true],
    [
      'header exact',
      { headers: [{ type: 'Exact', name: 'x-env', value: 'canary' }] },
      input('/', { headers: { 'x-env': 'canary' } }),
      true,
    ],
    [
      'header name is case-insensitive',
      { headers: [{ type: 'Exact', name: 'X-Env', value: 'canary' }] },
      input('/', { headers: { 'x-env': 'canary' } }),
      true,
    ],
    [
      'header value is case-sensitive',
      { headers: [{ type: 'Exact', name: 'x-env', value: 'canary' }] },
      input('/', { headers: { 'x-env': 'Canary' } }),
      false,
    ],
    ['header missing', { headers: [{ type: 'Exact', name: 'x-env', value: 'canary' }] }, input('/'), false],
    [
      'header Exact is literal, not a pattern',
      { headers: [{ type: 'Exact', name: 'x-v', value: 'a.c' }] },
      input('/', { headers: { 'x-v': 'abc' } }),
      false,
    ],
    [
      'header Exact with pattern characters matches itself',
      { headers: [{ type: 'Exact', name: 'x-v', value: '1+1' }] },
      input('/', { headers: { 'x-v': '1+1' } }),
      true,
    ],
    [
      'repeated header lines are one value, joined by ", " (RFC 9110 §5.3)',
      { headers: [{ type: 'Exact', name: 'x-v', value: '1, 2' }] },
      new RequestMatchInput('GET', '/', { 'x-v': ['1', '2'] }, ''),
      true,
    ],
    [
      'repeated header lines matched by a regex over the joined value',
      { headers: [{ type: 'RegularExpression', name: 'x-v', value: '1, 2' }] },
      new RequestMatchInput('GET', '/', { 'x-v': ['1', '2'] }, ''),
      true,
    ],
    [
      'header regex',
      { headers: [{ type: 'RegularExpression', name: 'x-v', value: 'v[12]' }] },
      input('/', { headers: { 'x-v': 'v2' } }),
      true,
    ],
    [
      'all headers must match',
      {
        headers: [
          { type: 'Exact', name: 'a', value: '1' },
          { type: 'Exact', name: 'b', value: '2' },
        ],
      },
      input('/', { headers: { a: '1' } }),
      false,
    ],
    ['query exact', { queryParams: [{ type: 'Exact', name: 'q', value: 'x' }] }, input('/', { query: '?q=x' }), true],
    [
      'query names are case-sensitive',
      { queryParams: [{ type: 'Exact', name: 'Q', value: 'x' }] },
      input('/', { query: '?q=x' }),
      false,
    ],
    [
      'query first value counts',
      { queryParams: [{ type: 'Exact', name: 'q', value: 'x' }] },
      input('/', { query: '?q=y&q=x' }),
      false,
    ],
    [
      'query Exact is literal, not a pattern',
      { queryParams: [{ type: 'Exact', name: 'q', value: 'a.c' }] },
      input('/', { query: '?q=abc' }),
      false,
    ],
    [
      'query regex',
      { queryParams: [{ type: 'RegularExpression', name: 'id', value: '[a-f]+' }] },
      input('/', { query: '?id=beef' }),
      true,
    ],
    [
      'everything together',
      {
        path: { type: 'PathPrefix', value: '/api' },
        method: 'PUT',
        headers: [{ type: 'Exact', name: 'h', value: 'v' }],
        queryParams: [{ type: 'Exact', name: 'k', value: '1' }],
      },
      input('/api/x', { method: 'PUT', headers: { h: 'v' }, query: '?k=1' }),
      true,
    ],
  ];
  it.each(cases)('%s', (_name, match, req, want) => expect(matches(compileMatch(match, null), req)).toBe(want));

  it('parses the query only for a match with query conditions (only hosts with query matches pay for it)', () => {
    let parsed = 0;
    const req: MatchInput = {
      method: 'GET',
      path: '/a',
      headers: { h: 'v' },
      regexWorkLeft: 1_000,
      query: () => {
        parsed++;
        return new URLSearchParams('?k=1');
      },
    };
    expect(
      matches(
        compileMatch(
          { path: { type: 'PathPrefix', value: '/a' }, headers: [{ type: 'Exact', name: 'h', value: 'v' }] },
          null,
        ),
        req,
      ),
    ).toBe(true);
    expect(parsed).toBe(0);
    expect(matches(compileMatch({ queryParams: [{ type: 'Exact', name: 'k', value: '1' }] }, null), req)).toBe(true);
    expect(parsed).toBe(1);
  });

  it('reports the PathPrefix value for ReplacePrefixMatch', () => {
    expect(compileMatch({ path: { type: 'PathPrefix', value: '/api/' } }, null).matchedPrefix).toBe('/api/');
    expect(compileMatch({ path: { type: 'Exact', value: '/api' } }, null).matchedPrefix).toBeUndefined();
  });

  it('refuses a regex RE2 cannot run (backreference)', () => {
    expect(() => compileMatch({ path: { type: 'RegularExpression', value: '(a)\\1' } }, null)).toThrow();
  });
});

describe('weighted choice', () => {
  const registry = new UpstreamRegistry(DEFAULT_LIMITS);
  const ep = [{ address: '127.0.0.1', port: 9 }];
  const table = compileTable(
    parseProxyConfig({
      version: 'w',
      rules: [
        {
          id: 'r',
          kind: 'http',
          backends: [
            { name: 'a', weight: 3, endpoints: ep },
            { name: 'zero', weight: 0, endpoints: ep },
            { name: 'b', weight: 1, endpoints: ep },
          ],
          sessionPersistence: { type: 'Cookie', name: 'pin' },
        },
      ],
      hosts: [{ hostname: '*', matches: [{ match: {}, rule: 0 }] }],
    }),
    registry,
  );
  const rule = table.hosts.lookup('x')!.matches[0]!.rule;

  it('follows the weights and never picks weight 0', () => {
    const counts: Record<string, number> = { a: 0, b: 0, zero: 0 };
    for (let i = 0; i < 20_000; i++) counts[pickBackend(rule, undefined)!.name]!++;
    expect(counts.zero).toBe(0);
    expect(counts.a! / 20_000).toBeGreaterThan(0.72);
    expect(counts.a! / 20_000).toBeLessThan(0.78);
  });

  it('honours a persisted backend named by the cookie', () => {
    const b = rule.backends.find((x) => x.name === 'b')!;
    const token = persistedToken(rule, { cookie: `other=1; pin=${b.token}` });
    expect(token).toBe(b.token);
    for (let i = 0; i < 50; i++) expect(pickBackend(rule, token)!.name).toBe('b');
  });

  it("gives each backend the draws in [its start, its end): a draw on a boundary is the next backend's", () => {
    const random = jest.spyOn(Math, 'random');
    try {
      random.mockReturnValue(0.75); // 0.75 × total weight 4 = 3, where a's share [0, 3) ends
      expect(pickBackend(rule, undefined)!.name).toBe('b');
      random.mockReturnValue(0.7499);
      expect(pickBackend(rule, undefined)!.name).toBe('a');
    } finally {
      random.mockRestore();
    }
  });

  it('reaches the last of four backends with the top draws', () => {
    const four = compileTable(
      parseProxyConfig({
        version: 'w4',
        rules: [
          { id: 'r', kind: 'http', backends: ['a', 'b', 'c', 'd'].map((name) => ({ name, weight: 1, endpoints: ep })) },
        ],
        hosts: [{ hostname: '*', matches: [{ match: {}, rule: 0 }] }],
      }),
      registry,
    ).hosts.lookup('x')!.matches[0]!.rule;
    const random = jest.spyOn(Math, 'random');
    try {
      for (const [draw, name] of [
        [0, 'a'],
        [0.25, 'b'],
        [0.5, 'c'],
        [0.75, 'd'],
        [0.999, 'd'],
      ] as const) {
        random.mockReturnValue(draw);
        expect(pickBackend(four, undefined)?.name).toBe(name);
      }
    } finally {
      random.mockRestore();
    }
  });

  it('ignores a persisted token that names nothing (or a weight-0 backend)', () => {
    const zero = rule.backends.find((x) => x.name === 'zero')!;
    for (let i = 0; i < 50; i++) expect(pickBackend(rule, zero.token)!.name).not.toBe('zero');
    expect(['a', 'b']).toContain(pickBackend(rule, 'bogus')!.name);
  });
});

describe('session persistence with an absolute timeout', () => {
  const table = compileTable(
    parseProxyConfig({
      version: 'p',
      rules: [
        {
          id: 'r',
          kind: 'http',
          backends: [{ name: 'ns/a:80', weight: 1, endpoints: [{ address: '127.0.0.1', port: 9 }] }],
          sessionPersistence: { type: 'Cookie', name: 'sid', absoluteTimeoutMs: 60_000, lifetime: 'Permanent' },
        },
      ],
      hosts: [{ hostname: '*', matches: [{ match: {}, rule: 0 }] }],
    }),
    new UpstreamRegistry(DEFAULT_LIMITS),
  );
  const rule = table.hosts.lookup('x')!.matches[0]!.rule;
  const a = rule.backends[0]!;
  const t0 = Date.UTC(2026, 0, 1);
  const [, setCookie] = persistenceHeader(rule, a, t0)!;
  const cookie = setCookie.split(';')[0]!;

  it('sets Max-Age for a permanent cookie', () => expect(setCookie).toContain('; Max-Age=60'));
  it('is honoured within the timeout', () => expect(persistedToken(rule, { cookie }, t0 + 30_000)).toBe(a.token));
  it('is ignored once expired', () => expect(persistedToken(rule, { cookie }, t0 + 120_000)).toBeUndefined());
  it('is ignored without an issue time', () =>
    expect(persistedToken(rule, { cookie: `sid=${a.token}` }, t0)).toBeUndefined());
  it('is honoured up to and including the last millisecond of the timeout', () => {
    expect(persistedToken(rule, { cookie }, t0 + 60_000)).toBe(a.token);
    expect(persistedToken(rule, { cookie }, t0 + 60_001)).toBeUndefined();
  });
  it('counts from the whole second the cookie was issued in', () => {
    const [, late] = persistenceHeader(rule, a, t0 + 999)!;
    expect(persistedToken(rule, { cookie: late.split(';')[0]! }, t0 + 60_000)).toBe(a.token);
  });
  it('no cookie header: no persisted backend', () => expect(persistedToken(rule, {}, t0)).toBeUndefined());
});

describe('session persistence sources', () => {
  const compile = (persistence?: { type: 'Cookie' | 'Header'; name: string }) =>
    compileTable(
      parseProxyConfig({
        version: 'p',
        rules: [
          {
            id: 'r',
            kind: 'http',
            backends: [
              { name: 'a', weight: 1, endpoints: [{ address: '127.0.0.1', port: 9 }] },
              { name: 'b', weight: 1, endpoints: [{ address: '127.0.0.1', port: 10 }] },
            ],
            sessionPersistence: persistence,
          },
        ],
        hosts: [{ hostname: '*', matches: [{ match: {}, rule: 0 }] }],
      }),
      new UpstreamRegistry(DEFAULT_LIMITS),
    ).hosts.lookup('x')!.matches[0]!.rule;

  it('reads the cookie from several cookie header lines (HTTP/2 splits them, RFC 9113 §8.2.3)', () => {
    const rule = compile({ type: 'Cookie', name: 'pin' });
    const b = rule.backends[1]!;
    expect(persistedToken(rule, { cookie: ['other=1', `pin=${b.token}`] })).toBe(b.token);
    expect(persistedToken(rule, { cookie: ['other=1', 'x=2'] })).toBeUndefined();
    expect(persistedToken(rule, {})).toBeUndefined();
  });

  it('pins with the backend token as is when sessions do not expire: a cookie, or the header itself', () => {
    const cookie = compile({ type: 'Cookie', name: 'pin' });
    expect(persistenceHeader(cookie, cookie.backends[1]!)).toEqual([
      'set-cookie',
      `pin=${cookie.backends[1]!.token}; Path=/; HttpOnly`,
    ]);
    const header = compile({ type: 'Header', name: 'X-Pin' });
    expect(persistenceHeader(header, header.backends[0]!)).toEqual(['x-pin', header.backends[0]!.token]);
    const none = compile();
    expect(persistenceHeader(none, none.backends[0]!)).toBeUndefined();
  });

  it('reads a persistence header; repeated, its first line counts', () => {
    const rule = compile({ type: 'Header', name: 'x-pin' });
    const [a, b] = rule.backends;
    expect(persistedToken(rule, { 'x-pin': b!.token })).toBe(b!.token);
    expect(persistedToken(rule, { 'x-pin': [a!.token, b!.token] })).toBe(a!.token);
    expect(persistedToken(rule, {})).toBeUndefined();
  });

  it("round-robins over a backend's endpoints", () => {
    const backend = compileTable(
      parseProxyConfig({
        version: 'e',
        rules: [
          {
            id: 'r',
            kind: 'http',
            backends: [
              {
                name: 'two',
                weight: 1,
                endpoints: [
                  { address: '127.0.0.1', port: 9 },
                  { address: '127.0.0.1', port: 10 },
                ],
              },
            ],
          },
        ],
        hosts: [{ hostname: '*', matches: [{ match: {}, rule: 0 }] }],
      }),
      new UpstreamRegistry(DEFAULT_LIMITS),
    ).hosts.lookup('x')!.matches[0]!.rule.backends[0]!;
    const [e0, e1] = backend.endpoints;
    expect(e0).not.toBe(e1);
    const picked = [1, 2, 3, 4].map(() => nextEndpoint(backend));
    [e0, e1, e0, e1].forEach((want, i) => expect(picked[i]).toBe(want));
  });
});
