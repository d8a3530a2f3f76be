// The Cloudflare EdgeAdapter: one reconcile pass per call (tunnel → DNS read → ingress → DNS write), faults
// reported precisely so the edge actor can back off. Safe to call again with the same desired state.
import type { Registry } from 'prom-client';
import type { EdgeAdapter, EdgeResult } from '../core/ports.js';
import type { DnsRecord, IngressDocument } from '../core/types.js';
import { silentLogger, type Logger } from '../log.js';
import { createApiClient } from './api.js';
import { COMMENT_LIMIT, ownerComment } from './dns-plan.js';
import { DnsSync } from './dns-sync.js';
import { classifyError } from './errors.js';
import { IngressSync } from './ingress-sync.js';
import { createEdgeMetrics, type EdgeMetrics } from './metrics.js';
import { CLOUDFLARE_BUDGET, TokenBucket, type TokenBucketOptions } from './token-bucket.js';
import { TunnelResolver } from './tunnel.js';
import { ZoneIndex } from './zones.js';

export interface CloudflareEdgeOptions {
  apiToken: string;
  accountId: string;
  /** A tunnel id, or 'create' / absent to find-or-create "<tunnelName>-<owner tag>". */
  tunnelId?: string | 'create';
  tunnelName?: string;
  /** API root, e.g. the double's http://127.0.0.1:PORT/client/v4; default Cloudflare's. */
  baseURL?: string;
  /** Who we are in ownership marks (DNS comment, tunnel name tag); stable across restarts, no spaces. */
  ownerId: string;
  /** The tunnel belongs to this controller alone: ingress rules it did not ask for are removed. */
  ownTunnel?: boolean;
  /** Zone names to manage; default every zone of the account. */
  zoneHints?: string[];
  logger?: Logger;
  onTunnelToken?: (token: string) => Promise<void>;
  /** prom-client Registry to register on; a private one otherwise. */
  registry?: Registry;
  /** Re-read what Cloudflare holds at least this often even when nothing changed (default 5 min); also the
   * interval at which the edge actor reconciles again while in sync (drift repair), unless its timing says. */
  rereadIntervalMs?: number;
  /** Zone list cache lifetime (default 10 min). */
  zoneCacheMs?: number;
  /** Client-side request budget (default 200 burst + 1000 per 5 min: ≤ 1,200 in any 5 minutes). */
  rateLimit?: TokenBucketOptions;
  /** Longest one request waits for budget before the pass returns a retry hint (default 2 s). */
  maxThrottleWaitMs?: number;
  requestTimeoutMs?: number;
  now?: () => number;
}

export interface EdgeStats {
  tunnelId?: string;
  passes: number;
  apiRequests: number;
  writes: number;
  lastSuccessAt?: string;
  lastError?: string;
  lastConflicts: string[];
  /** Why the tunnel connector token was not delivered (asked for, but refused or failing); never the token. */
  tokenError?: string;
  /** Epoch ms until which a Cloudflare Retry-After keeps the adapter quiet (0: none). */
  blockedUntil: number;
}

export interface CloudflareEdge extends EdgeAdapter {
  tunnelId(): string | undefined;
  /** Resolves (finds or creates) the tunnel and delivers its token; reconcile() does this on its own. */
  ensureTunnel(signal?: AbortSignal): Promise<string>;
  stats(): EdgeStats;
  metrics: EdgeMetrics;
  /** Drop cached reads: the next pass re-reads the configuration and DNS. */
  resync(): void;
}

export function createCloudflareEdge(opts: CloudflareEdgeOptions): CloudflareEdge {
  validateOwnerId(opts.ownerId);
  const now = opts.now ?? Date.now;
  const logger = opts.logger ?? silentLogger;
  const metrics = createEdgeMetrics(opts.registry);
  const rereadMs = opts.rereadIntervalMs ?? 5 * 60_000;
  const api = createApiClient({
    apiToken: opts.apiToken,
    baseURL: opts.baseURL,
    bucket: new TokenBucket(opts.rateLimit ?? CLOUDFLARE_BUDGET, now),
    maxWaitMs: opts.maxThrottleWaitMs ?? 2_000,
    timeoutMs: opts.requestTimeoutMs ?? 30_000,
    metrics,
    logger,
    now,
  });
  const { cf } = api;
  const tunnel = new TunnelResolver({
    cf,
    accountId: opts.accountId,
    tunnelId: opts.tunnelId,
    tunnelName: opts.tunnelName,
    ownerId: opts.ownerId,
    onTunnelToken: opts.onTunnelToken,
    logger,
    metrics,
  });
  const zones = new ZoneIndex({
    cf,
    accountId: opts.accountId,
    zoneHints: opts.zoneHints ?? [],
    ttlMs: opts.zoneCacheMs ?? 10 * 60_000,
    now,
  });
  const dns = new DnsSync({ cf, zones, ownerId: opts.ownerId, rereadMs, now });
  const ingress = new IngressSync({ cf, accountId: opts.accountId, ownTunnel: opts.ownTunnel ?? false, rereadMs, now });
  const stats: Omit<EdgeStats, 'apiRequests' | 'blockedUntil' | 'tunnelId' | 'tokenError'> = {
    passes: 0,
    writes: 0,
    lastConflicts: [],
  };

  async function pass(
    desired: { ingress: IngressDocument; dns: DnsRecord[] },
    signal?: AbortSignal,
  ): Promise<EdgeResult> {
    const tunnelId = await tunnel.ensure(signal);
    const dnsPass = await dns.prepare(desired.dns, `${tunnelId}.cfargotunnel.com`, signal);
    const ing = await ingress.reconcile(tunnelId, desired.ingress, dnsPass.ownedHosts, signal);
    if (ing.written) metrics.writes.inc({ kind: 'ingress' });
    const out = await dns.commit(dnsPass, ing.taken, signal);
    metrics.writes.inc({ kind: 'dns_create' }, out.created);
    metrics.writes.inc({ kind: 'dns_update' }, out.updated);
    metrics.writes.inc({ kind: 'dns_delete' }, out.deleted);
    const writes = (ing.written ? 1 : 0) + out.created + out.updated + out.deleted;
    stats.writes += writes;
    stats.lastSuccessAt = new Date(now()).toISOString();
    metrics.lastSuccess.set(now() / 1000);
    const conflicts = [...ing.conflicts, ...out.conflicts];
    stats.lastConflicts = conflicts;
    if (conflicts.length === 0) return { ok: true, writes };
    metrics.errors.inc({ type: 'conflict' });
    logger.warn({ conflicts, writes }, 'cloudflare edge applied with conflicts');
    return { ok: true, writes, conflicts, hostnameConflicts: [...ing.hostnameConflicts, ...out.hostnameConflicts] };
  }

  // Passes never overlap: the actor calls one at a time, but a direct caller might not.
  let queue: Promise<unknown> = Promise.resolve();
  const reconcile: EdgeAdapter['reconcile'] = (desired, signal) => {
    const run = queue.then(async () => {
      stats.passes += 1;
      try {
        const result = await pass(desired, signal);
        if (result.ok) stats.lastError = undefined;
        return result;
      } catch (err) {
        const { type, result } = classifyError(err, now());
        metrics.errors.inc({ type });
        stats.lastError = result.error;
        logger.warn(
          { type, error: result.error, retryAfterMs: result.retryAfterMs },
          'cloudflare edge reconcile failed',
        );
        return result;
      }
    });
    queue = run;
    return run;
  };

  return {
    reconcile,
    resyncIntervalMs: rereadMs,
    tunnelId: () => tunnel.current(),
    ensureTunnel: (signal) => tunnel.ensure(signal),
    stats: () => ({
      ...stats,
      tunnelId: tunnel.current(),
      tokenError: tunnel.tokenError(),
      apiRequests: api.requestCount(),
      blockedUntil: api.blockedUntil(),
    }),
    metrics,
    resync: () => {
      dns.invalidate();
      ingress.invalidate();
    },
  };
}

function validateOwnerId(ownerId: string): void {
  if (!ownerId || /\s/.test(ownerId)) throw new Error('ownerId must be a non-empty string without spaces');
  if (ownerComment(ownerId).length > COMMENT_LIMIT) {
    throw new Error(`ownerId too long: the DNS ownership comment must fit Cloudflare's ${COMMENT_LIMIT} characters`);
  }
}
