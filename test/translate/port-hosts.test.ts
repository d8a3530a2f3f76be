// The port host entries' per-change path (port-hosts.ts): when the host keys stay the same and every hostname a
// change touched is exact, only those keys are ranked again and the visible hosts are the last ones with them
// replaced. Two walks memo.test.ts's worlds do not make, each step's proxy config compared with what a snapshot
// sharing no object with earlier calls gives: a key that was silent (listener isolation) starts to serve with
// the keys unchanged, and a wildcard route changes its path while another keeps the wildcard a key (every
// exact key under it must get the new match: a wildcard is not a touched exact name).
import { describe, expect, it } from '@jest/globals';
import { parseManifests, toSnapshot } from '../../src/sources/manifests.js';
import { translate } from '../../src/translate/index.js';
import type { K8sObject, Snapshot } from '../../src/core/types.js';
import { unrecognisable } from './memo-world.js';
import { OPTIONS } from './memo-objects.js';

const WORLD = `
apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: cf}
spec: {controllerName: ${OPTIONS.controllerName}}
---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: app}
spec:
  gatewayClassName: cf
  listeners:
  - {name: wild, protocol: HTTP, port: 80, hostname: "*.example.com"}
  - {name: a, protocol: HTTP, port: 80, hostname: a.example.com}
---
apiVersion: v1
kind: Service
metadata: {name: api, namespace: app}
spec: {ports: [{name: http, port: 80}]}
`;

function route(name: string, age: number, section: string, hostnames: string[], path: string): K8sObject {
  const text = `apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: app, creationTimestamp: "2026-01-01T00:00:0${age}Z"}
spec:
  parentRefs: [{name: gw, sectionName: ${section}}]
  hostnames: [${hostnames.map((h) => JSON.stringify(h)).join(', ')}]
  rules: [{matches: [{path: {type: PathPrefix, value: ${path}}}], backendRefs: [{name: api, port: 80}]}]
`;
  return parseManifests(text, `${name}.yaml`)[0]!;
}

const world = (routes: K8sObject[]): Snapshot => ({
  ...toSnapshot(parseManifests(WORLD, 'world.yaml')).snapshot,
  httpRoutes: routes,
});

/** Each snapshot translated in turn, then each from a copy: the proxy configs must be the same. */
function walk(steps: Snapshot[]): string[] {
  const got = steps.map((snapshot) => translate(snapshot, OPTIONS).proxyConfig);
  steps.forEach((snapshot, step) => {
    const fresh = translate(unrecognisable(snapshot), OPTIONS).proxyConfig;
    expect({ step, config: JSON.stringify(got[step]) }).toEqual({ step, config: JSON.stringify(fresh) });
  });
  return got.map((config) => config.hosts.map((h) => h.hostname).join(' '));
}

describe('port host entries across changes', () => {
  it('serves a key that was silent under listener isolation when a route comes to its own listener', () => {
    // On the wildcard listener, a.example.com is judged by listener `a`: the route gives it no match.
    const shadowed = route('shadowed', 1, 'wild', ['a.example.com'], '/shadowed');
    const base = world([shadowed]);
    const own = route('own', 2, 'a', [], '/own');
    const hosts = walk([base, { ...base, httpRoutes: [shadowed, own] }, base]);
    expect(hosts).toEqual(['', 'a.example.com', '']);
  });

  it('gives every exact key under a wildcard the wildcard route’s new path', () => {
    const exact = route('exact', 1, 'wild', ['b.example.com'], '/b');
    const wild = (path: string) => route('wild', 2, 'wild', ['*.example.com'], path);
    const keeper = route('keeper', 3, 'wild', ['*.example.com'], '/keep');
    const base = world([exact, wild('/one'), keeper]);
    walk([base, { ...base, httpRoutes: [exact, wild('/two'), keeper] }, { ...base, httpRoutes: [exact, keeper] }]);
  });
});
