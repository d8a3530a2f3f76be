// Client-side request budget. Cloudflare allows ~1,200 requests per 5 minutes per user; a bucket whose
// capacity plus refill over that window stays within the quota means even a retry storm cannot exceed it.

export interface TokenBucketOptions {
  /** Burst size. */
  capacity: number;
  /** Tokens added per second. */
  refillPerSecond: number;
}

/** capacity 200 + 1000 refilled per 300 s = at most 1,200 requests in any 5-minute window. */
export const CLOUDFLARE_BUDGET: TokenBucketOptions = { capacity: 200, refillPerSecond: 1000 / 300 };

export class TokenBucket {
  private tokens: number;
  private updatedAt: number;

  constructor(
    private readonly opts: TokenBucketOptions,
    private readonly now: () => number = Date.now,
  ) {
    if (opts.capacity < 1 || opts.refillPerSecond <= 0)
      throw new Error('token bucket needs capacity >= 1 and a positive refill rate');
    this.tokens = opts.capacity;
    this.updatedAt = now();
  }

  /**
   * Reserves one token. Returns 0 when one is available now, else the wait in ms until the reservation is
   * good. A wait longer than maxWaitMs is not reserved: the caller reports it as a retry hint instead.
   */
  reserve(maxWaitMs: number): { ok: true; waitMs: number } | { ok: false; retryAfterMs: number } {
    this.refill();
    const deficit = 1 - this.tokens;
    const waitMs = deficit <= 0 ? 0 : Math.ceil((deficit / this.opts.refillPerSecond) * 1000);
    if (waitMs > maxWaitMs) return { ok: false, retryAfterMs: waitMs };
    this.tokens -= 1;
    return { ok: true, waitMs };
  }

  available(): number {
    this.refill();
    return this.tokens;
  }

  private refill(): void {
    const t = this.now();
    const elapsed = Math.max(0, t - this.updatedAt) / 1000;
    this.tokens = Math.min(this.opts.capacity, this.tokens + elapsed * this.opts.refillPerSecond);
    this.updatedAt = t;
  }
}
