// applyShared(): the in-process push path of standalone mode. It must accept and refuse exactly what
// apply() does (same messages), and skip re-validating rule objects it has seen before.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { ConfigHolder } from '../../proxy/config/apply.js';
import { ConfigPreparer, prepareConfig, validateConfig } from '../../proxy/config/prepared.js';
import type { ProxyConfigInput } from '../../proxy/config/schema.js';
import { CONFIG_LIMITS } from '../../proxy/config/fields.js';
import { UpstreamRegistry } from '../../proxy/forward/upstream.js';
import { DEFAULT_LIMITS } from '../../proxy/limits.js';
import { ProxyMetrics } from '../../proxy/metrics.js';
import { firstMatch } from '../../proxy/router/select.js';
import { RequestMatchInput } from '../../proxy/router/match.js';
import { silentLogger } from '../../src/log.js';
import { propertyRuns } from '../support/runs.js';

const holder = () => new ConfigHolder(new UpstreamRegistry(DEFAULT_LIMITS), new ProxyMetrics(), silentLogger);

function valid(): ProxyConfigInput {
  return {
    version: 'v1',
    generation: 1,
    rules: [
      { id: 'a', kind: 'http', backends: [{ name: 'b', weight: 1, endpoints: [{ address: '127.0.0.1', port: 9 }] }] },
      {
        id: 'g',
        kind: 'grpc',
        filters: [{ type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'x-a', value: '1' }] } }],
      },
    ],
    hosts: [
      {
        hostname: 'a.test',
        matches: [
          { match: { path: { type: 'PathPrefix', value: '/a' } }, rule: 0 },
          { match: { method: 'POST' }, rule: 1 },
        ],
      },
    ],
  };
}

type Breaker = (c: ProxyConfigInput & Record<string, unknown>) => void;
const cases: Array<[string, Breaker]> = [
  ['a valid config', () => undefined],
  ['no version', (c) => void delete (c as { version?: string }).version],
  ['a negative generation', (c) => void (c.generation = -1)],
  ['rules not an array', (c) => void (c.rules = {} as never)],
  ['hosts not an array', (c) => void (c.hosts = 'h' as never)],
  ['rules a string', (c) => void (c.rules = 'r' as never)],
  // Valid items, one too many: only the list's limit is wrong.
  [
    'one rule over the limit',
    (c) => void (c.rules = Array.from({ length: CONFIG_LIMITS.rules + 1 }, () => c.rules[0]!)),
  ],
  [
    'one host over the limit',
    (c) => void (c.hosts = Array.from({ length: CONFIG_LIMITS.hosts + 1 }, () => c.hosts[0]!)),
  ],
  ['a rule without id', (c) => void delete (c.rules[0] as { id?: string }).id],
  ['a backend weight too big', (c) => void (c.rules[0]!.backends![0]!.weight = 10_000_000)],
  [
    'a bad header name in a filter',
    (c) =>
      void (c.rules[1]!.filters = [
        { type: 'RequestHeaderModifier', requestHeaderModifier: { set: [{ name: 'bad name', value: '1' }] } },
      ]),
  ],
  ['a host without hostname', (c) => void delete (c.hosts[0] as { hostname?: string }).hostname],
  ['a match naming a rule that does not exist', (c) => void (c.hosts[0]!.matches[1]!.rule = 2)],
  ['a null rule', (c) => void (c.rules[1] = null as never)],
  // Hosts with many matches are validated a few hundred matches at a time: same answers, same paths.
  ['a big host', (c) => void (c.hosts[0]!.matches = manyMatches(600, -1))],
  ['a bad match deep in a big host', (c) => void (c.hosts[0]!.matches = manyMatches(600, 530))],
  [
    'listener ports, and ports on a host',
    (c) => {
      c.listenerPorts = [80, 8080];
      c.hosts[0]!.ports = [8080];
    },
  ],
  [
    'a big host on a port',
    (c) => {
      c.hosts[0]!.ports = [8080];
      c.hosts[0]!.matches = manyMatches(600, -1);
    },
  ],
  ['a host port out of range', (c) => void (c.hosts[0]!.ports = [65_536])],
  ['a host with an empty port list', (c) => void (c.hosts[0]!.ports = [])],
  ['a listener port of 0', (c) => void (c.listenerPorts = [0])],
];

function manyMatches(n: number, bad: number): ProxyConfigInput['hosts'][number]['matches'] {
  return Array.from({ length: n }, (_, i) => ({
    match: { path: { type: i === bad ? ('Bogus' as never) : 'PathPrefix', value: `/p${i}` } },
    rule: i % 2,
  }));
}

describe('applyShared', () => {
  it.each(cases)('answers %s exactly as apply() does', (_what, breakIt) => {
    const a = valid() as ProxyConfigInput & Record<string, unknown>;
    const b = valid() as ProxyConfigInput & Record<string, unknown>;
    breakIt(a);
    breakIt(b);
    const [viaApply, viaShared] = [holder(), holder()];
    const expected = viaApply.apply(a);
    expect(viaShared.applyShared(b)).toEqual(expected);
    if (expected.ok) {
      const lookup = (h: ConfigHolder) =>
        firstMatch(h.table!.hosts.lookup('a.test', 8080)!, new RequestMatchInput('POST', '/x', {}, ''))?.rule.id;
      expect(lookup(viaShared)).toBe(lookup(viaApply));
    }
  });

  it.each(cases)(
    'answers %s the same when validated and compiled in slices (standalone, PUT /config)',
    async (_what, breakIt) => {
      const [a, b] = [valid(), valid()] as Array<ProxyConfigInput & Record<string, unknown>>;
      breakIt(a!);
      breakIt(b!);
      const [viaApply, viaSlices, viaAdmin] = [holder(), holder(), holder()];
      const expected = viaApply.apply(a);
      expect(await viaSlices.applySharedYielding(b)).toEqual(expected);
      // PUT /config in one process (applyYielding) checks a fresh body the same way, in steps too.
      expect(await viaAdmin.applyYielding(JSON.parse(JSON.stringify(b)))).toEqual(expected);
    },
  );

  it.each(cases)(
    'prepares %s in text mode (the cluster primary) exactly as validating the whole config does',
    (_what, breakIt) => {
      const preparer = new ConfigPreparer('text');
      // Twice: the second time every rule and host text is a repeat, taken from what the first one checked.
      for (let round = 0; round < 2; round++) {
        const [a, b] = [valid(), valid()] as Array<ProxyConfigInput & Record<string, unknown>>;
        breakIt(a!);
        breakIt(b!);
        const whole = validateConfig(a);
        const got = preparer.prepare(b);
        if (whole.ok) expect(got).toEqual({ ok: true, prepared: prepareConfig(whole.cfg) });
        else expect(got).toEqual(whole);
      }
    },
  );

  it('does not read a rule object it validated before, and does read a new one', () => {
    const h = holder();
    const cfg = valid();
    let reads = 0;
    const counted = new Proxy(cfg.rules[0]!, { get: (t, k, r) => (reads++, Reflect.get(t, k, r)) });
    cfg.rules[0] = counted;
    expect(h.applyShared(cfg)).toMatchObject({ ok: true });
    expect(reads).toBeGreaterThan(0);
    reads = 0;
    expect(h.applyShared({ ...cfg, version: 'v2', generation: 2 })).toMatchObject({ ok: true });
    expect(reads).toBe(0);
    const fresh = { ...cfg, version: 'v3', generation: 3, rules: [{ ...cfg.rules[0]!, id: 'a2' }, cfg.rules[1]!] };
    expect(h.applyShared(fresh)).toMatchObject({ ok: true });
    expect(h.table!.hosts.lookup('a.test')!.matches[0]!.rule.id).toBe('a2');
  });

  it('still checks a known host against the rule count of each new config', () => {
    const h = holder();
    const cfg = valid();
    expect(h.applyShared(cfg)).toMatchObject({ ok: true });
    const shorter = { ...cfg, version: 'v2', generation: 2, rules: [cfg.rules[0]!] };
    expect(h.applyShared(shorter)).toEqual({
      ok: false,
      status: 400,
      error: 'invalid config at hosts.0.matches.1.rule: rule index out of range',
    });
    expect(h.table!.version).toBe('v1');
  });

  it('prepares any sequence of configs sharing objects (inserted, removed, moved, repeated) as a fresh check does', () => {
    // Rule and host objects from pools, shared between configs as the translator shares unchanged ones; the
    // preparer finds items at their old position or as far from the end, and must never take another's answer.
    const rules = Array.from({ length: 6 }, (_, i) => ({ id: `r${i}`, kind: 'http' as const }));
    const hostFor = new Map<string, ProxyConfigInput['hosts'][number]>();
    const host = (name: string, rule: number) =>
      hostFor.get(`${name}/${rule}`) ??
      hostFor
        .set(`${name}/${rule}`, { hostname: `${name}.test`, matches: [{ match: {}, rule }] })
        .get(`${name}/${rule}`)!;
    const config = fc.record({
      rules: fc.array(fc.nat(rules.length - 1), { minLength: 1, maxLength: 8 }),
      hosts: fc.array(fc.tuple(fc.constantFrom('a', 'b', 'c'), fc.nat(7)), { maxLength: 5 }),
    });
    fc.assert(
      fc.property(fc.array(config, { minLength: 1, maxLength: 8 }), (configs) => {
        const preparer = new ConfigPreparer('identity');
        configs.forEach((c, v) => {
          const input = {
            version: `v${v}`,
            rules: c.rules.map((i) => rules[i]!),
            // A host naming a rule past the list is refused (its message names it), wherever it was before.
            hosts: [...new Map(c.hosts.map(([name, rule]) => [name, host(name, rule)])).values()],
          };
          const whole = validateConfig(input);
          const got = preparer.prepare(input);
          if (whole.ok) expect(got).toEqual({ ok: true, prepared: prepareConfig(whole.cfg) });
          else expect(got).toEqual(whole);
        });
      }),
      { numRuns: propertyRuns(300) },
    );
  });
});
