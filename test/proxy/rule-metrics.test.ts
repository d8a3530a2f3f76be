// Per-rule metrics kept as plain numbers: the scrape output must read as prom-client's own counter and
// histogram did (cumulative buckets, le ≤ bound), and cluster aggregation must sum them.
import { describe, expect, it } from '@jest/globals';
import { AggregatorRegistry } from 'prom-client';
import { ProxyMetrics } from '../../proxy/metrics.js';
import type { CompiledRule } from '../../proxy/router/table.js';

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
    const merged = AggregatorRegistry.aggregate([await a.registry.getMetricsAsJSON(), await b.registry.getMetricsAsJSON()]);
    const text = await merged.metrics();
    expect(text).toContain('proxy_requests_total{rule="r",code="2xx"} 2');
    expect(text).toContain('proxy_request_duration_seconds_bucket{le="0.01",rule="r"} 1');
    expect(text).toContain('proxy_request_duration_seconds_bucket{le="+Inf",rule="r"} 2');
  });
});
