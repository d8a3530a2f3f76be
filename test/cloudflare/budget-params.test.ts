// Pure: the request budget holds Cloudflare's quota in every window; Retry-After parsing; parameters.
import { describe, expect, it } from '@jest/globals';
import fc from 'fast-check';
import { CLOUDFLARE_BUDGET, TokenBucket } from '../../src/cloudflare/token-bucket.js';
import { parseRetryAfter } from '../../src/cloudflare/errors.js';
import { validateEdgeParameters } from '../../src/cloudflare/params.js';

const WINDOW_MS = 300_000;

describe('TokenBucket', () => {
  it('admits at most 1,200 requests in any 5-minute window, whatever the arrival pattern', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 2_000 }), { minLength: 1, maxLength: 4_000 }), (gaps) => {
        let t = 0;
        const bucket = new TokenBucket(CLOUDFLARE_BUDGET, () => t);
        const admitted: number[] = [];
        for (const gap of gaps) {
          t += gap;
          const r = bucket.reserve(0);
          if (r.ok) admitted.push(t);
        }
        for (let i = 0, j = 0; i < admitted.length; i++) {
          while (admitted[i]! - admitted[j]! >= WINDOW_MS) j++;
          if (i - j + 1 > 1200) return false;
        }
        return true;
      }),
      { numRuns: 60 },
    );
  });

  it('says how long to wait, and reserves only within maxWaitMs', () => {
    let t = 0;
    const bucket = new TokenBucket({ capacity: 1, refillPerSecond: 2 }, () => t);
    expect(bucket.reserve(0)).toEqual({ ok: true, waitMs: 0 });
    expect(bucket.reserve(100)).toEqual({ ok: false, retryAfterMs: 500 });
    expect(bucket.reserve(500)).toEqual({ ok: true, waitMs: 500 });
    t += 1_000;
    expect(bucket.available()).toBeCloseTo(1);
  });
});

describe('parseRetryAfter', () => {
  const now = Date.parse('2026-01-01T00:00:00Z');
  it.each([
    ['7', 7_000],
    ['0', 0],
    ['1.5', 1_500],
    ['Thu, 01 Jan 2026 00:00:30 GMT', 30_000],
    ['Wed, 31 Dec 2025 23:00:00 GMT', 0], // a date in the past: go now
    ['soon', undefined],
    [null, undefined],
  ])('%s → %s ms', (header, ms) => expect(parseRetryAfter(header, now)).toBe(ms));
});

describe('validateEdgeParameters', () => {
  const base = { accountId: '0123456789abcdef0123456789abcdef', 'tokenSecretRef.name': 'cloudflare-api' };

  it('accepts the minimal form with defaults', () => {
    expect(validateEdgeParameters(base)).toEqual({
      ok: true,
      params: {
        accountId: base.accountId,
        tunnelId: 'create',
        zoneHints: [],
        ownTunnel: false,
        tokenSecretRef: { name: 'cloudflare-api', key: 'apiToken' },
      },
    });
  });

  it('reads every key, lists and a YAML tokenSecretRef', () => {
    const r = validateEdgeParameters({
      accountId: base.accountId,
      tunnelId: '6ff42ae2-765d-4adf-8112-31c55c1551ef',
      tunnelName: 'prod-gw',
      zoneHints: 'Example.com, dev.example.com\nexample.org',
      ownTunnel: 'true',
      accessLog: 'true',
      tokenSecretRef: '{name: cf, namespace: gateway-system, key: token}',
    });
    expect(r).toEqual({
      ok: true,
      params: expect.objectContaining({
        tunnelName: 'prod-gw',
        zoneHints: ['example.com', 'dev.example.com', 'example.org'],
        ownTunnel: true,
        tokenSecretRef: { name: 'cf', namespace: 'gateway-system', key: 'token' },
      }),
    });
  });

  it.each([
    [{ ...base, accountId: 'nope' }, /accountId/],
    [{ accountId: base.accountId }, /tokenSecretRef/],
    [{ ...base, tunnelId: 'my-tunnel' }, /tunnelId/],
    [{ ...base, zoneHints: 'example.com, not a zone' }, /zoneHints/],
    [{ ...base, ownTunnel: 'yes' }, /ownTunnel/],
    [{ ...base, accessLog: 'on' }, /accessLog must be "true" or "false"/],
    [{ ...base, apiToken: 'secret!' }, /unknown key\(s\): apiToken/],
    [{ ...base, tokenSecretRef: '- a list' }, /tokenSecretRef/],
  ])('rejects %j', (data, message) => {
    const r = validateEdgeParameters(data as Record<string, string>);
    expect(r.ok).toBe(false);
    expect(!r.ok && r.message).toMatch(message);
  });

  it('rejects a missing data section', () => expect(validateEdgeParameters(undefined)).toMatchObject({ ok: false }));
});
