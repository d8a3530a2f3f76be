// The per-session token bucket behind the HTTP/2 rapid-reset guard (proxy/server/reset-budget.ts), on an
// injected clock. The guard against a real client is test/robustness/rapid-reset.test.ts.
import { describe, expect, it } from '@jest/globals';
import { ResetBudget } from '../../proxy/server/reset-budget.js';

describe('ResetBudget', () => {
  it('allows a burst of `rate` resets, then refuses until time refills it', () => {
    const budget = new ResetBudget(200);
    const t0 = performance.now();
    let allowed = 0;
    while (budget.take(t0)) allowed++;
    expect(allowed).toBe(200);
    expect(budget.take(t0)).toBe(false);
    // 50 ms refill 10 tokens at 200/s.
    let refilled = 0;
    while (budget.take(t0 + 50)) refilled++;
    expect(refilled).toBe(10);
  });

  it('sustains exactly `rate` resets a second', () => {
    const budget = new ResetBudget(100);
    const t0 = performance.now();
    while (budget.take(t0));
    let allowed = 0;
    for (let ms = 1; ms <= 10_000; ms++) if (budget.take(t0 + ms)) allowed++;
    expect(allowed).toBeGreaterThanOrEqual(999);
    expect(allowed).toBeLessThanOrEqual(1000);
  });

  it('is full again once a second passes without resets, and never holds more than one burst', () => {
    const budget = new ResetBudget(100);
    const t0 = performance.now();
    expect(budget.full(t0)).toBe(true);
    budget.take(t0);
    expect(budget.full(t0)).toBe(false);
    expect(budget.full(t0 + 1000)).toBe(true);
    let allowed = 0;
    while (budget.take(t0 + 60_000)) allowed++;
    expect(allowed).toBe(100);
  });
});
