// The translator in steps (src/translate/steps.ts): standalone runs it in slices between requests, so what
// one step may cost must stay bounded however regex-heavy the snapshot — at most one fresh RE2 compile —
// and the steps must not redo work: each new pattern compiled once, whatever the route count.
import { CHUNK_ITEMS, configVersionSteps } from '../../src/translate/config-version.js';
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import type { K8sObject, Snapshot } from '../../src/core/types.js';
import { translate, translateSteps } from '../../src/translate/index.js';
import { regexCompiles } from '../../src/translate/regex-size.js';
import { ROUTE_MAX_REGEXES } from '../../src/translate/limits.js';
import { oneGatewayWorld, TRANSLATE_OPTIONS } from './support.js';
import { propertyRuns } from '../support/runs.js';

const options = TRANSLATE_OPTIONS;

const world = oneGatewayWorld;

/** An HTTPRoute on one host with `count` distinct regex matches (path, header, query in turn), 64 per rule. */
function regexRoute(tag: string, name: string, count: number): K8sObject {
  const rules: unknown[] = [];
  for (let i = 0; i < count; i++) {
    if (i % 64 === 0) rules.push({ matches: [] });
    const value = `${tag}${name}-${i}[0-9]+`; // ≤ 16 RE2 instructions: within the route's budget
    const match =
      i % 3 === 0
        ? { path: { type: 'RegularExpression', value: `/${value}` } }
        : { [i % 3 === 1 ? 'headers' : 'queryParams']: [{ type: 'RegularExpression', name: 'x', value }] };
    (rules[rules.length - 1] as { matches: unknown[] }).matches.push(match);
  }
  return {
    kind: 'HTTPRoute',
    metadata: { name, namespace: 'd', creationTimestamp: '2026-01-01T00:00:00Z' },
    spec: { parentRefs: [{ name: 'g' }], hostnames: ['regex.example.com'], rules },
  };
}

/** Runs the steps to the end, returning the result and the RE2 compiles each step ran. */
function stepThrough(snapshot: Snapshot) {
  const steps = translateSteps(snapshot, options);
  const perStep: number[] = [];
  for (;;) {
    const before = regexCompiles();
    const step = steps.next();
    perStep.push(regexCompiles() - before);
    if (step.done) return { desired: step.value, perStep };
  }
}

const copies = (routes: K8sObject[]) => routes.map((r) => structuredClone(r));

describe('translation in steps', () => {
  it('compiles every new pattern once, at most one per step, and gives what translate() gives', () => {
    const routes = [regexRoute('o', 'a', 200), regexRoute('o', 'b', 200)];
    const grpc: K8sObject = {
      kind: 'GRPCRoute',
      metadata: { name: 'g', namespace: 'd' },
      spec: {
        parentRefs: [{ name: 'g' }],
        hostnames: ['grpc.example.com'],
        rules: [
          { matches: [{ method: { type: 'RegularExpression', service: 'once\\.S[a-z]*', method: 'Get[A-Z]' } }] },
        ],
      },
    };
    const { desired, perStep } = stepThrough(world([...routes, grpc]));
    // 400 HTTP patterns; the gRPC match checks its service, its method and the path regex made of both.
    expect(perStep.reduce((a, b) => a + b, 0)).toBe(400 + 3);
    expect(Math.max(...perStep)).toBe(1);
    expect(desired.proxyConfig.rules.map((r) => r.id)).toContain('grpcroute/d/g/0');
    expect(desired).toEqual(translate(world(copies([...routes, grpc])), options));
  });

  it('does not compile a pattern twice when the snapshot holds more than a cache generation', () => {
    // 12 routes at the per-route regex limit: 12,288 patterns, more than the 10,000 a generation holds.
    const routes = Array.from({ length: 12 }, (_, i) => regexRoute('m', `r${i}`, ROUTE_MAX_REGEXES));
    const { desired, perStep } = stepThrough(world(routes));
    expect(perStep.reduce((a, b) => a + b, 0)).toBe(12 * ROUTE_MAX_REGEXES);
    expect(desired.proxyConfig.rules).toHaveLength(12 * (ROUTE_MAX_REGEXES / 64));
  });

  it('hashes a big host entry in pieces, to a version only its content decides', () => {
    const desired = translate(world([regexRoute('h', 'a', 1_000), regexRoute('h', 'b', 1_000)]), options);
    const { version, ...body } = desired.proxyConfig;
    expect(body.hosts[0]!.matches.length).toBe(2_000);
    expect(JSON.stringify(body.hosts[0]).length).toBeGreaterThan(2 * (1 << 16)); // several pieces
    const steps = configVersionSteps(structuredClone(body)); // new objects: nothing remembered
    let yields = 0;
    let next = steps.next();
    for (; !next.done; next = steps.next()) yields++;
    expect(yields).toBeGreaterThanOrEqual(2);
    expect(next.value).toBe(version);
  });

  it("yields once per 64 Ki characters hashed, of rules and of a host's matches alike", () => {
    // Rules (or matches) of exactly 4 Ki characters of JSON each. Each call's objects are new, so nothing is
    // remembered and every digest is computed. The rules' count carries over from earlier calls (a step
    // may come up to 64 Ki characters early); a host's starts with it.
    type Body = Parameters<typeof configVersionSteps>[0];
    const sized = (make: (pad: string) => unknown, chars: number) =>
      make('x'.repeat(chars - JSON.stringify(make('')).length));
    const rule = (i: number) => sized((pad) => ({ id: `r${String(i).padStart(3, '0')}`, pad }), 4096);
    // Every match after the first is written with a comma before it.
    const match = (i: number) => sized((pad) => ({ match: { path: pad }, rule: 0 }), i === 0 ? 4096 : 4095);
    const yieldsOf = (body: Body) => {
      const steps = configVersionSteps(body);
      let yields = 0;
      while (!steps.next().done) yields++;
      return yields;
    };
    const count = (n: number) => Array.from({ length: n }, (_, i) => i);
    // 34 × 64 Ki characters of rules.
    const ruleSteps = yieldsOf({ rules: count(544).map(rule) as Body['rules'], hosts: [] });
    expect([33, 34]).toContain(ruleSteps);
    const host = { hostname: 'h.test', matches: count(64).map(match) } as Body['hosts'][number];
    expect(yieldsOf({ rules: [], hosts: [host] })).toBe(4);
  });

  describe('the version changes with any part of the config', () => {
    const body = {
      gateways: [{ name: 'd/g', listenerPorts: [80] }],
      listenerPorts: [80],
      rules: [
        { id: 'r0', backends: [] },
        { id: 'r1', backends: [] },
      ],
      hosts: [
        { hostname: 'a.test', gateway: 'd/g', ports: [80], matches: [{ match: { path: '/' }, rule: 0 }] },
        { hostname: 'b.test', matches: [] },
      ],
    } as unknown as Parameters<typeof configVersionSteps>[0];
    const versionOf = (b: typeof body) => runToEnd(configVersionSteps(structuredClone(b)));
    const edits: Array<[string, (b: typeof body) => void]> = [
      ['a rule', (b) => ((b.rules[1] as { id: string }).id = 'r2')],
      ['the rule order', (b) => b.rules.reverse()],
      ['a rule more', (b) => b.rules.push({ ...b.rules[0]! })],
      ['a match rule number', (b) => (b.hosts[0]!.matches[0]!.rule = 1)],
      ['a match', (b) => (b.hosts[0]!.matches[0]!.match = { path: '/x' } as never)],
      ['a host port', (b) => (b.hosts[0]!.ports = [81])],
      ['a host gateway', (b) => (b.hosts[0]!.gateway = 'd/h')],
      ['a hostname', (b) => (b.hosts[1]!.hostname = 'c.test')],
      ['the host order', (b) => b.hosts.reverse()],
      ['a match moved between hosts', (b) => b.hosts[1]!.matches.push(b.hosts[0]!.matches.pop()!)],
      ['the Gateways', (b) => (b.gateways![0]!.name = 'd/h')],
      ['the listener ports', (b) => (b.listenerPorts = [81])],
      ['the access log', (b) => (b.accessLog = true)],
    ];
    it('not with the objects that hold it', () => expect(versionOf(body)).toBe(versionOf(body)));
    it.each(edits)('%s', (_, change) => {
      const edited = structuredClone(body);
      change(edited);
      expect(versionOf(edited)).not.toBe(versionOf(body));
    });
  });

  it('is right for a build resumed after another ran in between (the trees change in place)', () => {
    type Body = Parameters<typeof configVersionSteps>[0];
    const rule = (i: number, tag: string) =>
      ({ id: `r${i}`, tag, pad: 'x'.repeat(4000) }) as unknown as Body['rules'][number];
    const withRules = (body: Body, from: number, to: number, tag: string): Body => ({
      ...body,
      rules: body.rules.map((r, i) => (i >= from && i < to ? rule(i, tag) : r)),
    });
    const base: Body = { rules: Array.from({ length: 3 * CHUNK_ITEMS }, (_, i) => rule(i, 'a')), hosts: [] };
    runToEnd(configVersionSteps(base));
    // 21 rules of 4 KiB to hash: the build yields on the way.
    const resumed = withRules(base, 150, 171, 'b');
    const steps = configVersionSteps(resumed);
    expect(steps.next().done).toBe(false);
    runToEnd(configVersionSteps(withRules(base, 10, 31, 'c')));
    expect(runToEnd(steps)).toBe(runToEnd(configVersionSteps(structuredClone(resumed))));
  });

  it('is the same for a config built from the last one as for a copy that shares nothing with it', () => {
    type Body = Parameters<typeof configVersionSteps>[0];
    const rule = (n: number) => ({ id: `r${n}`, backends: [] }) as unknown as Body['rules'][number];
    const host = (n: number) =>
      ({ hostname: `h${n}.test`, matches: [{ match: { method: `M${n}` }, rule: n % 3 }] }) as Body['hosts'][number];
    const edit = fc.record({
      list: fc.constantFrom('rules' as const, 'hosts' as const),
      op: fc.constantFrom('replace', 'insert', 'remove'),
      at: fc.nat(200),
    });
    fc.assert(
      fc.property(fc.array(edit, { maxLength: 12 }), (edits) => {
        let body: Body = {
          // Over two chunks of the tree (CHUNK_ITEMS), so that edits land in any of them and shift the rest.
          rules: Array.from({ length: 2 * CHUNK_ITEMS + 20 }, (_, i) => rule(i)),
          hosts: Array.from({ length: 24 }, (_, i) => host(i)),
        };
        const bodies = [body];
        edits.forEach((e, k) => {
          const list = body[e.list].slice() as object[];
          const at = e.at % (list.length + 1);
          const item = e.list === 'rules' ? rule(100 + k) : host(100 + k);
          if (e.op === 'replace' && at < list.length) list[at] = item;
          if (e.op === 'insert') list.splice(at, 0, item);
          if (e.op === 'remove') list.splice(at, 1);
          bodies.push((body = { ...body, [e.list]: list }));
        });
        // One after the other, each sharing objects with the one before; then each from a copy.
        const versions = bodies.map((b) => runToEnd(configVersionSteps(b)));
        expect(bodies.map((b) => runToEnd(configVersionSteps(structuredClone(b))))).toEqual(versions);
      }),
      { numRuns: propertyRuns(200) },
    );
  });
});

function runToEnd<T>(steps: Generator<void, T>): T {
  let next = steps.next();
  while (!next.done) next = steps.next();
  return next.value;
}
