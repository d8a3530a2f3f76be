// Turning failures into EdgeResults the edge actor can act on: 429 → retryAfterMs, 5xx → transient error.
import { APIConnectionError, APIError, APIUserAbortError } from 'cloudflare';
import type { EdgeResult } from '../core/ports.js';

export type EdgeErrorType =
  'rate_limited' | 'local_rate_limit' | 'server' | 'auth' | 'client' | 'network' | 'aborted' | 'conflict' | 'internal';

/** Raised by the instrumented fetch when the client-side budget (or a Retry-After we were given) says wait. */
export class LocalRateLimitError extends Error {
  constructor(
    readonly retryAfterMs: number,
    reason: string,
  ) {
    super(`client-side rate limit: ${reason}; retry in ${retryAfterMs} ms`);
  }
}

/** When Cloudflare sends no Retry-After with a 429. */
export const DEFAULT_RATE_LIMIT_BACKOFF_MS = 30_000;

/** Retry-After is seconds or an HTTP date. */
export function parseRetryAfter(value: string | null | undefined, nowMs: number): number | undefined {
  if (!value) return undefined;
  const seconds = Number(value);
  if (Number.isFinite(seconds) && seconds >= 0) return Math.ceil(seconds * 1000);
  const at = Date.parse(value);
  return Number.isNaN(at) ? undefined : Math.max(0, at - nowMs);
}

export interface ClassifiedError {
  type: EdgeErrorType;
  result: Extract<EdgeResult, { ok: false }>;
}

export function classifyError(err: unknown, nowMs: number): ClassifiedError {
  const local = findCause(err, LocalRateLimitError);
  if (local)
    return { type: 'local_rate_limit', result: { ok: false, error: local.message, retryAfterMs: local.retryAfterMs } };
  if (err instanceof APIUserAbortError) return { type: 'aborted', result: { ok: false, error: 'aborted' } };
  if (err instanceof APIConnectionError) {
    return {
      type: 'network',
      result: { ok: false, error: `cannot reach the Cloudflare API (transient): ${causeText(err)}` },
    };
  }
  if (err instanceof APIError && typeof err.status === 'number') return classifyStatus(err, nowMs);
  return { type: 'internal', result: { ok: false, error: err instanceof Error ? err.message : String(err) } };
}

function classifyStatus(err: APIError, nowMs: number): ClassifiedError {
  const status = err.status as number;
  const detail = apiErrorText(err);
  const retryAfterMs = parseRetryAfter(err.headers?.get('retry-after'), nowMs);
  if (status === 429) {
    return {
      type: 'rate_limited',
      result: {
        ok: false,
        error: `Cloudflare rate limit (429): ${detail}`,
        retryAfterMs: retryAfterMs ?? DEFAULT_RATE_LIMIT_BACKOFF_MS,
      },
    };
  }
  if (status >= 500) {
    const result: ClassifiedError['result'] = {
      ok: false,
      error: `Cloudflare API ${status} (transient, retry): ${detail}`,
    };
    if (retryAfterMs !== undefined) result.retryAfterMs = retryAfterMs;
    return { type: 'server', result };
  }
  if (status === 401 || status === 403) {
    return {
      type: 'auth',
      result: {
        ok: false,
        error: `Cloudflare API token rejected (${status}): ${detail}; check the token's permissions (Tunnel edit, Zone read, DNS edit) and account id`,
      },
    };
  }
  return { type: 'client', result: { ok: false, error: `Cloudflare API ${status}: ${detail}` } };
}

/** "code 81053: An A, AAAA, or CNAME record with that host already exists." */
export function apiErrorText(err: APIError): string {
  const parts = (err.errors ?? []).map((e) => `code ${e.code}: ${e.message}`);
  return parts.length > 0 ? parts.join('; ') : err.message;
}

function findCause<T>(err: unknown, type: new (...args: never[]) => T): T | undefined {
  for (let e: unknown = err, depth = 0; e && depth < 5; e = (e as { cause?: unknown }).cause, depth++) {
    if (e instanceof type) return e;
  }
  return undefined;
}

function causeText(err: Error): string {
  const cause = (err as { cause?: unknown }).cause;
  return cause instanceof Error ? `${err.message} (${cause.message})` : err.message;
}
