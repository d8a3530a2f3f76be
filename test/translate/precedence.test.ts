import { describe, expect, it } from '@jest/globals';
import { grpcMatch, httpMatch } from '../../src/translate/matches.js';
import { compareMatches, type MatchEntry } from '../../src/translate/precedence.js';

type Spec = {
  host?: string;
  match?: Record<string, unknown>;
  grpc?: Record<string, unknown>;
  ts?: string;
  ns?: string;
  name?: string;
  rule?: number;
  idx?: number;
};

function entry(s: Spec): MatchEntry {
  return {
    hostname: s.host ?? 'a.com',
    kind: s.grpc ? 'GRPCRoute' : 'HTTPRoute',
    creationTimestamp: s.ts ?? '2025-01-01T00:00:00Z',
    namespace: s.ns ?? 'default',
    name: s.name ?? 'r',
    ruleIndex: s.rule ?? 0,
    matchIndex: s.idx ?? 0,
    ranked: s.grpc ? grpcMatch(s.grpc) : httpMatch(s.match ?? {}),
  };
}

const path = (type: string, value: string) => ({ path: { type, value } });

describe('compareMatches: the first argument wins', () => {
  it.each<[string, Spec, Spec]>([
    ['exact host before wildcard host', { host: 'x.a.com' }, { host: '*.a.com', match: path('Exact', '/x') }],
    ['longer wildcard before shorter', { host: '*.b.a.com' }, { host: '*.a.com', match: path('Exact', '/x') }],
    ['wildcard host before no host', { host: '*.a.com' }, { host: '*', match: path('Exact', '/x') }],
    ['Exact path before any prefix', { match: path('Exact', '/') }, { match: path('PathPrefix', '/very/long/prefix') }],
    ['longer prefix before shorter', { match: path('PathPrefix', '/v1/users') }, { match: path('PathPrefix', '/v1') }],
    [
      'prefix before a regex of the same length',
      { match: path('PathPrefix', '/abc') },
      { match: path('RegularExpression', '/a.c') },
    ],
    [
      'a long regex before the "/" catch-all',
      { match: path('RegularExpression', '/re/[a-z]+') },
      { match: path('PathPrefix', '/') },
    ],
    [
      'method before none',
      { match: { method: 'GET' } },
      {
        match: {
          headers: [
            { name: 'a', value: '1' },
            { name: 'b', value: '2' },
          ],
        },
      },
    ],
    [
      'more headers before fewer',
      {
        match: {
          headers: [
            { name: 'a', value: '1' },
            { name: 'b', value: '2' },
          ],
        },
      },
      { match: { headers: [{ name: 'a', value: '1' }], queryParams: [{ name: 'q', value: '1' }] } },
    ],
    ['more query params before fewer', { match: { queryParams: [{ name: 'q', value: '1' }] } }, { match: {} }],
    ['oldest route on a tie', { ts: '2024-01-01T00:00:00Z', name: 'z' }, { ts: '2025-01-01T00:00:00Z', name: 'a' }],
    ['a timestamp before none', { ts: '2030-01-01T00:00:00Z' }, { ts: '' }],
    ['namespace on equal time', { ns: 'a', name: 'z' }, { ns: 'b', name: 'a' }],
    ['name on equal namespace', { name: 'a' }, { name: 'b' }],
    ['"namespace/name" compared as one string', { ns: 'a-b', name: 'x' }, { ns: 'a', name: 'x' }],
    ['rule order', { rule: 0, idx: 3 }, { rule: 1, idx: 0 }],
    ['match order', { idx: 0 }, { idx: 1 }],
    [
      'gRPC: more service characters',
      { grpc: { method: { service: 'pkg.LongService' } } },
      { grpc: { method: { service: 'pkg.S', method: 'LongMethodName' } } },
    ],
    [
      'gRPC: more method characters',
      { grpc: { method: { service: 'pkg.S', method: 'Longer' } } },
      { grpc: { method: { service: 'pkg.S', method: 'Get' } } },
    ],
    [
      'gRPC: more headers',
      { grpc: { method: { service: 'pkg.S' }, headers: [{ name: 'x', value: '1' }] } },
      { grpc: { method: { service: 'pkg.S' } } },
    ],
    [
      'hostname still comes first for gRPC',
      { host: 'x.a.com', grpc: {} },
      { host: '*.a.com', grpc: { method: { service: 'pkg.S', method: 'M' } } },
    ],
  ])('%s', (_why, winner, loser) => {
    expect(compareMatches(entry(winner), entry(loser))).toBeLessThan(0);
    expect(compareMatches(entry(loser), entry(winner))).toBeGreaterThan(0);
  });

  it('ranks a match without a path (the proxy schema allows one) as PathPrefix "/"', () => {
    const noPath: MatchEntry = { ...entry({}), ranked: { match: {} } };
    expect(compareMatches(noPath, entry({ match: path('PathPrefix', '/') }))).toBe(0);
    expect(compareMatches(noPath, entry({ match: path('PathPrefix', '/a') }))).toBeGreaterThan(0);
  });

  it('is a total order: sorting any permutation gives the same result', () => {
    const specs: Spec[] = [
      { match: path('PathPrefix', '/') },
      { match: path('Exact', '/a') },
      { match: { ...path('PathPrefix', '/a'), method: 'GET' } },
      { match: path('PathPrefix', '/a') },
      { match: path('RegularExpression', '/a+') },
      { host: '*.a.com', match: path('Exact', '/z') },
      { grpc: { method: { service: 's.S' } } },
    ];
    const entries = specs.map(entry);
    const sorted = [...entries].sort(compareMatches);
    for (let i = 0; i < 20; i++) {
      const shuffled = [...entries].sort(
        (a, b) => ((entries.indexOf(a) * 7 + i) % 5) - ((entries.indexOf(b) * 7 + i) % 5),
      );
      expect(shuffled.sort(compareMatches)).toEqual(sorted);
    }
  });
});

describe('GRPCRoute match conversion', () => {
  it.each([
    [{ method: { service: 'pkg.Svc', method: 'Get' } }, { type: 'Exact', value: '/pkg.Svc/Get' }],
    [{ method: { service: 'pkg.Svc' } }, { type: 'PathPrefix', value: '/pkg.Svc/' }],
    [{ method: { method: 'Get' } }, { type: 'RegularExpression', value: '/[^/]+/Get' }],
    [{}, { type: 'PathPrefix', value: '/' }],
    [
      { method: { type: 'RegularExpression', service: 'pkg\\..*' } },
      { type: 'RegularExpression', value: '/(?:pkg\\..*)/(?:[^/]+)' },
    ],
  ])('%j → path %j, method POST', (raw, expected) => {
    const { match } = grpcMatch(raw);
    expect(match.path).toEqual(expected);
    expect(match.method).toBe('POST');
  });
});
