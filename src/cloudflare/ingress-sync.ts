// Tunnel configuration side of a reconcile: read what Cloudflare holds (cached, re-read every rereadMs),
// merge in our rules (ingress.ts), write only on a semantic difference.
import type Cloudflare from 'cloudflare';
import type { IngressDocument } from '../core/types.js';
import type { HostnameConflict } from '../core/ports.js';
import { hostOf, isCatchAll, mergeIngress, sameIngress, type RemoteRule } from './ingress.js';

export interface IngressSyncOptions {
  cf: Cloudflare;
  accountId: string;
  ownTunnel: boolean;
  rereadMs: number;
  now: () => number;
}

export interface IngressOutcome {
  written: boolean;
  conflicts: string[];
  hostnameConflicts: HostnameConflict[];
  /** Desired hostnames a foreign rule holds: their DNS records must not be created either. */
  taken: Set<string>;
}

type RemoteConfig = Record<string, unknown> & { ingress?: RemoteRule[] };

export class IngressSync {
  private cached?: { tunnelId: string; config: RemoteConfig; readAt: number };
  /** Hostnames this process has written rules for: they are ours even before their DNS records exist. */
  private readonly written = new Set<string>();

  constructor(private readonly opts: IngressSyncOptions) {}

  async reconcile(
    tunnelId: string,
    desired: IngressDocument,
    ownedHosts: ReadonlySet<string>,
    signal?: AbortSignal,
  ): Promise<IngressOutcome> {
    const config = await this.current(tunnelId, signal);
    const owned = new Set([...ownedHosts, ...this.written]);
    const merged = mergeIngress({
      current: config.ingress ?? [],
      desired: desired.ingress,
      ownedHosts: owned,
      ownTunnel: this.opts.ownTunnel,
    });
    const taken = new Set(merged.taken);
    if (sameIngress(merged.ingress, config.ingress ?? [])) {
      this.confirm(desired, merged.removed, taken);
      return { written: false, conflicts: merged.conflicts, hostnameConflicts: merged.hostnameConflicts, taken };
    }
    // Keep what we do not manage (warp-routing, global originRequest); replace only the ingress list.
    const next: RemoteConfig = { ...config, ingress: merged.ingress };
    try {
      const res = await this.opts.cf.zeroTrust.tunnels.cloudflared.configurations.update(
        tunnelId,
        { account_id: this.opts.accountId, config: next as never },
        { signal },
      );
      const stored = (res.config as RemoteConfig | undefined) ?? next;
      this.cached = { tunnelId, config: stored, readAt: this.cached?.readAt ?? this.opts.now() };
    } catch (err) {
      this.cached = undefined;
      throw err;
    }
    this.confirm(desired, merged.removed, taken);
    return { written: true, conflicts: merged.conflicts, hostnameConflicts: merged.hostnameConflicts, taken };
  }

  private confirm(desired: IngressDocument, removed: string[], taken: ReadonlySet<string>): void {
    for (const r of desired.ingress) if (!isCatchAll(r) && !taken.has(hostOf(r))) this.written.add(hostOf(r));
    for (const h of removed) this.written.delete(h);
  }

  invalidate(): void {
    this.cached = undefined;
  }

  hasCache(): boolean {
    return this.cached !== undefined;
  }

  private async current(tunnelId: string, signal?: AbortSignal): Promise<RemoteConfig> {
    const c = this.cached;
    if (c && c.tunnelId === tunnelId && this.opts.now() - c.readAt < this.opts.rereadMs) return c.config;
    const res = await this.opts.cf.zeroTrust.tunnels.cloudflared.configurations.get(
      tunnelId,
      { account_id: this.opts.accountId },
      { signal },
    );
    const config = ((res.config as RemoteConfig | null | undefined) ?? {}) as RemoteConfig;
    this.cached = { tunnelId, config, readAt: this.opts.now() };
    return config;
  }
}
