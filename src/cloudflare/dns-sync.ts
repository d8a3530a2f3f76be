// DNS side of a reconcile: list what the zones hold, plan per zone (dns-plan.ts), apply with one batch call
// per zone. A confirmed desired set is cached so a steady state costs no calls until the re-read interval.
import type Cloudflare from 'cloudflare';
import type { DnsRecord } from '../core/types.js';
import type { HostnameConflict } from '../core/ports.js';
import { MANAGED_BY, isOurs, planSize, planZone, takenNames, type ExistingRecord, type ZonePlan } from './dns-plan.js';
import { listAllPages } from './pages.js';
import type { ZoneIndex, ZoneRef } from './zones.js';

export interface DnsSyncOptions {
  cf: Cloudflare;
  zones: ZoneIndex;
  ownerId: string;
  rereadMs: number;
  now: () => number;
  /** Operations per batch call (Cloudflare caps a batch; 200 fits every plan). */
  batchLimit?: number;
}

export interface DnsOutcome {
  created: number;
  updated: number;
  deleted: number;
  conflicts: string[];
  hostnameConflicts: HostnameConflict[];
}

/** The read half of a pass: what each zone holds, and which hostnames carry our ownership mark. */
export interface DnsPass {
  key: string;
  /** The desired set was confirmed recently: nothing was listed and nothing needs writing. */
  fromCache: boolean;
  zones: Array<{ zone: ZoneRef; desired: DnsRecord[]; existing: ExistingRecord[] }>;
  conflicts: string[];
  hostnameConflicts: HostnameConflict[];
  /** Hostnames that carry (or carried, before this pass deletes them) our mark. */
  ownedHosts: Set<string>;
}

export class DnsSync {
  private confirmedKey?: string;
  private confirmedAt = -Infinity;
  private ours = new Map<string, { zone: ZoneRef; records: ExistingRecord[] }>();
  private scannedAllZones = false;

  constructor(private readonly opts: DnsSyncOptions) {}

  /** Lists the zones concerned, unless the same desired set was confirmed within rereadMs (then: no calls). */
  async prepare(desired: DnsRecord[], target: string, signal?: AbortSignal): Promise<DnsPass> {
    const wanted = uniqueByName(desired, target);
    const key = `${target} ${[...wanted.keys()].sort().join(' ')}`;
    const fresh = key === this.confirmedKey && this.opts.now() - this.confirmedAt < this.opts.rereadMs;
    const pass: DnsPass = {
      key,
      fromCache: fresh,
      zones: [],
      conflicts: [],
      hostnameConflicts: [],
      ownedHosts: this.ownedNames(),
    };
    if (fresh) return pass;
    this.confirmedKey = undefined;
    const byZone = await this.groupByZone(wanted, pass, signal);
    for (const { zone, records } of (await this.zonesToInspect(byZone, signal)).values()) {
      const existing = await this.listZone(zone, records.length > 0, signal);
      for (const r of existing) if (isOurs(r.comment, this.opts.ownerId)) pass.ownedHosts.add(r.name.toLowerCase());
      pass.zones.push({ zone, desired: records, existing });
    }
    return pass;
  }

  /** The write half: one batch per zone that needs changes. skipHosts (taken elsewhere) are left alone. */
  async commit(pass: DnsPass, skipHosts: ReadonlySet<string>, signal?: AbortSignal): Promise<DnsOutcome> {
    const outcome: DnsOutcome = {
      created: 0,
      updated: 0,
      deleted: 0,
      conflicts: [...pass.conflicts],
      hostnameConflicts: [...pass.hostnameConflicts],
    };
    for (const { zone, desired, existing } of pass.zones) {
      const wanted = desired.filter((d) => !skipHosts.has(d.name));
      const plan = planZone(wanted, existing, this.opts.ownerId);
      outcome.conflicts.push(...plan.conflicts);
      outcome.hostnameConflicts.push(...takenNames(wanted, existing, this.opts.ownerId));
      if (planSize(plan) > 0) await this.apply(zone, plan, signal);
      outcome.created += plan.posts.length;
      outcome.updated += plan.patches.length;
      outcome.deleted += plan.deletes.length;
      this.remember(
        zone,
        existing.filter((r) => isOurs(r.comment, this.opts.ownerId)),
        plan,
      );
    }
    if (pass.fromCache) return outcome;
    this.scannedAllZones = true;
    if (outcome.conflicts.length === 0 && skipHosts.size === 0) {
      this.confirmedKey = pass.key;
      this.confirmedAt = this.opts.now();
    }
    return outcome;
  }

  /** Forget the cache: the next pass lists again. */
  invalidate(): void {
    this.confirmedKey = undefined;
  }

  private async groupByZone(
    wanted: Map<string, DnsRecord>,
    pass: Pick<DnsPass, 'conflicts' | 'hostnameConflicts'>,
    signal?: AbortSignal,
  ) {
    const zoneOf = await this.opts.zones.resolve([...wanted.keys()], signal);
    const byZone = new Map<string, { zone: ZoneRef; records: DnsRecord[] }>();
    for (const [name, record] of wanted) {
      const zone = zoneOf.get(name);
      if (!zone) {
        const message = 'is in no zone of the account: add the zone (or list it in zoneHints)';
        pass.conflicts.push(`no zone for hostname ${name}: add the zone to the account (or to zoneHints)`);
        pass.hostnameConflicts.push({ hostname: name, reason: 'ZoneNotFound', message });
        continue;
      }
      const entry = byZone.get(zone.id) ?? { zone, records: [] };
      entry.records.push(record);
      byZone.set(zone.id, entry);
    }
    return byZone;
  }

  /** Zones with wanted names, zones where we hold records, and on the first pass every zone (stale records). */
  private async zonesToInspect(byZone: Map<string, { zone: ZoneRef; records: DnsRecord[] }>, signal?: AbortSignal) {
    const out = new Map(byZone);
    const extra = this.scannedAllZones ? [...this.ours.values()].map((o) => o.zone) : await this.opts.zones.all(signal);
    for (const zone of extra) if (!out.has(zone.id)) out.set(zone.id, { zone, records: [] });
    return out;
  }

  /** With wanted names: the whole zone (foreign records on those names matter). Else only our records. */
  private listZone(zone: ZoneRef, whole: boolean, signal?: AbortSignal): Promise<ExistingRecord[]> {
    const { cf, ownerId } = this.opts;
    const filter = whole ? {} : { comment: { contains: `${MANAGED_BY} owner=${ownerId}` } };
    return listAllPages(1000, (page, per_page) =>
      cf.dns.records.list({ zone_id: zone.id, page, per_page, ...filter }, { signal }),
    ).then((records) =>
      records.map((r) => ({
        id: r.id,
        name: r.name,
        type: r.type,
        content: r.content,
        proxied: r.proxied,
        comment: r.comment ?? null,
      })),
    );
  }

  private async apply(zone: ZoneRef, plan: ZonePlan, signal?: AbortSignal): Promise<void> {
    const limit = this.opts.batchLimit ?? 200;
    const ops = [
      ...plan.deletes.map((d) => ({ kind: 'delete' as const, op: { id: d.id } })),
      ...plan.patches.map((p) => ({ kind: 'patch' as const, op: p })),
      ...plan.posts.map((p) => ({ kind: 'post' as const, op: p })),
    ];
    for (let i = 0; i < ops.length; i += limit) {
      const chunk = ops.slice(i, i + limit);
      const pick = <K extends string>(k: K) => chunk.filter((c) => c.kind === k).map((c) => c.op);
      const body = { zone_id: zone.id, deletes: pick('delete'), patches: pick('patch'), posts: pick('post') };
      await this.opts.cf.dns.records.batch(body as Parameters<Cloudflare['dns']['records']['batch']>[0], { signal });
    }
  }

  private remember(zone: ZoneRef, mine: ExistingRecord[], plan: ZonePlan): void {
    const gone = new Set([...plan.deletes.map((d) => d.id), ...plan.patches.map((p) => p.id)]);
    const records: ExistingRecord[] = [
      ...mine.filter((r) => !gone.has(r.id)),
      ...plan.patches,
      ...plan.posts.map((p) => ({ ...p, id: '' })),
    ];
    if (records.length > 0) this.ours.set(zone.id, { zone, records });
    else this.ours.delete(zone.id);
  }

  private ownedNames(): Set<string> {
    return new Set([...this.ours.values()].flatMap((o) => o.records.map((r) => r.name.toLowerCase())));
  }
}

function uniqueByName(desired: DnsRecord[], target: string): Map<string, DnsRecord> {
  // The adapter knows the tunnel: the CNAME target is always ours, whatever placeholder the translator used.
  return new Map(desired.map((d) => [d.name.toLowerCase(), { ...d, name: d.name.toLowerCase(), content: target }]));
}
