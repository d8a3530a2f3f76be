// Zones: which zone holds a hostname (longest matching suffix), from a cached zones.list.
import type Cloudflare from 'cloudflare';
import { listAllPages } from './pages.js';

export interface ZoneRef {
  id: string;
  name: string;
}

/** The zone whose name is the longest suffix of the hostname ("*.a.example.com" → "a.example.com" over "example.com"). */
export function zoneForHostname(hostname: string, zones: readonly ZoneRef[]): ZoneRef | undefined {
  const host = hostname.toLowerCase().replace(/\.$/, '');
  let best: ZoneRef | undefined;
  for (const z of zones) {
    const name = z.name.toLowerCase();
    if ((host === name || host.endsWith(`.${name}`)) && (!best || name.length > best.name.length)) best = z;
  }
  return best;
}

export interface ZoneIndexOptions {
  cf: Cloudflare;
  accountId: string;
  /** Zone names to manage; empty = every zone of the account. */
  zoneHints: string[];
  ttlMs: number;
  now: () => number;
}

/** Zones are listed once and re-listed after ttlMs, or sooner when a hostname finds no zone. */
export class ZoneIndex {
  private zones: ZoneRef[] = [];
  private loadedAt = -Infinity;

  constructor(private readonly opts: ZoneIndexOptions) {}

  async all(signal?: AbortSignal): Promise<ZoneRef[]> {
    if (this.opts.now() - this.loadedAt > this.opts.ttlMs) await this.load(signal);
    return this.zones;
  }

  /** Zones for each hostname; a miss re-lists once if the cache is older than a minute (a zone just added). */
  async resolve(hostnames: string[], signal?: AbortSignal): Promise<Map<string, ZoneRef | undefined>> {
    let zones = await this.all(signal);
    if (hostnames.some((h) => !zoneForHostname(h, zones)) && this.opts.now() - this.loadedAt > 60_000) {
      await this.load(signal);
      zones = this.zones;
    }
    return new Map(hostnames.map((h) => [h, zoneForHostname(h, zones)]));
  }

  private async load(signal?: AbortSignal): Promise<void> {
    const { cf, accountId, zoneHints } = this.opts;
    const found: ZoneRef[] = [];
    if (zoneHints.length > 0) {
      for (const hint of zoneHints) {
        const page = await cf.zones.list({ name: hint, account: { id: accountId } }, { signal });
        found.push(...page.result.map((z) => ({ id: z.id, name: z.name })));
      }
    } else {
      const zones = await listAllPages(50, (page, per_page) =>
        cf.zones.list({ account: { id: accountId }, page, per_page }, { signal }),
      );
      found.push(...zones.map((z) => ({ id: z.id, name: z.name })));
    }
    this.zones = found;
    this.loadedAt = this.opts.now();
  }
}
