// Fault injection for the double: rate limiting with Retry-After, 5xx bursts, slow answers, auth failures,
// and Cloudflare's account-wide request quota (a sliding window) when a test wants it enforced.
import { ApiFault } from './envelope.js';

export interface CallMatch {
  method?: string;
  /** Substring or pattern of the path after /client/v4. */
  path?: string | RegExp;
}

type Fault =
  | {
      kind: 'status';
      status: number;
      code: number;
      message: string;
      retryAfterSeconds?: number;
      remaining: number;
      match?: CallMatch;
    }
  | { kind: 'slow'; delayMs: number; remaining: number; match?: CallMatch }
  | { kind: 'auth'; remaining: number; match?: CallMatch };

export class Faults {
  private queue: Fault[] = [];
  private quota?: { limit: number; windowMs: number; times: number[] };

  /** The next `count` matching calls get 429 (code 971) with `Retry-After: seconds`. */
  rateLimit(count: number, retryAfterSeconds: number, match?: CallMatch): void {
    this.queue.push({
      kind: 'status',
      status: 429,
      code: 971,
      message: 'Please wait and consider throttling your request speed',
      retryAfterSeconds,
      remaining: count,
      match,
    });
  }

  /** The next `count` matching calls fail with a 5xx. */
  serverErrors(count: number, status = 500, match?: CallMatch): void {
    this.queue.push({ kind: 'status', status, code: 10001, message: 'Internal server error', remaining: count, match });
  }

  /** The next `count` matching calls are answered after `delayMs`. */
  slow(count: number, delayMs: number, match?: CallMatch): void {
    this.queue.push({ kind: 'slow', delayMs, remaining: count, match });
  }

  /** The next `count` calls fail authentication as if the token were revoked. */
  authFailure(count: number, match?: CallMatch): void {
    this.queue.push({ kind: 'auth', remaining: count, match });
  }

  /** Enforce Cloudflare's global limit (1,200 requests per 5 minutes by default) with 429s beyond it. */
  enforceQuota(limit = 1200, windowMs = 300_000): void {
    this.quota = { limit, windowMs, times: [] };
  }

  clear(): void {
    this.queue = [];
    this.quota = undefined;
  }

  /** Decides the fate of one call: a delay to apply, and/or a fault to answer with. */
  take(method: string, path: string, nowMs: number): { delayMs: number; fault?: ApiFault } {
    let delayMs = 0;
    const quotaFault = this.checkQuota(nowMs);
    if (quotaFault) return { delayMs, fault: quotaFault };
    for (const f of this.queue) {
      if (f.remaining <= 0 || !matches(f.match, method, path)) continue;
      f.remaining -= 1;
      if (f.kind === 'slow') {
        delayMs += f.delayMs;
        continue;
      }
      this.queue = this.queue.filter((x) => x.remaining > 0);
      if (f.kind === 'auth') return { delayMs, fault: new ApiFault(403, 10000, 'Authentication error') };
      const headers: Record<string, string> =
        f.retryAfterSeconds !== undefined ? { 'retry-after': String(f.retryAfterSeconds) } : {};
      return { delayMs, fault: new ApiFault(f.status, f.code, f.message, headers) };
    }
    this.queue = this.queue.filter((x) => x.remaining > 0);
    return { delayMs };
  }

  private checkQuota(nowMs: number): ApiFault | undefined {
    const q = this.quota;
    if (!q) return undefined;
    q.times = q.times.filter((t) => t > nowMs - q.windowMs);
    if (q.times.length < q.limit) {
      q.times.push(nowMs);
      return undefined;
    }
    const retryAfter = Math.ceil((q.times[0]! + q.windowMs - nowMs) / 1000);
    return new ApiFault(429, 971, 'Please wait and consider throttling your request speed', {
      'retry-after': String(retryAfter),
    });
  }
}

function matches(m: CallMatch | undefined, method: string, path: string): boolean {
  if (!m) return true;
  if (m.method && m.method.toUpperCase() !== method) return false;
  if (m.path === undefined) return true;
  return typeof m.path === 'string' ? path.includes(m.path) : m.path.test(path);
}
