// The incremental compiler: unchanged rules and hosts are reused from the running table, and whatever
// was reused, every request resolves exactly as a from-scratch compile of the same config would.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { caCertificateId, parseProxyConfig, type ProxyConfigInput } from '../../proxy/config/schema.js';
import { prepareConfig } from '../../proxy/config/prepared.js';
import { ConfigHolder } from '../../proxy/config/apply.js';
import { runInSlices, runToEnd, TableCompiler } from '../../proxy/router/compiler.js';
import { compileTable, type RoutingTable } from '../../proxy/router/table.js';
import { firstMatch } from '../../proxy/router/select.js';
import { RequestMatchInput } from '../../proxy/router/match.js';
import { UpstreamRegistry } from '../../proxy/forward/upstream.js';
import { DEFAULT_LIMITS } from '../../proxy/limits.js';
import { ProxyMetrics } from '../../proxy/metrics.js';
import { silentLogger } from '../../src/log.js';
import { createTestCa } from '../support/test-ca.js';

type RuleInput = ProxyConfigInput['rules'][number];

function rule(id: string, port: number, header?: string): RuleInput {
  const filters = header
    ? [{ type: 'RequestHeaderModifier' as const, requestHeaderModifier: { set: [{ name: 'x-v', value: header }] } }]
    : [];
  return {
    id,
    kind: 'http',
    filters,
    backends: [{ name: `b${port}`, weight: 1, endpoints: [{ address: '127.0.0.1', port }] }],
  };
}

/** n path routes spread over hosts of 10; `changed` rules get a different filter value. */
function config(n: number, changed: ReadonlySet<number> = new Set(), generation?: number): ProxyConfigInput {
  const rules = Array.from({ length: n }, (_, i) =>
    rule(`r${i}`, 1000 + (i % 3), changed.has(i) ? 'changed' : undefined),
  );
  const hosts = Array.from({ length: Math.ceil(n / 10) }, (_, h) => ({
    hostname: `h${h}.test`,
    matches: rules.slice(h * 10, h * 10 + 10).map((_, k) => ({
      match: { path: { type: 'PathPrefix' as const, value: `/p${h * 10 + k}` } },
      rule: h * 10 + k,
    })),
  }));
  return { version: `v${n}-${[...changed].join(',')}`, generation, rules, hosts };
}

function compiler() {
  const registry = new UpstreamRegistry(DEFAULT_LIMITS);
  return { registry, compiler: new TableCompiler(registry) };
}

function resolve(table: RoutingTable, host: string, path: string): string | undefined {
  const entry = table.hosts.lookup(host);
  return entry && firstMatch(entry, new RequestMatchInput('GET', path, {}, ''))?.rule.id;
}

function compileIncrementally(c: TableCompiler, input: ProxyConfigInput) {
  const compiled = runToEnd(c.compile(prepareConfig(parseProxyConfig(input)), 0));
  c.commit(compiled);
  return compiled;
}

describe('incremental compile', () => {
  it('reuses every unchanged rule and host object, and compiles only what changed', () => {
    const { compiler: c } = compiler();
    const first = compileIncrementally(c, config(100));
    expect(first.reused).toEqual({ rules: 0, hosts: 0 });
    const second = compileIncrementally(c, config(100, new Set([42])));
    expect(second.reused).toEqual({ rules: 99, hosts: 9 });
    const rulesOf = (t: RoutingTable, host: string) => t.hosts.lookup(host)!.matches.map((m) => m.rule);
    expect(rulesOf(second.table, 'h0.test')).toEqual(
      rulesOf(first.table, 'h0.test').map((r) => expect.objectContaining({ id: r.id })),
    );
    expect(rulesOf(second.table, 'h0.test')[3]).toBe(rulesOf(first.table, 'h0.test')[3]);
    expect(rulesOf(second.table, 'h4.test')[2]).not.toBe(rulesOf(first.table, 'h4.test')[2]);
    expect(second.table.hosts.lookup('h0.test')).toBe(first.table.hosts.lookup('h0.test'));
  });

  it('recompiles a host whose text is unchanged when a rule it points at changed', () => {
    const { compiler: c } = compiler();
    compileIncrementally(c, config(20));
    const next = compileIncrementally(c, config(20, new Set([5])));
    expect(next.reused.hosts).toBe(1);
    const changed = next.table.hosts.lookup('h0.test')!.matches[5]!.rule;
    expect(changed.filters.empty).toBe(false);
  });

  it('resolves every request as a from-scratch compile does, over any sequence of configs', () => {
    const configArb = fc.record({
      n: fc.integer({ min: 1, max: 40 }),
      changed: fc.uniqueArray(fc.integer({ min: 0, max: 39 }), { maxLength: 5 }),
    });
    fc.assert(
      fc.property(fc.array(configArb, { minLength: 1, maxLength: 6 }), (steps) => {
        const { compiler: c, registry } = compiler();
        for (const step of steps) {
          const input = config(step.n, new Set(step.changed));
          const incremental = compileIncrementally(c, input).table;
          const fresh = compileTable(parseProxyConfig(input), registry);
          for (let i = 0; i < 45; i++) {
            const host = `h${Math.floor(i / 10)}.test`;
            const path = `/p${i}/x`;
            expect(resolve(incremental, host, path)).toBe(resolve(fresh, host, path));
          }
          const hasFilter = (t: RoutingTable) => t.hosts.lookup('h0.test')?.matches.map((m) => !m.rule.filters.empty);
          expect(hasFilter(incremental)).toEqual(hasFilter(fresh));
        }
      }),
      { numRuns: 60 },
    );
  });

  it('keeps the upstream pools of reused rules in the new table', () => {
    const { compiler: c } = compiler();
    const first = compileIncrementally(c, config(30));
    const next = compileIncrementally(c, config(30, new Set([1])));
    expect([...next.table.upstreams].map((u) => u.port).sort()).toEqual(
      [...first.table.upstreams].map((u) => u.port).sort(),
    );
    expect(next.table.upstreams.size).toBe(3);
  });
});

describe('incremental compile of rules inserted, removed and changed anywhere', () => {
  interface Spec {
    id: number;
    variant: boolean;
    port: number;
  }
  const HOSTS = 3;
  const hostOf = (id: number) => `h${id % HOSTS}.test`;
  /** Rules in the order given; each host's matches name its rules by index, so a shift renumbers them. */
  const configOf = (specs: Spec[], version: number): ProxyConfigInput => ({
    version: `v${version}`,
    rules: specs.map((s) => rule(`r${s.id}`, s.port, s.variant ? 'changed' : undefined)),
    hosts: Array.from({ length: HOSTS }, (_, h) => ({
      hostname: `h${h}.test`,
      matches: specs.flatMap((s, i) =>
        s.id % HOSTS === h ? [{ match: { path: { type: 'PathPrefix' as const, value: `/p${s.id}` } }, rule: i }] : [],
      ),
    })),
  });
  const specs = fc
    .uniqueArray(
      fc.record({ id: fc.integer({ min: 0, max: 11 }), variant: fc.boolean(), port: fc.constantFrom(1, 2, 3, 4) }),
      { selector: (s) => s.id, maxLength: 10 },
    )
    .map((list) => list.map((s) => ({ ...s, port: 1000 + s.port })));
  const ports = (set: ReadonlySet<{ port: number }>) => [...set].map((u) => u.port).sort();

  it('serves as a from-scratch compile, and reports the pools and rule ids that came and went', () => {
    fc.assert(
      fc.property(fc.array(specs, { minLength: 1, maxLength: 6 }), (steps) => {
        const { compiler: c, registry } = compiler();
        let before: RoutingTable | undefined;
        let beforeIds = new Set<string>();
        steps.forEach((step, k) => {
          const input = configOf(step, k);
          const compiled = compileIncrementally(c, input);
          const fresh = compileTable(parseProxyConfig(input), registry);
          for (let id = 0; id < 12; id++) {
            const served = (t: RoutingTable) => {
              const entry = t.hosts.lookup(hostOf(id));
              const m = entry && firstMatch(entry, new RequestMatchInput('GET', `/p${id}`, {}, ''));
              return m && { rule: m.rule.id, filtered: !m.rule.filters.empty, ports: m.rule.backends.length };
            };
            expect(served(compiled.table)).toEqual(served(fresh));
          }
          expect(ports(compiled.table.upstreams)).toEqual(ports(fresh.upstreams));
          const ids = new Set(step.map((s) => `r${s.id}`));
          expect(new Set(compiled.ruleIdUses.appeared)).toEqual(new Set([...ids].filter((id) => !beforeIds.has(id))));
          expect(new Set(compiled.ruleIdUses.vanished)).toEqual(new Set([...beforeIds].filter((id) => !ids.has(id))));
          const droppedPool =
            before !== undefined && ports(before.upstreams).some((p) => !ports(fresh.upstreams).includes(p));
          expect(compiled.upstreamUses.vanished.length > 0).toBe(droppedPool);
          [before, beforeIds] = [compiled.table, ids];
        });
      }),
      { numRuns: 200 },
    );
  });

  it('copies the rules around one changed in place, and recompiles only the host that names it', () => {
    const { compiler: c } = compiler();
    const list = Array.from({ length: 30 }, (_, id) => ({ id, variant: false, port: 1000 }));
    const first = compileIncrementally(c, configOf(list, 0));
    const next = compileIncrementally(
      c,
      configOf(
        list.map((s) => (s.id === 7 ? { ...s, variant: true } : s)),
        1,
      ),
    );
    expect(next.reused).toEqual({ rules: 29, hosts: 2 });
    expect(next.rules.filter((r, i) => r !== first.rules[i]).map((r) => r.id)).toEqual(['r7']);
    expect(next.table.upstreams).toBe(first.table.upstreams);
    expect(next.ruleIdUses).toMatchObject({ appeared: [], vanished: [] });
  });
});

describe('incremental compile: what it finds where', () => {
  const withRules = (version: string, ids: string[], hosts: Array<{ name: string; rule: number }>) => ({
    version,
    rules: ids.map((id) => rule(id, 1000)),
    hosts: hosts.map((h) => ({
      hostname: `${h.name}.test`,
      matches: [{ match: { path: { type: 'PathPrefix' as const, value: '/' } }, rule: h.rule }],
    })),
  });
  const ruleOf = (t: RoutingTable, host: string) => t.hosts.lookup(`${host}.test`)!.matches[0]!.rule;

  it('finds rules that moved by their text, and keeps their compiled form', () => {
    const { compiler: c } = compiler();
    const hosts = [{ name: 'h', rule: 0 }];
    const first = compileIncrementally(c, withRules('v1', ['a', 'b', 'c'], hosts));
    const next = compileIncrementally(c, withRules('v2', ['c', 'a', 'b'], hosts));
    expect(next.reused.rules).toBe(3);
    const byId = (rules: readonly { id: string }[]) => new Map(rules.map((r) => [r.id, r]));
    for (const id of ['a', 'b', 'c']) expect(byId(next.rules).get(id)).toBe(byId(first.rules).get(id));
    // The host's text is the same, but its rule 0 is now c: it is compiled again.
    expect(ruleOf(next.table, 'h').id).toBe('c');
  });

  it('keeps the hosts after a new first host, each where it now is', () => {
    const { compiler: c } = compiler();
    const ids = ['a', 'b', 'c'];
    const hosts = ids.map((_, i) => ({ name: `h${i}`, rule: i }));
    const first = compileIncrementally(c, withRules('v1', ids, hosts));
    const next = compileIncrementally(c, withRules('v2', ids, [{ name: 'new', rule: 0 }, ...hosts]));
    expect(next.reused.hosts).toBe(3);
    for (const h of hosts)
      expect(next.table.hosts.lookup(`${h.name}.test`)).toBe(first.table.hosts.lookup(`${h.name}.test`));
  });

  it('compiles again a host whose text is the same when a rule came in before the one it names', () => {
    const { compiler: c } = compiler();
    compileIncrementally(c, withRules('v1', ['a', 'c'], [{ name: 'h', rule: 1 }]));
    const next = compileIncrementally(c, withRules('v2', ['a', 'b', 'c'], [{ name: 'h', rule: 1 }]));
    expect(ruleOf(next.table, 'h').id).toBe('b');
  });

  it('compiles again a host whose text is the same when a rule before the one it names went away', () => {
    const { compiler: c, registry } = compiler();
    compileIncrementally(c, withRules('v1', ['a', 'b', 'c'], [{ name: 'h', rule: 1 }]));
    const input = withRules('v2', ['a', 'c'], [{ name: 'h', rule: 1 }]);
    const next = compileIncrementally(c, input);
    expect(ruleOf(next.table, 'h').id).toBe('c');
    expect(ruleOf(next.table, 'h').id).toBe(ruleOf(compileTable(parseProxyConfig(input), registry), 'h').id);
  });
});

describe('compile steps', () => {
  it('hands the caller a point to yield every 64 rules and every 64 hosts, never per item nor never', () => {
    const { compiler: c } = compiler();
    const steps = c.compile(prepareConfig(parseProxyConfig(config(700))), 0); // 700 rules, 70 hosts
    let yields = 0;
    while (!steps.next().done) yields++;
    expect(yields).toBe(Math.floor(700 / 64) + Math.floor(70 / 64));
  });

  it("compiles a rule whose backend names one of the config's CA bundles", () => {
    const pem = createTestCa().cert;
    const id = caCertificateId(pem);
    const withCa: ProxyConfigInput = {
      version: 'ca',
      rules: [
        {
          id: 'r',
          kind: 'http',
          backends: [
            {
              name: 's',
              weight: 1,
              endpoints: [{ address: '127.0.0.1', port: 8443 }],
              tls: { serverName: 's.example', ca: id },
            },
          ],
        },
      ],
      hosts: [{ hostname: 'a.test', matches: [{ match: {}, rule: 0 }] }],
      caCertificates: [{ id, pem }],
    };
    const { compiler: c } = compiler();
    expect(resolve(compileIncrementally(c, withCa).table, 'a.test', '/')).toBe('r');
  });

  it('compiles a config without any CA bundle list (a worker delta may carry none)', () => {
    const { compiler: c } = compiler();
    const prepared = { ...prepareConfig(parseProxyConfig(config(3))), caCertificates: undefined };
    expect(resolve(runToEnd(c.compile(prepared, 0)).table, 'h0.test', '/p1')).toBe('r1');
  });

  it('carries the access log switch and the Gateways to the table', () => {
    const { compiler: c } = compiler();
    const plain = compileIncrementally(c, config(3)).table;
    expect(plain.accessLog).toBe(false);
    expect(plain.gateways).toEqual([]);
    const logged = compileIncrementally(c, { ...config(3), version: 'logged', accessLog: true }).table;
    expect(logged.accessLog).toBe(true);
  });
});

describe('runInSlices', () => {
  function* work(steps: number, busyMs: number): Generator<void, number> {
    for (let i = 0; i < steps; i++) {
      const until = performance.now() + busyMs;
      while (performance.now() < until);
      yield;
    }
    return steps;
  }

  /** Whether the event loop got a turn while `run` ran (a callback queued before it ran). */
  async function loopTurned(run: () => Promise<number>): Promise<boolean> {
    let turned = false;
    setImmediate(() => (turned = true));
    await run();
    return turned;
  }

  it('runs quick work in one slice, without giving the event loop a turn', async () => {
    expect(await loopTurned(() => runInSlices(work(50, 0), 50))).toBe(false);
  });

  it('gives the event loop a turn once a slice has run its time', async () => {
    expect(await loopTurned(() => runInSlices(work(6, 2), 4))).toBe(true);
  });
});

describe('ConfigHolder with slices', () => {
  const holder = () => new ConfigHolder(new UpstreamRegistry(DEFAULT_LIMITS), new ProxyMetrics(), silentLogger);

  it('never lets an older generation compiled in slices overwrite a newer one applied meanwhile', async () => {
    const h = holder();
    const slow = h.applyPrepared(prepareConfig(parseProxyConfig(config(3000, new Set(), 1))));
    await new Promise((r) => setImmediate(r));
    expect(h.apply(config(10, new Set([1]), 2))).toMatchObject({ ok: true });
    const result = await slow;
    expect(h.table!.generation).toBe(2);
    expect(resolve(h.table!, 'h0.test', '/p1')).toBe('r1');
    expect(h.table!.hosts.lookup('h200.test')).toBeUndefined();
    // Either it was refused as stale, or it landed before the newer one did.
    if (!result.ok) expect(result.status).toBe(409);
  });

  it('applies queued pushes in arrival order', async () => {
    const h = holder();
    const results = await Promise.all([1, 2, 3].map((g) => h.applyYielding(config(50, new Set([g]), g))));
    expect(results.every((r) => r.ok)).toBe(true);
    expect(h.table!.generation).toBe(3);
    expect(h.table!.version).toBe(config(50, new Set([3])).version);
  });

  it('refuses a config that does not compile and keeps the running table', async () => {
    const h = holder();
    expect(h.apply(config(5))).toMatchObject({ ok: true });
    const bad = config(5, new Set(), 1);
    bad.version = 'bad';
    bad.hosts[0]!.matches[0]!.match = { path: { type: 'RegularExpression', value: '(unclosed' } };
    const result = await h.applyPrepared(prepareConfig(parseProxyConfig(bad)));
    expect(result).toMatchObject({ ok: false, status: 400 });
    expect(h.table!.version).toBe(config(5).version);
  });
});
