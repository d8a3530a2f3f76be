// Per-rule metrics kept as plain numbers: the scrape output must read as prom-client's own counter and
// histogram did (cumulative buckets, le ≤ bound), cluster aggregation must sum them, and the series of a
// rule the config dropped go once its grace period passed.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { AggregatorRegistry } from 'prom-client';
import { ProxyMetrics } from '../../proxy/metrics.js';
import type { RunningProxy } from '../../proxy/index.js';
import type { CompiledRule } from '../../proxy/router/table.js';
import { startEchoBackend, type EchoBackend } from '../support/backends.js';
import { ConfigBuilder, backend, prefix, send, startTestProxy } from './helpers.js';

const rule = (id: string) => ({ id, metrics: {} }) as unknown as CompiledRule;

describe('per-rule metrics', () => {
  it('counts by status class and fills cumulative buckets (a value on a bound counts in it)', async () => {
    const m = new ProxyMetrics();
    const r = rule('HTTPRoute/ns/a/0');
    m.observe(r, 200, 0.005);
    m.observe(r, 204, 0.2);
    m.observe(r, 503, 31);
    m.observe(undefined, 404, 0.0001);
    const text = await m.registry.metrics();
    expect(text).toContain('proxy_requests_total{rule="HTTPRoute/ns/a/0",code="2xx"} 2');
    expect(text).toContain('proxy_requests_total{rule="HTTPRoute/ns/a/0",code="5xx"} 1');
    expect(text).toContain('proxy_requests_total{rule="none",code="4xx"} 1');
    expect(text).toContain('proxy_request_duration_seconds_bucket{le="0.0025",rule="HTTPRoute/ns/a/0"} 0');
    expect(text).toContain('proxy_request_duration_seconds_bucket{le="0.005",rule="HTTPRoute/ns/a/0"} 1');
    expect(text).toContain('proxy_request_duration_seconds_bucket{le="0.25",rule="HTTPRoute/ns/a/0"} 2');
    expect(text).toContain('proxy_request_duration_seconds_bucket{le="30",rule="HTTPRoute/ns/a/0"} 2');
    expect(text).toContain('proxy_request_duration_seconds_bucket{le="+Inf",rule="HTTPRoute/ns/a/0"} 3');
    expect(text).toContain('proxy_request_duration_seconds_count{rule="HTTPRoute/ns/a/0"} 3');
    expect(text).toMatch(/proxy_request_duration_seconds_sum\{rule="HTTPRoute\/ns\/a\/0"\} 31\.205/);
  });

  it('a rule recompiled under the same id keeps counting where the old one left off', async () => {
    const m = new ProxyMetrics();
    m.observe(rule('r'), 200, 0.01);
    m.observe(rule('r'), 200, 0.01);
    expect(await m.registry.metrics()).toContain('proxy_requests_total{rule="r",code="2xx"} 2');
  });

  it('sums across workers when aggregated', async () => {
    const a = new ProxyMetrics();
    const b = new ProxyMetrics();
    a.observe(rule('r'), 200, 0.01);
    b.observe(rule('r'), 200, 2);
    const merged = AggregatorRegistry.aggregate([
      await a.registry.getMetricsAsJSON(),
      await b.registry.getMetricsAsJSON(),
    ]);
    const text = await merged.metrics();
    expect(text).toContain('proxy_requests_total{rule="r",code="2xx"} 2');
    expect(text).toContain('proxy_request_duration_seconds_bucket{le="0.01",rule="r"} 1');
    expect(text).toContain('proxy_request_duration_seconds_bucket{le="+Inf",rule="r"} 2');
  });
});

describe('per-rule metrics of rules that left the table (injected clock)', () => {
  const scrape = async (m: ProxyMetrics) =>
    (await m.registry.metrics()).split('\n').filter((l) => l.startsWith('proxy_requests_total{'));

  it('keeps a dropped rule for its grace period, then drops it; "none" always stays', async () => {
    let clock = 0;
    const m = new ProxyMetrics({ retiredRuleMs: 1000, now: () => clock });
    m.observe(rule('a'), 200, 0.01);
    m.observe(rule('b'), 200, 0.01);
    m.observe(undefined, 404, 0.01);
    m.rulesServed(['b']);
    clock = 999;
    expect(await scrape(m)).toHaveLength(3);
    clock = 1000;
    expect((await scrape(m)).sort()).toEqual([
      'proxy_requests_total{rule="b",code="2xx"} 1',
      'proxy_requests_total{rule="none",code="4xx"} 1',
    ]);
    m.rulesServed([]);
    clock = 5000;
    expect(await scrape(m)).toEqual(['proxy_requests_total{rule="none",code="4xx"} 1']);
  });

  it('forgets the grace period of a rule that is served again', async () => {
    let clock = 0;
    const m = new ProxyMetrics({ retiredRuleMs: 1000, now: () => clock });
    m.observe(rule('a'), 200, 0.01);
    m.rulesServed([]);
    clock = 500;
    m.rulesServed(['a']);
    clock = 10_000;
    expect(await scrape(m)).toEqual(['proxy_requests_total{rule="a",code="2xx"} 1']);
  });
});

describe('per-rule metrics across config swaps', () => {
  let app: EchoBackend;
  let proxy: RunningProxy;
  const GRACE_MS = 100;

  beforeAll(async () => {
    app = await startEchoBackend('app');
    proxy = await startTestProxy({ retiredRuleMetricsMs: GRACE_MS });
  });

  afterAll(async () => {
    await proxy.close(0);
    await app.close();
  });

  const configWithRule = (id: string, generation: number) => {
    const b = new ConfigBuilder();
    b.route('app.test', prefix('/'), b.rule(id, [backend(app)]));
    return b.build(generation);
  };

  /** Series of each metric family for rules other than "none". */
  async function seriesCount(): Promise<{ requests: number; histogram: number }> {
    const lines = (await proxy.metrics.metrics())
      .split('\n')
      .filter((l) => l.includes('rule="') && !l.includes('rule="none"'));
    return {
      requests: lines.filter((l) => l.startsWith('proxy_requests_total{')).length,
      histogram: lines.filter((l) => l.startsWith('proxy_request_duration_seconds')).length,
    };
  }

  it('drops the series of rules that left the table once their grace period passed: 300 configs, one live rule', async () => {
    for (let g = 1; g <= 300; g++) {
      expect(proxy.applyConfig(configWithRule(`rule-${g}`, g))).toMatchObject({ ok: true });
      expect((await send(proxy.ports.http, 'app.test', '/')).status).toBe(200);
    }
    await new Promise((r) => setTimeout(r, GRACE_MS * 2));
    // 14 buckets + +Inf + _sum + _count for the one live rule.
    expect(await seriesCount()).toEqual({ requests: 1, histogram: 17 });
    expect(await proxy.metrics.metrics()).toContain('proxy_requests_total{rule="rule-300",code="2xx"} 1');
  });

  it('keeps the numbers of a rule that comes back within its grace period', async () => {
    proxy.applyConfig(configWithRule('back', 1000));
    await send(proxy.ports.http, 'app.test', '/');
    proxy.applyConfig(configWithRule('gone-for-a-moment', 1001));
    proxy.applyConfig(configWithRule('back', 1002));
    await send(proxy.ports.http, 'app.test', '/');
    await new Promise((r) => setTimeout(r, GRACE_MS * 2));
    const text = await proxy.metrics.metrics();
    expect(text).toContain('proxy_requests_total{rule="back",code="2xx"} 2');
    expect(text).not.toContain('rule="rule-300"');
  });

  it('keeps the numbers of a rule that comes back beside the rule that replaced it (a swap that drops no rule)', async () => {
    const withRules = (ids: string[], generation: number) => {
      const b = new ConfigBuilder();
      for (const id of ids) b.route('app.test', prefix(`/${id}`), b.rule(id, [backend(app)]));
      return b.build(generation);
    };
    proxy.applyConfig(withRules(['kept'], 1500));
    await send(proxy.ports.http, 'app.test', '/kept');
    proxy.applyConfig(withRules(['other'], 1501));
    proxy.applyConfig(withRules(['other', 'kept'], 1502));
    await send(proxy.ports.http, 'app.test', '/kept');
    await new Promise((r) => setTimeout(r, GRACE_MS * 2));
    expect(await proxy.metrics.metrics()).toContain('proxy_requests_total{rule="kept",code="2xx"} 2');
  });

  it('counts afresh a rule that comes back after its grace period, even when no scrape swept it', async () => {
    proxy.applyConfig(configWithRule('late', 2000));
    await send(proxy.ports.http, 'app.test', '/');
    proxy.applyConfig(configWithRule('gone-for-long', 2001));
    await new Promise((r) => setTimeout(r, GRACE_MS * 2));
    proxy.applyConfig(configWithRule('late', 2002));
    await send(proxy.ports.http, 'app.test', '/');
    expect(await proxy.metrics.metrics()).toContain('proxy_requests_total{rule="late",code="2xx"} 1');
  });
});
