// One request through a matched rule: filters → backend choice → upstream (deadlines, retries, mirrors)
// → response filters → relay to the client. Synchronous up to the upstream call unless the body must be
// buffered for retries: the common request awaits nothing of its own.
import type { Logger } from 'pino';
import type { FilterContext, RequestHead } from '../filters/types.js';
import type { ProxyLimits } from '../limits.js';
import type { ProxyMetrics } from '../metrics.js';
import type { CompiledBackend, CompiledRule } from '../router/table.js';
import { persistedToken, pickBackend } from '../router/select.js';
import type { Exchange } from '../server/exchange.js';
import { normalizeHost } from '../router/host.js';
import { Forwarding } from './attempts.js';
import { BodyTooLargeError, limitBody, planBody, type BodyPlan } from './body.js';
import { answerBodyTimeout, BodyTimeoutError } from './body-timeout.js';
import { takeHostHeader } from './headers.js';
import { sendImmediate, sendStatus } from './local.js';
import { startMirrors } from './mirror.js';
import type { UpstreamRequest } from './upstream.js';

export interface ForwardRuntime {
  limits: ProxyLimits;
  metrics: ProxyMetrics;
  logger: Logger;
}

export function forward(
  ex: Exchange,
  rule: CompiledRule,
  head: RequestHead,
  matchedPrefix: string | undefined,
  grpc: boolean,
  rt: ForwardRuntime,
): void {
  const ruleCtx: FilterContext = { head, matchedPrefix };
  if (!rule.filters.empty) {
    const answer = rule.filters.onRequest(ruleCtx);
    if (answer !== undefined) return sendImmediate(ex, answer);
  }
  const pinned = persistedToken(rule, ex.headers);
  const backend = pickBackend(rule, pinned);
  if (backend === undefined) return sendStatus(ex, 500, 'no backend for this route', grpc);
  if (backend.status !== undefined)
    return sendStatus(
      ex,
      backend.status,
      backend.status === 503 ? 'no ready endpoints' : 'invalid backend reference',
      grpc,
    );
  if (backend.endpoints.length === 0) return sendStatus(ex, 503, 'no ready endpoints', grpc);
  let backendCtx = ruleCtx;
  if (!backend.filters.empty) {
    backendCtx = { head, matchedPrefix };
    const answer = backend.filters.onRequest(backendCtx);
    if (answer !== undefined) return sendImmediate(ex, answer);
  }
  const plan = planBody(ex, rt.limits);
  if (plan === 413) return sendStatus(ex, 413, 'request body too large', grpc);
  const fwd = new Forwarding(ex, rule, backend, ruleCtx, backendCtx, grpc, pinned, rt);
  if (!(plan instanceof Promise)) return send(fwd, ex, rule, backend, head, plan);
  plan.then(
    (p) => send(fwd, ex, rule, backend, head, p),
    (err) => bodyFailed(ex, err, grpc),
  );
}

/** A small body could not be read whole: too long for its declared length, too slow, or the client left. */
function bodyFailed(ex: Exchange, err: unknown, grpc: boolean): void {
  if (err instanceof BodyTooLargeError) return sendStatus(ex, 413, 'request body too large', grpc);
  if (err instanceof BodyTimeoutError) return answerBodyTimeout(ex, grpc);
  ex.abort();
}

function send(
  fwd: Forwarding,
  ex: Exchange,
  rule: CompiledRule,
  backend: CompiledBackend,
  head: RequestHead,
  plan: BodyPlan,
): void {
  const req: UpstreamRequest = {
    method: head.method,
    path: head.path + head.query,
    authority: (rule.hasFilters ? takeHostHeader(head) : undefined) ?? authorityOf(ex, head),
    headers: head.headers,
    body: plan.body,
    bodyLimit: plan.limit,
    grpc: fwd.grpc,
  };
  if (rule.mirrors.length + backend.mirrors.length > 0) {
    // Mirrors tee the stream: cut it off once, before the copies.
    if (req.bodyLimit !== undefined && req.body !== null && !Buffer.isBuffer(req.body))
      req.body = limitBody(req.body, req.bodyLimit);
    req.bodyLimit = undefined;
    req.body = startMirrors(rule.mirrors.concat(backend.mirrors), req, req.body);
  }
  fwd.start(req, plan.resendable);
}

/** The Host to send: the client's own unless a filter rewrote the hostname. */
function authorityOf(ex: Exchange, head: RequestHead): string {
  const original = ex.authority;
  if (original !== undefined && normalizeHost(original) === head.host) return original;
  return head.port === undefined ? head.host : `${head.host}:${head.port}`;
}
