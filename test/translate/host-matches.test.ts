// A host key's ranked matches (src/translate/host-matches.ts), resolved through the proxy's own compiled table:
// keys that share their routes but not their ranking, rules of different routes that must not be taken for one
// another, and a ranking reused from the last translation whose rule numbers moved for some routes only.
import { describe, expect, it } from '@jest/globals';
import type { K8sObject, Snapshot } from '../../src/core/types.js';
import type { GatewayIR } from '../../src/translate/gateways.js';
import {
  coveringNames,
  forgetUnaskedHostMatches,
  hostMatchesSteps,
  keepHostMatches,
  type Attachment,
} from '../../src/translate/host-matches.js';
import type { RouteIR } from '../../src/translate/routes.js';
import { resolve, scenarioOfSnapshot } from './request-support.js';
import { oneGatewayWorld } from './support.js';

/** An HTTPRoute on hostnames whose rules each send one path prefix to the Service named after it. */
function route(name: string, second: number, hostnames: string[], paths: string[]): K8sObject {
  return {
    kind: 'HTTPRoute',
    metadata: { name, namespace: 'd', creationTimestamp: `2026-01-01T00:00:${String(second).padStart(2, '0')}Z` },
    spec: {
      parentRefs: [{ name: 'g' }],
      hostnames,
      rules: paths.map((p) => ({
        matches: [{ path: { type: 'PathPrefix', value: p } }],
        backendRefs: [{ name: serviceFor(name, p), port: 80 }],
      })),
    },
  };
}
const serviceFor = (route: string, path: string) => `${route}${path.replace(/\//g, '-')}`.replace(/-$/, '');

/** The Gateway of oneGatewayWorld with the routes and a Service for each rule. */
function world(routes: K8sObject[]): Snapshot {
  const snapshot = oneGatewayWorld(routes);
  for (const r of routes) {
    for (const rule of (r.spec as { rules: Array<{ backendRefs: Array<{ name: string }> }> }).rules) {
      const name = rule.backendRefs[0]!.name;
      snapshot.services.push({
        kind: 'Service',
        metadata: { name, namespace: 'd' },
        spec: { ports: [{ name: 'http', port: 80 }], clusterIP: '10.0.0.1' },
      });
    }
  }
  return snapshot;
}

describe('host keys that share their routes', () => {
  it('rank each key by the hostname that covers it there', () => {
    // Both routes, in the same order, reach a.example.com and *.example.com: on a.example.com the older one's
    // own hostname ranks its "/" before the newer one's longer prefix, on *.example.com the longer prefix wins.
    const older = route('older', 1, ['a.example.com', '*.example.com'], ['/']);
    const newer = route('newer', 2, ['*.example.com'], ['/longer']);
    const scenario = scenarioOfSnapshot(world([older, newer]));
    expect(resolve(scenario, { host: 'a.example.com', path: '/longer' })).toBe('older');
    expect(resolve(scenario, { host: 'b.example.com', path: '/longer' })).toBe('newer-longer');
  });
});

describe('rules of different routes on one host', () => {
  it('are told apart by their place in the config, not by their place in their route', () => {
    const first = route('first', 1, ['h.example.com'], ['/z']);
    const second = route('second', 2, ['h.example.com'], ['/a0', '/a1']);
    const scenario = scenarioOfSnapshot(world([first, second]));
    expect(resolve(scenario, { host: 'h.example.com', path: '/z' })).toBe('first-z');
    expect(resolve(scenario, { host: 'h.example.com', path: '/a0' })).toBe('second-a0');
    expect(resolve(scenario, { host: 'h.example.com', path: '/a1' })).toBe('second-a1');
  });
});

describe('a ranking kept from the last translation', () => {
  it('is numbered again when a route between the host’s routes gains a rule', () => {
    // Rules are numbered oldest route first: `before`, `between` (another host), `after`. The host's routes are
    // the same objects next time, so its ranking is kept; `between` gaining a rule moves `after`'s rule only.
    const before = route('before', 1, ['h.example.com'], ['/b']);
    const after = route('after', 3, ['h.example.com'], ['/a']);
    const grown = world([before, route('between', 2, ['other.example.com'], ['/x', '/y']), after]);
    // The same Services both times (a new one would make every route's rules new).
    const snapshot = { ...grown, httpRoutes: [before, route('between', 2, ['other.example.com'], ['/x']), after] };
    const first = scenarioOfSnapshot(snapshot);
    expect(resolve(first, { host: 'h.example.com', path: '/a' })).toBe('after-a');

    const next = scenarioOfSnapshot({ ...snapshot, httpRoutes: grown.httpRoutes });
    expect(resolve(next, { host: 'h.example.com', path: '/b' })).toBe('before-b');
    expect(resolve(next, { host: 'h.example.com', path: '/a' })).toBe('after-a');
    expect(resolve(next, { host: 'other.example.com', path: '/y' })).toBe('between-y');
  });
});

describe('coveringNames', () => {
  it.each([
    ['a.b.example.com', ['a.b.example.com', '*.b.example.com', '*.example.com', '*.com', '*']],
    ['*.example.com', ['*.example.com', '*.com', '*']],
    ['localhost', ['localhost', '*']],
    ['*', ['*']],
  ])('lists what covers %s, most specific first', (key, names) => {
    expect(coveringNames(key)).toEqual(names);
  });
});

/** One Gateway, one listener on port 80 for any host, and one route with `count` Exact matches in one rule. */
function rankingWorld(count: number) {
  const listener = { name: 'h', port: 80, routable: true, hostname: undefined };
  const gateway = { listeners: [listener] } as unknown as GatewayIR;
  const matches = Array.from({ length: count }, (_, i) => ({ match: { path: { type: 'Exact', value: `/${i}` } } }));
  const route = {
    kind: 'HTTPRoute',
    namespace: 'd',
    name: 'r',
    obj: { metadata: { name: 'r', namespace: 'd' } },
    rules: { rules: [{ index: 0, matches }] },
  } as unknown as RouteIR;
  const byHostname = (firstRule: number) =>
    new Map([['*', [{ gateway, listener, hostnames: ['*'], route, firstRule } as unknown as Attachment]]]);
  /** Runs the ranking of key "*" to its end; returns the matches and the yields on the way. */
  const rank = (firstRule = 0) => {
    const steps = hostMatchesSteps(gateway, '*', byHostname(firstRule), 80);
    let yields = 0;
    let next = steps.next();
    for (; !next.done; next = steps.next()) yields++;
    return { matches: next.value, yields };
  };
  return { gateway, rank };
}

describe('ranking a host’s matches in steps', () => {
  it('yields once per 512 matches keyed, then while sorting (one run of up to 1,024: one yield)', () => {
    const { matches, yields } = rankingWorld(1_000).rank();
    expect(matches).toHaveLength(1_000);
    expect(yields).toBe(2);
  });
});

describe('a remembered ranking', () => {
  it('is handed out as the same array while its visits and their rule numbers are the same, renumbered else', () => {
    const { rank } = rankingWorld(3);
    const first = rank().matches;
    expect(rank().matches).toBe(first);
    const moved = rank(5);
    expect(moved.yields).toBe(0); // renumbered, not ranked again
    expect(moved.matches.map((m) => m.rule)).toEqual([5, 5, 5]);
    expect(moved.matches.map((m) => m.match)).toEqual(first.map((m) => m.match));
  });

  it('is kept through a prune while asked for or kept since the last one, and forgotten after one without', () => {
    const { gateway, rank } = rankingWorld(3);
    const first = rank().matches;
    forgetUnaskedHostMatches(gateway); // asked since: kept
    expect(rank().matches).toBe(first);
    forgetUnaskedHostMatches(gateway);
    keepHostMatches(gateway, 80, ['*']);
    forgetUnaskedHostMatches(gateway); // kept since: kept
    expect(rank().matches).toBe(first);
    forgetUnaskedHostMatches(gateway);
    keepHostMatches(gateway, 443, ['*']); // another port's key
    forgetUnaskedHostMatches(gateway); // neither asked nor kept since: forgotten
    const again = rank().matches;
    expect(again).not.toBe(first);
    expect(again).toEqual(first);
  });

  it('keeps and forgets nothing, and does not fail, for a Gateway never ranked', () => {
    const { gateway } = rankingWorld(1);
    expect(() => keepHostMatches(gateway, 80, ['*'])).not.toThrow();
    expect(() => forgetUnaskedHostMatches(gateway)).not.toThrow();
  });
});
