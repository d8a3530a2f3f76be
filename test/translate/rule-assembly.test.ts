// The rule assembly's per-change path (rule-assembly.ts): when only a range of the routes changed, the rules
// and per-port attachments outside it are the last assembly's, with the routes after the range moved by
// as many places, and their rules by as many rules, as the range grew or shrank. memo.test.ts's worlds give
// every route one rule and one Gateway, so a range that changes its rule count, routes after it that serve
// nothing, and a second Gateway are walked here, step by step. Each step's proxy config must be what a
// snapshot sharing no object with earlier calls gives (memo-world.ts's `unrecognisable`).
import { describe, expect, it } from '@jest/globals';
import { parseManifests, toSnapshot } from '../../src/sources/manifests.js';
import { translate } from '../../src/translate/index.js';
import type { K8sObject, Snapshot } from '../../src/core/types.js';
import { unrecognisable } from './memo-world.js';
import { BASE, OPTIONS } from './memo-objects.js';

const SECOND_GATEWAY = `
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw2, namespace: app, creationTimestamp: "2026-01-02T00:00:00Z"}
spec: {gatewayClassName: cf, listeners: [{name: http, protocol: HTTP, port: 80, hostname: HOST}]}
`;

interface RouteSpec {
  /** Index of its creation time: the order the config numbers rules in. */
  age: number;
  /** Rules it has (each its own path); 0 serves nothing. */
  rules?: number;
  /** Its parentRef: our Gateway `gw` (the default), `gw2`, both, or one that does not exist (served nowhere). */
  parent?: 'gw' | 'gw2' | 'both' | 'missing';
  path?: string;
}

function route(name: string, { age, rules = 1, parent = 'gw', path = name }: RouteSpec): K8sObject {
  const refs = {
    gw: '[{name: gw}]',
    gw2: '[{name: gw2}]',
    both: '[{name: gw}, {name: gw2}]',
    missing: '[{name: nope}]',
  };
  const list = Array.from(
    { length: Math.max(rules, 1) },
    (_, i) => `{matches: [{path: {type: PathPrefix, value: /${path}/${i}}}], backendRefs: [{name: api, port: 80}]}`,
  );
  const text = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: app, creationTimestamp: "2026-01-01T00:00:${String(age).padStart(2, '0')}Z"}
spec: {parentRefs: ${refs[parent]}, hostnames: [${name}.example.com, shared.example.com], rules: [${list.join(', ')}]}
`;
  return parseManifests(text, `${name}.yaml`)[0]!;
}

function world(extra = ''): Snapshot {
  return toSnapshot(parseManifests(BASE + extra, 'base.yaml')).snapshot;
}

/**
 * Translates each snapshot in turn, then each again from a copy: each proxy config must equal the fresh one.
 * (The copies come after the whole walk, as in memo.test.ts: a translation in between would replace the
 * assembly the next step starts from.)
 */
function walk(steps: Snapshot[]): void {
  const got = steps.map((snapshot) => JSON.stringify(translate(snapshot, OPTIONS).proxyConfig));
  steps.forEach((snapshot, step) => {
    const fresh = JSON.stringify(translate(unrecognisable(snapshot), OPTIONS).proxyConfig);
    expect({ step, config: got[step] }).toEqual({ step, config: fresh });
  });
}

/** `base` with some routes replaced, added or removed (the rest the very same objects). */
function withRoutes(base: Snapshot, routes: K8sObject[]): Snapshot {
  return { ...base, httpRoutes: routes };
}

describe('the rule assembly across changes', () => {
  it('a route that gains a rule with only unserved routes after it: their rule offsets move with it', () => {
    const base = world();
    const [a, b, c, d, e] = [
      route('a', { age: 1 }),
      route('b', { age: 2 }),
      route('c', { age: 3, parent: 'missing' }),
      route('d', { age: 4, parent: 'missing' }),
      route('e', { age: 5, parent: 'missing' }),
    ];
    const start = withRoutes(base, [a, b, c, d, e]);
    const bTwoRules = withRoutes(base, [a, route('b', { age: 2, rules: 3 }), c, d, e]);
    // Then a route after it comes into the config: its rules must be numbered after b's three.
    const dServed = withRoutes(base, [a, bTwoRules.httpRoutes[1]!, c, route('d', { age: 4 }), e]);
    const eServed = withRoutes(base, [...dServed.httpRoutes.slice(0, 4), route('e', { age: 5, rules: 2 })]);
    const bBack = withRoutes(base, [a, route('b', { age: 2, path: 'b2' }), ...eServed.httpRoutes.slice(2)]);
    walk([start, bTwoRules, dServed, eServed, bBack]);
  });

  it('a route that loses its rules with only unserved routes after it', () => {
    const base = world();
    const routes = [
      route('a', { age: 1, rules: 2 }),
      route('b', { age: 2, rules: 2 }),
      route('c', { age: 3, parent: 'missing' }),
    ];
    const bGone = [routes[0]!, route('b', { age: 2, parent: 'missing' }), routes[2]!];
    const cServed = [bGone[0]!, bGone[1]!, route('c', { age: 3 })];
    walk([withRoutes(base, routes), withRoutes(base, bGone), withRoutes(base, cServed)]);
  });

  it('an unserved route removed or inserted between served ones: later attachments keep their places', () => {
    const base = world();
    const routes = [
      route('a', { age: 1 }),
      route('b', { age: 2 }),
      route('c', { age: 3, parent: 'missing' }),
      route('d', { age: 4 }),
      route('e', { age: 5, path: 'e-long-path' }),
    ];
    const cRemoved = routes.filter((r) => r !== routes[2]);
    // With c gone, e is one place earlier: a change to e must find its attachments there. Its new path is
    // shorter, so an old attachment left in the list would rank first and be the one served.
    const eChanged = [...cRemoved.slice(0, 3), route('e', { age: 5, path: 'e2' })];
    const xInserted = [...eChanged.slice(0, 2), route('x', { age: 3, parent: 'missing' }), ...eChanged.slice(2)];
    const dChanged = [...xInserted.slice(0, 3), route('d', { age: 4, path: 'd2' }), xInserted[4]!];
    walk([base, ...[routes, cRemoved, eChanged, xInserted, dChanged].map((r) => withRoutes(base, r))]);
  });

  it('a second Gateway replaced while few routes attach to both: the assembly starts afresh for the new one', () => {
    const gw2 = (host: string) => SECOND_GATEWAY.replace('HOST', host);
    const routes = [
      route('a', { age: 1, parent: 'both' }),
      route('b', { age: 2, parent: 'gw2' }),
      route('c', { age: 3 }),
    ];
    const first = withRoutes(world(`---${gw2('"*.example.com"')}`), routes);
    const second = withRoutes(world(`---${gw2('shared.example.com')}`), routes);
    walk([
      first,
      second,
      withRoutes(second, [routes[0]!, route('b', { age: 2, parent: 'gw2', path: 'b2' }), routes[2]!]),
    ]);
  });
});

describe('attachments to a port that carries no routes', () => {
  it('a listener on a port the CRD would refuse takes the route, and the config serves it on the others only', () => {
    const gateway = SECOND_GATEWAY.replace(
      '[{name: http, protocol: HTTP, port: 80, hostname: HOST}]',
      '[{name: http, protocol: HTTP, port: 80}, {name: huge, protocol: HTTP, port: 70000}]',
    );
    const snapshot = withRoutes(world(`---${gateway}`), [route('a', { age: 1, parent: 'gw2' })]);
    const config = translate(snapshot, OPTIONS).proxyConfig;
    expect(config.rules).toHaveLength(1);
    expect(config.hosts.filter((h) => h.gateway === 'app/gw2').map((h) => [h.hostname, h.ports])).toEqual([
      ['a.example.com', [80]],
      ['shared.example.com', [80]],
    ]);
  });
});
