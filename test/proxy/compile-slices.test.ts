// Compiling off the serving loop: a host's compile yields after every fresh RE2 compile (one can take ms) and
// every 64 matches, and standalone's push (applySharedYielding) lets the event loop run while it validates and
// compiles. Counted and ordered, not timed.
import { describe, expect, it } from '@jest/globals';
import { ConfigHolder } from '../../proxy/config/apply.js';
import type { ProxyHost } from '../../proxy/config/schema.js';
import { UpstreamRegistry } from '../../proxy/forward/upstream.js';
import { DEFAULT_LIMITS } from '../../proxy/limits.js';
import { ProxyMetrics } from '../../proxy/metrics.js';
import { RegexCache } from '../../proxy/router/regex.js';
import { compileHostSteps, type CompiledRule } from '../../proxy/router/table.js';
import { silentLogger } from '../../src/log.js';

const rules = [{ id: 'r' } as CompiledRule];

function regexHost(patterns: (i: number) => string, n: number): ProxyHost {
  return {
    hostname: 'a.test',
    matches: Array.from({ length: n }, (_, i) => ({
      match: { path: { type: 'RegularExpression', value: patterns(i) } },
      rule: 0,
    })),
  };
}

function countSteps(host: ProxyHost, regexes: RegexCache): number {
  const steps = compileHostSteps(host, rules, regexes);
  let yields = 0;
  while (!steps.next().done) yields++;
  return yields;
}

describe('compile slices', () => {
  it('yields after every fresh RE2 compile', () => {
    expect(
      countSteps(
        regexHost((i) => `/p${i}/[0-9]+`, 100),
        new RegexCache(),
      ),
    ).toBe(100);
  });

  it('yields every 64 matches when nothing new is compiled', () => {
    const regexes = new RegexCache();
    expect(
      countSteps(
        regexHost(() => '/same/[0-9]+', 640),
        regexes,
      ),
    ).toBe(1 + 10); // after the one compile, and after every 64th match
    regexes.rotate();
    expect(
      countSteps(
        regexHost(() => '/same/[0-9]+', 640),
        regexes,
      ),
    ).toBe(10); // reused from the previous config
  });

  it("standalone's push lets the event loop run before a big config is in place", async () => {
    const holder = new ConfigHolder(new UpstreamRegistry(DEFAULT_LIMITS), new ProxyMetrics(), silentLogger);
    const host = regexHost((i) => `/p${i}/[a-z]+`, 2000);
    const config = { version: 'v1', rules: [{ id: 'r', kind: 'http' }], hosts: [host] };
    let turns = 0;
    const ticking = () => {
      turns++;
      if (holder.table === undefined) setImmediate(ticking);
    };
    setImmediate(ticking);
    const result = await holder.applySharedYielding(config);
    expect(result).toEqual({ ok: true, version: 'v1' });
    // The 2,000 compiles (and the 2,000 matches' validation) took many turns; requests run in those turns.
    expect(turns).toBeGreaterThan(1);
  });
});
