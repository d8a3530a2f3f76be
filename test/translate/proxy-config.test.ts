// The proxy config's assembly (src/translate/proxyconfig.ts) where no golden looks: which listener ports a
// Gateway's scope lists and in what order, when one hostname's matches on two ports make one entry or two,
// the CA bundles' order, and a host entry kept from the last build only while its ports are the same.
import { describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { caCertificateId } from '../../proxy/config/schema.js';
import type { Snapshot } from '../../src/core/types.js';
import { parseManifests, toSnapshot } from '../../src/sources/manifests.js';
import { translate } from '../../src/translate/index.js';
import { createTestCa } from '../support/test-ca.js';
import { TRANSLATE_OPTIONS } from './support.js';

const CLASS = `apiVersion: gateway.networking.k8s.io/v1
kind: GatewayClass
metadata: {name: c}
spec: {controllerName: ${TRANSLATE_OPTIONS.controllerName}}
`;
const gateway = (listeners: string) => `---
apiVersion: gateway.networking.k8s.io/v1
kind: Gateway
metadata: {name: gw, namespace: ns}
spec: {gatewayClassName: c, listeners: [${listeners}]}
`;
const listener = (name: string, port?: number) =>
  `{name: ${name}, protocol: HTTP${port === undefined ? '' : `, port: ${port}`}}`;
const route = (name: string, hostname: string, path: string, sections: string[], created = '2026-01-01T00:00:00Z') =>
  `---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: ns, creationTimestamp: "${created}"}
spec:
  parentRefs: [${sections.map((s) => `{name: gw, sectionName: ${s}}`).join(', ')}]
  hostnames: ["${hostname}"]
  rules: [{matches: [{path: {value: ${path}}}]}]
`;
const world = (text: string): Snapshot => toSnapshot(parseManifests(text, 'world.yaml')).snapshot;
const entriesOf = (s: Snapshot, hostname: string) =>
  translate(s, TRANSLATE_OPTIONS)
    .proxyConfig.hosts.filter((h) => h.hostname === hostname)
    .map((h) => ({ ports: h.ports, paths: h.matches.map((m) => m.match.path?.value) }));

describe('proxy config assembly', () => {
  it("lists a Gateway's listener ports from 1 to 65535, in numeric order, each once", () => {
    const ports = [8080, 80, 443, 0, 1, 65_535, 65_536, undefined];
    // A second listener on port 80, on a hostname of its own (one on the same hostname would conflict).
    const listeners = [
      ...ports.map((p, i) => listener(`l${i}`, p)),
      '{name: again, protocol: HTTP, port: 80, hostname: h.test}',
    ].join(', ');
    const config = translate(world(CLASS + gateway(listeners)), TRANSLATE_OPTIONS).proxyConfig;
    expect(config.gateways?.[0]?.listenerPorts).toEqual([1, 80, 443, 8080, 65_535]);
  });

  it('writes one entry for a hostname whose matches are the same on two ports, and one per port otherwise', () => {
    const listeners = gateway(`${listener('a', 80)}, ${listener('b', 8080)}`);
    const same = world(CLASS + listeners + route('r', 'h.test', '/x', ['a', 'b']));
    expect(entriesOf(same, 'h.test')).toEqual([{ ports: [80, 8080], paths: ['/x'] }]);
    // As many matches on each port, none the same.
    const apart = world(
      CLASS + listeners + route('r1', 'h.test', '/one', ['a']) + route('r2', 'h.test', '/two', ['b']),
    );
    expect(entriesOf(apart, 'h.test')).toEqual([
      { ports: [80], paths: ['/one'] },
      { ports: [8080], paths: ['/two'] },
    ]);
    // The first match the same on both ports, the second not.
    const common = route('common', 'h.test', '/common/long/path', ['a', 'b']);
    const half = world(
      CLASS + listeners + common + route('r1', 'h.test', '/one', ['a']) + route('r2', 'h.test', '/two', ['b']),
    );
    expect(entriesOf(half, 'h.test')).toEqual([
      { ports: [80], paths: ['/common/long/path', '/one'] },
      { ports: [8080], paths: ['/common/long/path', '/two'] },
    ]);
  });

  it('keeps an entry of the last build only while its ports are the same', () => {
    // h.test has the same matches on 80 and on one other port; a wildcard route moves from 9090 to 8080, so
    // the other port changes while port 80's matches stay the very same array.
    const listeners = gateway(`${listener('a', 80)}, ${listener('b', 8080)}, ${listener('c', 9090)}`);
    const base = CLASS + listeners + route('r', 'h.test', '/x', ['a', 'b', 'c']);
    const wildcard = (section: string) => route('w', '*.test', '/w', [section], '2027-01-01T00:00:00Z');
    const before = world(base + wildcard('c'));
    expect(entriesOf(before, 'h.test')[0]).toEqual({ ports: [80, 8080], paths: ['/x'] });
    // The next snapshot shares every object but the wildcard route, as a source hands them out.
    const moved = world(wildcard('b')).httpRoutes[0]!;
    const after = { ...before, httpRoutes: before.httpRoutes.map((r) => (r.metadata.name === 'w' ? moved : r)) };
    expect(entriesOf(after, 'h.test')[0]).toEqual({ ports: [80, 9090], paths: ['/x'] });
  });

  it("ranks a hostname again from its routes after one of them changes, each route's matches once", () => {
    const listeners = gateway(listener('a', 80));
    const before = world(
      CLASS + listeners + route('r1', 'h.test', '/one', ['a']) + route('r2', 'h.test', '/two', ['a']),
    );
    translate(before, TRANSLATE_OPTIONS);
    // r1 changes; r2, on the same hostname, is the same object.
    const changed = world(route('r1', 'h.test', '/uno', ['a'])).httpRoutes[0]!;
    const after = { ...before, httpRoutes: before.httpRoutes.map((r) => (r.metadata.name === 'r1' ? changed : r)) };
    expect(entriesOf(after, 'h.test')).toEqual([{ ports: [80], paths: ['/uno', '/two'] }]);
  });

  it('keeps a host entry made by a per-change build through the next full build', () => {
    // 20 hostnames on one port: one route changed is merged by position; ten at once take the full build.
    const names = Array.from({ length: 20 }, (_, i) => i);
    const before = world(
      CLASS + gateway(listener('a', 80)) + names.map((i) => route(`r${i}`, `h${i}.test`, `/p${i}`, ['a'])).join(''),
    );
    const hostOf = (s: Snapshot, hostname: string) =>
      translate(s, TRANSLATE_OPTIONS).proxyConfig.hosts.find((h) => h.hostname === hostname)!;
    hostOf(before, 'h0.test');
    const replaced = (s: Snapshot, which: number[], path: (i: number) => string): Snapshot => ({
      ...s,
      httpRoutes: s.httpRoutes.map((r, i) =>
        which.includes(i) ? world(route(`r${i}`, `h${i}.test`, path(i), ['a'])).httpRoutes[0]! : r,
      ),
    });
    const one = replaced(before, [0], () => '/moved');
    const made = hostOf(one, 'h0.test');
    expect(made.matches.map((m) => m.match.path?.value)).toEqual(['/moved']);
    const many = replaced(one, names.slice(10), (i) => `/again${i}`);
    // The same object: the config's hash and the push skip it by identity (config-version.ts, prepared.ts).
    expect(hostOf(many, 'h0.test')).toBe(made);
    expect(hostOf(many, 'h15.test').matches.map((m) => m.match.path?.value)).toEqual(['/again15']);
  });

  it('carries each CA bundle the rules name once, in id order', () => {
    // Ids are the sha256 of each certificate in canonical PEM (node:crypto's), as the config carries it.
    const cas = [createTestCa('one').cert, createTestCa('two').cert].map((pem) => new X509Certificate(pem).toString());
    // The first route's Service gets the bundle whose id sorts last.
    const [high, low] = [...cas].sort((a, b) => (caCertificateId(a) < caCertificateId(b) ? 1 : -1));
    const tls = (name: string, pem: string, created: string) => `---
apiVersion: v1
kind: ConfigMap
metadata: {name: ${name}, namespace: ns}
data: {ca.crt: ${JSON.stringify(pem)}}
---
apiVersion: v1
kind: Service
metadata: {name: ${name}, namespace: ns}
spec: {ports: [{name: https, port: 443}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: BackendTLSPolicy
metadata: {name: ${name}, namespace: ns}
spec:
  targetRefs: [{group: "", kind: Service, name: ${name}}]
  validation: {hostname: ${name}.test, caCertificateRefs: [{group: "", kind: ConfigMap, name: ${name}}]}
---
apiVersion: gateway.networking.k8s.io/v1
kind: HTTPRoute
metadata: {name: ${name}, namespace: ns, creationTimestamp: "${created}"}
spec: {parentRefs: [{name: gw}], rules: [{backendRefs: [{name: ${name}, port: 443}]}]}
`;
    const text =
      CLASS +
      gateway(listener('a', 80)) +
      tls('first', high!, '2026-01-01T00:00:00Z') +
      tls('second', low!, '2026-01-02T00:00:00Z');
    const config = translate(world(text), TRANSLATE_OPTIONS).proxyConfig;
    expect(config.caCertificates?.map((c) => c.id)).toEqual([caCertificateId(low!), caCertificateId(high!)]);
  });
});
