// translate() remembers work across calls: the parents stage (stage-memo.ts), route IRs and rules (memo.ts),
// host keys' rankings (host-matches.ts), the rule assembly and port host entries (rule-assembly.ts, port-hosts.ts),
// the version's digests (config-version.ts), route statuses (statuses.ts).
// Whatever sequence of snapshots and clocks it is given (objects replaced, added, removed, the rest shared
// with the previous snapshot), each result must equal, byte for byte, the result for a deep copy that shares
// nothing with earlier calls.
import { describe, expect, it } from '@jest/globals';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import fc from 'fast-check';
import { parseManifests, toSnapshot } from '../../src/sources/manifests.js';
import { translate } from '../../src/translate/index.js';
import type { K8sObject } from '../../src/core/types.js';
import { propertyRuns } from '../support/runs.js';
import { apply, applyEdit, edit, initial, unrecognisable, writeStatus, type World } from './memo-world.js';
import { CAS, gateway, OPTIONS, ROUTES, route, withStatus } from './memo-objects.js';

const GOLDEN = join(dirname(fileURLToPath(import.meta.url)), '..', 'golden', 'testdata');

describe('translate() across calls', () => {
  it('gives, for every snapshot of any edit sequence, what a snapshot sharing no object with earlier calls gives', () => {
    fc.assert(
      fc.property(fc.array(edit, { minLength: 1, maxLength: 12 }), (edits) => {
        const snapshot = initial();
        let world: World = { snapshot, options: OPTIONS, statuses: translate(snapshot, OPTIONS).statuses };
        // The sequence first, each translation right after the one before (as a control plane runs them:
        // memos that keep only the last call's work are used), then each world again from a copy.
        const results: Array<{ world: World; got: string }> = [];
        for (const e of edits) {
          world = applyEdit(world, e);
          const got = translate(world.snapshot, world.options);
          results.push({ world, got: JSON.stringify(got) });
          world = { ...world, statuses: got.statuses };
        }
        for (const { world: w, got } of results)
          expect(got).toBe(JSON.stringify(translate(unrecognisable(w.snapshot), w.options)));
      }),
      {
        numRuns: propertyRuns(250),
        // Found by CI: r0 renamed, a new r0, renamed again: two routes named r0-renamed.
        examples: [
          [
            [
              { type: 'route', index: 0, variant: 1 },
              { type: 'rename', index: 0 },
              { type: 'route', index: 0, variant: 0 },
              { type: 'rename', index: 0 },
            ],
          ],
        ],
      },
    );
  });

  it('re-ranks every host key under a hostname a change touches', () => {
    let snapshot = initial();
    const withRoute2 = (variant: number) => {
      snapshot = { ...snapshot, httpRoutes: snapshot.httpRoutes.map((r, i) => (i === 2 ? route(2, variant) : r)) };
      const expected = translate(unrecognisable(snapshot), OPTIONS).proxyConfig;
      const got = translate(snapshot, OPTIONS).proxyConfig;
      expect(got).toEqual(expected);
      return got.hosts;
    };
    translate(snapshot, OPTIONS);
    // r2 takes the wildcard (every other key gains its match), then its own hostname with another path, a
    // shared name, none, the wildcard again, its own again. (Which entries stay the same objects when a route
    // changes on its own hostname: 'keeps the host entries of hostnames a change does not touch …' below.)
    expect(withRoute2(4).filter((h) => h.matches.length === 2)).toHaveLength(ROUTES - 1);
    for (const variant of [1, 5, 3, 4, 0]) withRoute2(variant);
  });

  it('numbers the rules of a route that comes into the config after rules before it went', () => {
    // "late" and "later" are the newest routes (their rules would come last), naming no Gateway of ours at first.
    const late = (parent: string, name = 'later'): K8sObject =>
      parseManifests(
        `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: ${name}, namespace: app, creationTimestamp: "2027-01-01T00:00:0${name.length}Z"}\nspec: {parentRefs: [{name: ${parent}}], hostnames: [late.example.com], rules: [{backendRefs: [{name: api, port: 80}]}]}\n`,
        'late.yaml',
      )[0]!;
    const first = initial();
    const worlds = [{ ...first, httpRoutes: [...first.httpRoutes, late('elsewhere', 'late'), late('elsewhere')] }];
    const next = (edit: (routes: K8sObject[]) => K8sObject[]) =>
      worlds.push({ ...worlds.at(-1)!, httpRoutes: edit(worlds.at(-1)!.httpRoutes) });
    next((routes) => routes.filter((r) => r.metadata.name !== 'r5')); // the last rule before it goes
    next((routes) => routes.map((r) => (r.metadata.name === 'later' ? late('gw') : r)));
    // One after the other, as a control plane runs them; then each from a copy.
    const configs = worlds.map((w) => translate(w, OPTIONS).proxyConfig);
    worlds.forEach((w, i) => expect(configs[i]).toEqual(translate(unrecognisable(w), OPTIONS).proxyConfig));
    const host = configs[2]!.hosts.find((h) => h.hostname === 'late.example.com')!;
    expect(configs[2]!.rules[host.matches[0]!.rule]!.id).toBe('httproute/app/later/0');
  });

  it('reuses the rules of unchanged routes and recomputes those whose inputs changed', () => {
    const first = initial();
    const a = translate(first, OPTIONS);
    const sameInputs = apply(first, { type: 'route', index: 0, variant: 1 });
    const b = translate(sameInputs, OPTIONS);
    const ruleOf = (d: typeof a, name: string) => d.proxyConfig.rules.find((r) => r.id === `httproute/app/${name}/0`);
    expect(ruleOf(b, 'r2')).toBe(ruleOf(a, 'r2'));
    expect(ruleOf(b, 'r0')).not.toBe(ruleOf(a, 'r0'));
    // A copy carrying the status it was written (the file source's) is the same route to the memo.
    const written = translate(apply(sameInputs, { type: 'routeStatus', index: 2, resolved: true }), OPTIONS);
    expect(ruleOf(written, 'r2')).toBe(ruleOf(a, 'r2'));
    const newEndpoints = apply(sameInputs, { type: 'sliceAddress', last: 3 });
    const c = translate(newEndpoints, OPTIONS);
    expect(ruleOf(c, 'r2')).not.toBe(ruleOf(b, 'r2'));
    expect(JSON.stringify(ruleOf(c, 'r2'))).toContain('10.0.0.3');
  });

  it('keeps the host entries of hostnames a change does not touch as the same objects, and renumbers the rest', () => {
    const first = initial();
    const a = translate(first, OPTIONS);
    const hostOf = (d: typeof a, hostname: string) => d.proxyConfig.hosts.find((h) => h.hostname === hostname);
    const names = a.proxyConfig.hosts.map((h) => h.hostname);
    const changedRoute = apply(first, { type: 'route', index: 0, variant: 1 });
    const b = translate(changedRoute, OPTIONS);
    const touched = (h: string) => JSON.stringify(hostOf(a, h)) !== JSON.stringify(hostOf(b, h));
    expect(names.filter((h) => !touched(h)).length).toBeGreaterThan(0);
    for (const h of names) {
      if (touched(h)) expect(hostOf(b, h)).not.toBe(hostOf(a, h));
      else expect(hostOf(b, h)).toBe(hostOf(a, h));
    }
    // The edge's documents too, while no hostname came or went (the coordinator then skips its fingerprint).
    expect(b.ingress).toBe(a.ingress);
    expect(b.dns).toBe(a.dns);
    // Dropping the first route moves every later rule: entries are renumbered, none keeps its old numbers.
    const dropped = apply(changedRoute, { type: 'dropRoute', index: 0 });
    const c = translate(dropped, OPTIONS);
    expect(c.proxyConfig.rules.length).toBeLessThan(b.proxyConfig.rules.length);
    expect(JSON.stringify(c.proxyConfig)).toBe(JSON.stringify(translate(unrecognisable(dropped), OPTIONS).proxyConfig));
    expect(c.dns).not.toBe(b.dns);
    expect(c.dns.map((r) => r.name)).not.toContain('r0.example.com');
  });

  it('splits a host entry whose matches stay the same on fewer ports', () => {
    const twoPorts = apply(initial(), { type: 'gateway', variant: 3 });
    const before = translate(twoPorts, OPTIONS);
    const entries = (d: typeof before) => d.proxyConfig.hosts.filter((h) => h.hostname === 'r0.example.com');
    expect(entries(before).map((h) => h.ports)).toEqual([[80, 8080]]);
    const split = translate(apply(twoPorts, { type: 'altRoute', present: true }), OPTIONS);
    expect(entries(split).map((h) => h.ports)).toEqual([[80], [8080]]);
    const merged = translate(apply(twoPorts, { type: 'altRoute', present: false }), OPTIONS);
    expect(entries(merged).map((h) => h.ports)).toEqual([[80, 8080]]);
  });

  it('keeps unchanged routes as they were across a change to another route and a Gateway status write', () => {
    const statusOf = (d: ReturnType<typeof translate>, name: string) =>
      d.statuses.find((st) => st.kind === 'HTTPRoute' && st.name === name);
    const first = initial();
    const a = translate(first, OPTIONS);
    const next = apply(apply(first, { type: 'route', index: 0, variant: 1 }), {
      type: 'gatewayStatus',
      accepted: true,
    });
    const b = translate(next, OPTIONS);
    // The same status object: the route's IR was reused, so the coordinator compares by identity.
    expect(statusOf(b, 'r2')).toBe(statusOf(a, 'r2'));
    expect(statusOf(b, 'r0')).not.toBe(statusOf(a, 'r0'));
    // A Gateway whose spec changed is another Gateway: every route is attached afresh.
    const c = translate(apply(next, { type: 'gateway', variant: 1 }), OPTIONS);
    expect(statusOf(c, 'r2')).not.toBe(statusOf(b, 'r2'));
  });

  it('hands out the same route status once the route carries it as written, whatever the clock', () => {
    const routeStatus = (d: ReturnType<typeof translate>) =>
      d.statuses.find((st) => st.kind === 'HTTPRoute' && st.name === 'r2');
    const snapshot = initial();
    const a = translate(snapshot, OPTIONS);
    const written = writeStatus({ snapshot, options: OPTIONS, statuses: a.statuses }, 'r2');
    const later = { ...OPTIONS, now: '2026-06-06T00:00:00Z' };
    expect(routeStatus(translate(written, later))).toBe(routeStatus(a));
    // Without the written status, a later clock stamps its own time: another status.
    expect(routeStatus(translate(snapshot, later))).not.toBe(routeStatus(a));
  });

  it("reads each reused Gateway's status from its own current copy", () => {
    const first = initial();
    const other = { ...gateway(0), metadata: { name: 'gw2', namespace: 'app' } };
    const two = { ...first, gateways: [...first.gateways, other] };
    translate(two, OPTIONS);
    // Only gw2 is replaced by a copy carrying a status: the stage is reused, gw2's status comes from that copy.
    const written = { ...two, gateways: [two.gateways[0]!, withStatus(other, true)] };
    const accepted = (name: string) =>
      (
        translate(written, OPTIONS).statuses.find((st) => st.kind === 'Gateway' && st.name === name)!.status
          .conditions as Array<{ type: string; lastTransitionTime: string }>
      ).find((c) => c.type === 'Accepted')!.lastTransitionTime;
    expect(accepted('gw2')).toBe('2025-05-05T00:00:00Z');
    expect(accepted('gw')).toBe(OPTIONS.now);
  });

  it("reads a reused Gateway's current copy by namespace and name, past objects without metadata", () => {
    const first = initial();
    // A Gateway of the same name in another namespace comes first, and an object without metadata before it.
    const elsewhere = { ...gateway(0), metadata: { name: 'gw', namespace: 'elsewhere' } };
    const noMetadata = { kind: 'Gateway' } as unknown as K8sObject;
    const world = { ...first, gateways: [noMetadata, withStatus(elsewhere, false), first.gateways[0]!] };
    translate(world, OPTIONS);
    const written = {
      ...world,
      gateways: [noMetadata, withStatus(elsewhere, false), withStatus(first.gateways[0]!, true)],
    };
    expect(JSON.stringify(translate(written, OPTIONS))).toBe(
      JSON.stringify(translate(unrecognisable(written), OPTIONS)),
    );
  });

  it('never takes an object that cannot be written as JSON for another', () => {
    // YAML aliases can make an object cyclic: its content has no text to compare, so it is never "the same".
    const cyclic = (name: string): K8sObject => {
      const labels: Record<string, unknown> = {};
      labels.self = labels;
      const gw = gateway(0);
      return { ...gw, metadata: { ...gw.metadata, name, labels } } as K8sObject;
    };
    const first = initial();
    translate({ ...first, gateways: [cyclic('gw')] }, OPTIONS);
    const renamed = translate({ ...first, gateways: [cyclic('gw-renamed')] }, OPTIONS);
    expect(renamed.statuses.filter((st) => st.kind === 'Gateway').map((st) => st.name)).toEqual(['gw-renamed']);
    // Nor a spec: two Gateways alike but for their listener's port, each spec holding a cycle.
    const cyclicSpec = (port: number): K8sObject => {
      const spec: Record<string, unknown> = {
        gatewayClassName: 'cf',
        listeners: [{ name: 'http', protocol: 'HTTP', port, allowedRoutes: { namespaces: { from: 'All' } } }],
      };
      spec.self = spec;
      return { ...first.gateways[0]!, spec };
    };
    translate({ ...first, gateways: [cyclicSpec(80)] }, OPTIONS);
    const scopes = translate({ ...first, gateways: [cyclicSpec(81)] }, OPTIONS).proxyConfig.gateways ?? [];
    expect(scopes.flatMap((g) => g.listenerPorts)).toEqual([81]);
  });

  it('translates the same objects afresh when the ExternalName option changes', () => {
    const text = readFileSync(join(GOLDEN, 'route-external-name-enabled.in.yaml'), 'utf8');
    const snapshot = toSnapshot(parseManifests(text, 'external-name.yaml')).snapshot;
    for (const externalNameServices of [true, false, true]) {
      const options = { ...OPTIONS, externalNameServices };
      const got = translate(snapshot, options);
      expect(JSON.stringify(got)).toBe(JSON.stringify(translate(unrecognisable(snapshot), options)));
    }
  });

  it('keeps an HTTPRoute and a GRPCRoute apart though they share their spec and metadata objects', () => {
    const http = route(0, 0);
    const grpc = { ...http, kind: 'GRPCRoute', apiVersion: 'gateway.networking.k8s.io/v1' };
    const snapshot = { ...initial(), httpRoutes: [http], grpcRoutes: [grpc] };
    const got = translate(snapshot, OPTIONS);
    expect(JSON.stringify(got)).toBe(JSON.stringify(translate(unrecognisable(snapshot), OPTIONS)));
  });

  it('refuses a route whose spec is null (an empty `spec:` in YAML), every time', () => {
    const empty = { ...route(0, 0), spec: null } as unknown as K8sObject;
    const snapshot = { ...initial(), httpRoutes: [empty] };
    const first = JSON.stringify(translate(snapshot, OPTIONS));
    expect(JSON.stringify(translate(snapshot, OPTIONS))).toBe(first);
    expect(first).toBe(JSON.stringify(translate(unrecognisable(snapshot), OPTIONS)));
  });

  it('reuses rules across ConfigMap changes that leave the CA alone, and recomputes them when it changes', () => {
    const ruleOf = (d: ReturnType<typeof translate>) => d.proxyConfig.rules.find((r) => r.id === 'httproute/app/r2/0');
    const withPolicy = apply(apply(initial(), { type: 'policy', variant: 0 }), { type: 'configMap', ca: 0, other: 0 });
    const a = translate(withPolicy, OPTIONS);
    const unrelated = translate(apply(withPolicy, { type: 'configMap', ca: 0, other: 1 }), OPTIONS);
    expect(ruleOf(unrelated)).toBe(ruleOf(a));
    const newCa = translate(apply(withPolicy, { type: 'configMap', ca: 1, other: 0 }), OPTIONS);
    expect(ruleOf(newCa)).not.toBe(ruleOf(a));
    // The config carries the certificate in canonical PEM (node:crypto's), whatever the ConfigMap's line endings.
    expect(newCa.proxyConfig.caCertificates?.map((c) => c.pem)).toEqual([new X509Certificate(CAS[1]!).toString()]);
  });

  it('sends a hostname to 443 when a wildcard route comes on 443 only, though none of its own routes changed', () => {
    // r1 attached to the port-80 listener only; a route on *.example.com attached to 443 only: the hostname's
    // portless requests then meet other routes on 443 than on 80, so the tunnel must send it to the TLS port.
    const attachedTo = (name: string, section: string, hostname: string, created: string) =>
      parseManifests(
        `apiVersion: gateway.networking.k8s.io/v1\nkind: HTTPRoute\nmetadata: {name: ${name}, namespace: app, creationTimestamp: "${created}"}\nspec: {parentRefs: [{name: gw, sectionName: ${section}}], hostnames: ["${hostname}"], rules: [{backendRefs: [{name: api, port: 80}]}]}\n`,
        'route.yaml',
      )[0]!;
    const before = apply(initial(), { type: 'gateway', variant: 4 });
    before.httpRoutes = [attachedTo('r1', 'http', 'r1.example.com', '2026-01-01T00:00:01Z')];
    const ruleOf = (d: ReturnType<typeof translate>) => d.ingress.ingress.find((r) => r.hostname === 'r1.example.com');
    expect(ruleOf(translate(before, OPTIONS))?.service).toBe('http://localhost:8080');
    const after = {
      ...before,
      httpRoutes: [...before.httpRoutes, attachedTo('w', 'alt', '*.example.com', '2027-01-01T00:00:00Z')],
    };
    const got = translate(after, OPTIONS);
    expect(ruleOf(got)?.service).toMatch(/^https:/);
    expect(JSON.stringify(got)).toBe(JSON.stringify(translate(unrecognisable(after), OPTIONS)));
  });

  it('points every DNS record at the new tunnel when the tunnel id changes, with no object changed', () => {
    const snapshot = initial();
    const targets = (tunnelId: string) =>
      new Set(translate(snapshot, { ...OPTIONS, tunnelId }).dns.map((r) => r.content));
    expect(targets('t1')).toEqual(new Set(['t1.cfargotunnel.com']));
    expect(targets('t2')).toEqual(new Set(['t2.cfargotunnel.com']));
  });
});
