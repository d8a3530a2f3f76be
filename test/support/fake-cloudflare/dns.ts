// Zones and DNS record endpoints of the double: /zones, /zones/:zone/dns_records[...], batch included.
import { ApiFault, badRequest, objectBody, paginate, success, type ApiRequest, type Route } from './envelope.js';
import type { FakeRecord, FakeStore, FakeZone } from './store.js';
import { matchesRecordFilters, matchesZoneName } from './filters.js';

const RECORDS = '/zones/([^/]+)/dns_records';
/** Cloudflare's free-plan limit on a record comment. */
export const COMMENT_MAX = 100;

export function dnsRoutes(store: FakeStore): Route[] {
  const zoneOf = (id: string): FakeZone => {
    const z = store.zones.get(id);
    if (!z)
      throw new ApiFault(
        404,
        7003,
        `Could not route to /zones/${id}/dns_records, perhaps your object identifier is invalid?`,
      );
    return z;
  };
  const recordOf = (zone: FakeZone, id: string): FakeRecord => {
    const r = store.records.get(id);
    if (!r || r.zone_id !== zone.id) throw new ApiFault(404, 81044, 'Record does not exist.');
    return r;
  };
  const ops = new RecordOps(store);
  return [
    { method: 'GET', pattern: /^\/zones$/, handle: (req) => listZones(store, req) },
    { method: 'GET', pattern: /^\/zones\/([^/]+)$/, handle: (_req, [id]) => success(zoneOf(id!)) },
    {
      method: 'GET',
      pattern: re(RECORDS),
      handle: (req, [z]) => {
        const items = store.recordsOf(zoneOf(z!).id).filter((r) => matchesRecordFilters(r, req.query));
        const { page, info } = paginate(items, req.query, { defaultPerPage: 100, maxPerPage: 5_000_000 });
        return success(page, info);
      },
    },
    {
      method: 'POST',
      pattern: re(RECORDS),
      handle: (req, [z]) => success(ops.create(zoneOf(z!), objectBody(req.body))),
    },
    {
      method: 'POST',
      pattern: re(`${RECORDS}/batch`),
      handle: (req, [z]) => success(ops.batch(zoneOf(z!), objectBody(req.body))),
    },
    { method: 'GET', pattern: re(`${RECORDS}/([^/]+)`), handle: (_req, [z, id]) => success(recordOf(zoneOf(z!), id!)) },
    {
      method: 'PUT',
      pattern: re(`${RECORDS}/([^/]+)`),
      handle: (req, [z, id]) => {
        const zone = zoneOf(z!);
        return success(ops.replace(zone, recordOf(zone, id!), objectBody(req.body)));
      },
    },
    {
      method: 'PATCH',
      pattern: re(`${RECORDS}/([^/]+)`),
      handle: (req, [z, id]) => {
        const zone = zoneOf(z!);
        return success(ops.patch(zone, recordOf(zone, id!), objectBody(req.body)));
      },
    },
    {
      method: 'DELETE',
      pattern: re(`${RECORDS}/([^/]+)`),
      handle: (_req, [z, id]) => {
        const zone = zoneOf(z!);
        store.records.delete(recordOf(zone, id!).id);
        return success({ id });
      },
    },
  ];
}

function re(path: string): RegExp {
  return new RegExp(`^${path}$`);
}

function listZones(store: FakeStore, req: ApiRequest) {
  const q = req.query;
  const items = [...store.zones.values()]
    .filter((z) => !q.has('name') || matchesZoneName(z.name, q.get('name')!))
    .filter((z) => !q.has('account.id') || z.account.id === q.get('account.id'))
    .filter((z) => !q.has('status') || z.status === q.get('status'))
    .sort((a, b) => a.name.localeCompare(b.name));
  const { page, info } = paginate(items, q, { defaultPerPage: 20, maxPerPage: 50 });
  return success(page, info);
}

type Fields = Record<string, unknown>;

/** Record writes with the API's validation: names inside the zone, CNAME exclusivity, identical records. */
class RecordOps {
  constructor(private readonly store: FakeStore) {}

  create(zone: FakeZone, body: Fields): FakeRecord {
    const fields = this.validate(zone, body, undefined);
    return this.store.insertRecord(zone, fields);
  }

  replace(zone: FakeZone, current: FakeRecord, body: Fields): FakeRecord {
    const fields = this.validate(zone, body, current.id);
    // validate() yields every writable field, so PUT semantics (unset fields reset) fall out of the spread.
    const next: FakeRecord = { ...current, ...fields, modified_on: this.store.now() };
    this.store.records.set(current.id, next);
    return next;
  }

  patch(zone: FakeZone, current: FakeRecord, body: Fields): FakeRecord {
    const merged: Fields = {
      name: current.name,
      type: current.type,
      content: current.content,
      proxied: current.proxied,
      ttl: current.ttl,
      comment: current.comment,
      tags: current.tags,
      ...body,
    };
    return this.replace(zone, current, merged);
  }

  /** Deletes, then patches, then puts, then posts, all or nothing (one database transaction upstream). */
  batch(zone: FakeZone, body: Fields): Record<string, FakeRecord[]> {
    const saved = new Map(this.store.records);
    try {
      const result = {
        deletes: [] as FakeRecord[],
        patches: [] as FakeRecord[],
        puts: [] as FakeRecord[],
        posts: [] as FakeRecord[],
      };
      for (const d of list(body.deletes)) {
        const r = this.existing(zone, d.id);
        this.store.records.delete(r.id);
        result.deletes.push(r);
      }
      for (const p of list(body.patches))
        result.patches.push(this.patch(zone, this.existing(zone, p.id), without(p, 'id')));
      for (const p of list(body.puts))
        result.puts.push(this.replace(zone, this.existing(zone, p.id), without(p, 'id')));
      for (const p of list(body.posts)) result.posts.push(this.create(zone, p));
      return result;
    } catch (err) {
      this.store.records.clear();
      for (const [k, v] of saved) this.store.records.set(k, v);
      throw err;
    }
  }

  private existing(zone: FakeZone, id: unknown): FakeRecord {
    const r = typeof id === 'string' ? this.store.records.get(id) : undefined;
    if (!r || r.zone_id !== zone.id) throw new ApiFault(404, 81044, 'Record does not exist.');
    return r;
  }

  private validate(zone: FakeZone, body: Fields, selfId: string | undefined) {
    const { type, content } = body;
    if (typeof type !== 'string' || typeof body.name !== 'string' || typeof content !== 'string' || content === '') {
      throw badRequest(9000, 'DNS record requires type, name and content');
    }
    const name = qualify(String(body.name), zone);
    const proxied = body.proxied === true;
    if (proxied && !['A', 'AAAA', 'CNAME'].includes(type))
      throw badRequest(9004, 'This record type cannot be proxied.');
    const comment = body.comment === undefined || body.comment === null ? null : String(body.comment);
    if (comment !== null && comment.length > COMMENT_MAX)
      throw badRequest(9101, `comment: must be at most ${COMMENT_MAX} characters`);
    this.checkConflicts(zone, { name, type, content }, selfId);
    const ttl = proxied ? 1 : typeof body.ttl === 'number' ? body.ttl : 1;
    const tags = Array.isArray(body.tags) ? body.tags.map(String) : [];
    return { name, type, content: type === 'CNAME' ? content.toLowerCase() : content, proxied, ttl, comment, tags };
  }

  private checkConflicts(
    zone: FakeZone,
    rec: { name: string; type: string; content: string },
    selfId: string | undefined,
  ): void {
    const same = this.store.recordsOf(zone.id).filter((r) => r.name === rec.name && r.id !== selfId);
    if (same.some((r) => r.type === rec.type && r.content.toLowerCase() === rec.content.toLowerCase())) {
      throw badRequest(81058, 'An identical record already exists.');
    }
    if (rec.type === 'CNAME' && same.length > 0)
      throw badRequest(81053, 'An A, AAAA, or CNAME record with that host already exists.');
    if (same.some((r) => r.type === 'CNAME')) throw badRequest(81054, 'A CNAME record with that host already exists.');
  }
}

/** Relative names and "@" are completed with the zone name, as the API does. */
function qualify(raw: string, zone: FakeZone): string {
  const name = raw.toLowerCase().replace(/\.$/, '');
  if (name === '@' || name === zone.name) return zone.name;
  if (name.endsWith(`.${zone.name}`)) return name;
  return `${name}.${zone.name}`;
}

function list(v: unknown): Fields[] {
  if (v === undefined) return [];
  if (!Array.isArray(v)) throw badRequest(1001, 'batch operations must be lists');
  return v.map((x) => objectBody(x));
}

function without(f: Fields, key: string): Fields {
  const { [key]: _drop, ...rest } = f;
  return rest;
}
