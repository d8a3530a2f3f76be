// Faults through the real SDK: 429 storms, 5xx bursts, slow answers, revoked tokens. The adapter must hand
// the actor a precise hint, stay inside its request budget, and converge later with nothing lost.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { Registry } from 'prom-client';
import { startFakeCloudflare, type FakeCloudflare, type FakeTunnel } from '../support/fake-cloudflare/index.js';
import type { EdgeResult } from '../../src/core/ports.js';
import { TestClock, configIngress, configWrites, desiredFor, edgeFor, type Desired } from './helpers.js';

let fake: FakeCloudflare;
let tunnel: FakeTunnel;

beforeEach(async () => {
  fake = await startFakeCloudflare();
  tunnel = fake.store.addTunnel('existing');
  fake.store.addZone('example.com');
});
afterEach(() => fake.close());

const recordNames = () => [...fake.store.records.values()].map((r) => r.name).sort();

/** What the edge actor does: call, and on failure wait what the adapter says (simulated clock). */
async function converge(
  reconcile: (d: Desired) => Promise<EdgeResult>,
  desired: () => Desired,
  clock: TestClock,
  max = 50,
) {
  const results: EdgeResult[] = [];
  for (let i = 0; i < max; i++) {
    const r = await reconcile(desired());
    results.push(r);
    if (r.ok) return results;
    clock.advance(r.retryAfterMs ?? 1_000);
  }
  throw new Error(`no convergence: ${JSON.stringify(results.at(-1))}`);
}

describe('429', () => {
  it('honours Retry-After: one call per storm window, then converges with the change made meanwhile', async () => {
    const clock = new TestClock();
    const edge = edgeFor(fake, { tunnelId: tunnel.id, now: clock.now });
    fake.faults.rateLimit(3, 20);
    const first = await edge.reconcile(desiredFor(['a.example.com']));
    expect(first).toMatchObject({ ok: false, retryAfterMs: 20_000, error: expect.stringContaining('429') });
    // A caller that ignores the hint costs Cloudflare nothing: the adapter refuses locally.
    for (let i = 0; i < 20; i++) {
      expect(await edge.reconcile(desiredFor(['a.example.com']))).toMatchObject({ ok: false, retryAfterMs: 20_000 });
    }
    expect(fake.calls).toHaveLength(1);
    let hosts = ['a.example.com'];
    clock.advance(20_000);
    hosts = ['a.example.com', 'b.example.com'];
    const results = await converge(
      (d) => edge.reconcile(d),
      () => desiredFor(hosts),
      clock,
    );
    expect(results.filter((r) => !r.ok)).toHaveLength(2);
    expect(fake.calls.filter((c) => c.status === 429)).toHaveLength(3);
    expect(recordNames()).toEqual(['a.example.com', 'b.example.com']);
    expect(configWrites(fake)).toHaveLength(1);
  });

  it('never exceeds the client-side budget, however hard the caller hammers', async () => {
    const clock = new TestClock();
    const edge = edgeFor(fake, {
      tunnelId: tunnel.id,
      now: clock.now,
      rateLimit: { capacity: 10, refillPerSecond: 0.01 },
      maxThrottleWaitMs: 0,
    });
    fake.faults.rateLimit(10_000, 0); // Retry-After: 0, the worst case for a naive client
    const results: EdgeResult[] = [];
    for (let i = 0; i < 100; i++) results.push(await edge.reconcile(desiredFor(['a.example.com'])));
    expect(fake.calls).toHaveLength(10);
    expect(results.at(-1)).toMatchObject({
      ok: false,
      error: expect.stringContaining('client-side rate limit'),
      retryAfterMs: expect.any(Number),
    });
    expect(edge.stats().apiRequests).toBe(10);
  });
});

describe('5xx', () => {
  it('reports a failed configuration write as transient and writes it once it recovers', async () => {
    const clock = new TestClock();
    const edge = edgeFor(fake, { tunnelId: tunnel.id, now: clock.now });
    fake.faults.serverErrors(2, 502, { method: 'PUT' });
    const r1 = await edge.reconcile(desiredFor(['a.example.com']));
    expect(r1).toEqual({ ok: false, error: expect.stringMatching(/502 \(transient, retry\)/) });
    expect(recordNames()).toEqual([]); // DNS waits for the ingress rule
    const results = await converge(
      (d) => edge.reconcile(d),
      () => desiredFor(['a.example.com', 'c.example.com']),
      clock,
    );
    expect(results).toHaveLength(2);
    expect(configIngress(fake, tunnel.id).map((r) => r.hostname)).toEqual([
      'a.example.com',
      'c.example.com',
      undefined,
    ]);
    expect(recordNames()).toEqual(['a.example.com', 'c.example.com']);
  });

  it('a failed DNS batch does not repeat the configuration write', async () => {
    const clock = new TestClock();
    const edge = edgeFor(fake, { tunnelId: tunnel.id, now: clock.now });
    fake.faults.serverErrors(3, 503, { path: '/dns_records/batch' });
    await converge(
      (d) => edge.reconcile(d),
      () => desiredFor(['a.example.com']),
      clock,
    );
    expect(configWrites(fake)).toHaveLength(1);
    expect(fake.calls.filter((c) => c.path.endsWith('/batch')).map((c) => c.status)).toEqual([503, 503, 503, 200]);
    expect(recordNames()).toEqual(['a.example.com']);
  });
});

describe('other faults', () => {
  it('gives up on a slow answer when the caller aborts, then converges', async () => {
    const edge = edgeFor(fake, { tunnelId: tunnel.id });
    // An answer that would come long after this test's timeout: only giving up can end the call.
    fake.faults.slow(1, 10 * 60_000);
    expect(await edge.reconcile(desiredFor(['a.example.com']), AbortSignal.timeout(200))).toEqual({
      ok: false,
      error: 'aborted',
    });
    // The slow call is still unanswered on the fake's side: the edge did not wait for it.
    expect(fake.calls.filter((c) => c.status === 0)).toHaveLength(1);
    expect(await edge.reconcile(desiredFor(['a.example.com']))).toMatchObject({ ok: true, writes: 2 });
  });

  it('explains a rejected token without a retry hint', async () => {
    const edge = edgeFor(fake, { tunnelId: tunnel.id });
    fake.faults.authFailure(1);
    const r = await edge.reconcile(desiredFor(['a.example.com']));
    expect(r).toEqual({ ok: false, error: expect.stringMatching(/token rejected \(403\): code 10000/) });
  });

  it('counts calls, errors, writes and the last success in its registry', async () => {
    const registry = new Registry();
    const edge = edgeFor(fake, { tunnelId: tunnel.id, registry });
    fake.faults.serverErrors(1, 500, { method: 'PUT' });
    await edge.reconcile(desiredFor(['a.example.com']));
    await edge.reconcile(desiredFor(['a.example.com']));
    const text = await registry.metrics();
    expect(text).toContain(
      'tunnel_gateway_cloudflare_api_requests_total{method="PUT",resource="tunnel_configuration",status="500"} 1',
    );
    expect(text).toContain(
      'tunnel_gateway_cloudflare_api_requests_total{method="PUT",resource="tunnel_configuration",status="200"} 1',
    );
    expect(text).toContain(
      'tunnel_gateway_cloudflare_api_requests_total{method="POST",resource="dns_records_batch",status="200"} 1',
    );
    expect(text).toContain('tunnel_gateway_cloudflare_errors_total{type="server"} 1');
    expect(text).toContain('tunnel_gateway_cloudflare_writes_total{kind="ingress"} 1');
    expect(text).toContain('tunnel_gateway_cloudflare_writes_total{kind="dns_create"} 1');
    const last = /^tunnel_gateway_cloudflare_last_success_timestamp_seconds (\S+)$/m.exec(text);
    expect(Number(last?.[1])).toBeGreaterThan(Date.now() / 1000 - 60);
  });
});
