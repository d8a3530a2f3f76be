// Pure: which DNS changes bring one zone to the desired CNAMEs, touching only records that carry our mark.
import type { DnsRecord } from '../core/types.js';
import type { HostnameConflict } from '../core/ports.js';

/** The ownership mark, kept in the record comment (Cloudflare's free plan allows 100 characters). */
export const MANAGED_BY = 'managed-by=cloudflare-tunnel-gateway';
export const COMMENT_LIMIT = 100;

export function ownerComment(ownerId: string): string {
  return `${MANAGED_BY} owner=${ownerId}`;
}

/** Our record: the comment carries the managed-by mark and exactly our owner id. */
export function isOurs(comment: string | null | undefined, ownerId: string): boolean {
  if (!comment) return false;
  const words = comment.trim().split(/\s+/);
  return words.includes(MANAGED_BY) && words.includes(`owner=${ownerId}`);
}

export interface ExistingRecord {
  id: string;
  name: string;
  type: string;
  content?: string;
  proxied?: boolean;
  comment?: string | null;
}

export interface CnameWrite {
  type: 'CNAME';
  name: string;
  content: string;
  proxied: true;
  ttl: 1;
  comment: string;
}

export interface ZonePlan {
  posts: CnameWrite[];
  patches: Array<CnameWrite & { id: string }>;
  deletes: Array<{ id: string; name: string }>;
  conflicts: string[];
}

export function emptyPlan(): ZonePlan {
  return { posts: [], patches: [], deletes: [], conflicts: [] };
}

export function planSize(p: ZonePlan): number {
  return p.posts.length + p.patches.length + p.deletes.length;
}

/**
 * desired: the records wanted in this zone; existing: what the zone holds (every record on the desired
 * names, plus our records anywhere in the zone). Foreign records are never changed; they are reported.
 */
export function planZone(desired: DnsRecord[], existing: ExistingRecord[], ownerId: string): ZonePlan {
  const plan = emptyPlan();
  const comment = ownerComment(ownerId);
  const wanted = new Map(desired.map((d) => [d.name.toLowerCase(), d]));
  const byName = groupByName(existing);
  const taken = new Map(takenNames(desired, existing, ownerId).map((c) => [c.hostname, c]));

  for (const [name, d] of wanted) {
    const records = byName.get(name) ?? [];
    const ours = records.filter((r) => isOurs(r.comment, ownerId));
    const write: CnameWrite = { type: 'CNAME', name, content: d.content.toLowerCase(), proxied: true, ttl: 1, comment };
    const held = taken.get(name);
    if (held) {
      plan.conflicts.push(`hostname taken: ${name} ${held.message}`);
      continue;
    }
    const [keep, ...duplicates] = ours;
    if (!keep) plan.posts.push(write);
    else if (!matches(keep, write)) plan.patches.push({ ...write, id: keep.id });
    for (const dup of duplicates) plan.deletes.push({ id: dup.id, name });
  }
  for (const r of existing) {
    if (!wanted.has(r.name.toLowerCase()) && isOurs(r.comment, ownerId))
      plan.deletes.push({ id: r.id, name: r.name.toLowerCase() });
  }
  return plan;
}

/** Desired names that records we do not own hold: those are never changed, only reported. */
export function takenNames(desired: DnsRecord[], existing: ExistingRecord[], ownerId: string): HostnameConflict[] {
  const byName = groupByName(existing);
  const names = [...new Set(desired.map((d) => d.name.toLowerCase()))];
  return names.flatMap((name) => {
    const foreign = (byName.get(name) ?? []).filter((r) => !isOurs(r.comment, ownerId));
    if (foreign.length === 0) return [];
    const message = `has ${foreign.map((r) => r.type).join(', ')} record(s) not managed by this controller; left untouched`;
    return [{ hostname: name, reason: 'HostnameTaken' as const, message }];
  });
}

function matches(r: ExistingRecord, w: CnameWrite): boolean {
  return (
    r.type === 'CNAME' && (r.content ?? '').toLowerCase() === w.content && r.proxied === true && r.comment === w.comment
  );
}

function groupByName(records: ExistingRecord[]): Map<string, ExistingRecord[]> {
  const out = new Map<string, ExistingRecord[]>();
  for (const r of records) {
    const key = r.name.toLowerCase();
    out.set(key, [...(out.get(key) ?? []), r]);
  }
  return out;
}
