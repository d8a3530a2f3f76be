// In-memory state of the Cloudflare double: tunnels with their remote configurations, zones, DNS records.
import { randomBytes, randomUUID } from 'node:crypto';

export interface FakeTunnel {
  id: string;
  account_tag: string;
  name: string;
  created_at: string;
  deleted_at: string | null;
  config_src: 'local' | 'cloudflare';
  remote_config: boolean;
  status: 'inactive' | 'degraded' | 'healthy' | 'down';
  tun_type: 'cfd_tunnel';
  connections: never[];
  conns_active_at: string | null;
  conns_inactive_at: string | null;
  metadata: Record<string, unknown>;
  /** Never sent by the API except inside the connector token. */
  secret: string;
}

export interface FakeTunnelConfig {
  tunnel_id: string;
  account_id: string;
  version: number;
  config: Record<string, unknown> | null;
  source: 'cloudflare';
  created_at: string;
}

export interface FakeZone {
  id: string;
  name: string;
  status: 'active' | 'pending';
  account: { id: string; name: string };
  type: 'full';
}

export interface FakeRecord {
  id: string;
  zone_id: string;
  zone_name: string;
  name: string;
  type: string;
  content: string;
  proxied: boolean;
  proxiable: boolean;
  ttl: number;
  comment: string | null;
  tags: string[];
  settings: Record<string, unknown>;
  meta: Record<string, unknown>;
  created_on: string;
  modified_on: string;
}

const hexId = (): string => randomBytes(16).toString('hex');

export class FakeStore {
  readonly tunnels = new Map<string, FakeTunnel>();
  readonly configs = new Map<string, FakeTunnelConfig>();
  readonly zones = new Map<string, FakeZone>();
  readonly records = new Map<string, FakeRecord>();

  constructor(
    readonly accountId: string,
    private readonly clock: () => Date = () => new Date(),
  ) {}

  now(): string {
    return this.clock().toISOString();
  }

  addZone(name: string, status: FakeZone['status'] = 'active'): FakeZone {
    const zone: FakeZone = {
      id: hexId(),
      name: name.toLowerCase(),
      status,
      account: { id: this.accountId, name: 'test account' },
      type: 'full',
    };
    this.zones.set(zone.id, zone);
    return zone;
  }

  zoneByName(name: string): FakeZone | undefined {
    return [...this.zones.values()].find((z) => z.name === name.toLowerCase());
  }

  addTunnel(name: string, secret = randomBytes(32).toString('base64')): FakeTunnel {
    const tunnel: FakeTunnel = {
      id: randomUUID(),
      account_tag: this.accountId,
      name,
      created_at: this.now(),
      deleted_at: null,
      config_src: 'cloudflare',
      remote_config: true,
      status: 'inactive',
      tun_type: 'cfd_tunnel',
      connections: [],
      conns_active_at: null,
      conns_inactive_at: null,
      metadata: {},
      secret,
    };
    this.tunnels.set(tunnel.id, tunnel);
    this.configs.set(tunnel.id, {
      tunnel_id: tunnel.id,
      account_id: this.accountId,
      version: 0,
      config: null,
      source: 'cloudflare',
      created_at: this.now(),
    });
    return tunnel;
  }

  /** The connector token cloudflared runs with: base64 JSON of account tag, tunnel id and secret. */
  tokenOf(tunnel: FakeTunnel): string {
    return Buffer.from(JSON.stringify({ a: tunnel.account_tag, t: tunnel.id, s: tunnel.secret })).toString('base64');
  }

  putConfig(tunnelId: string, config: Record<string, unknown>): FakeTunnelConfig {
    const previous = this.configs.get(tunnelId);
    const next: FakeTunnelConfig = {
      tunnel_id: tunnelId,
      account_id: this.accountId,
      version: (previous?.version ?? 0) + 1,
      config,
      source: 'cloudflare',
      created_at: this.now(),
    };
    this.configs.set(tunnelId, next);
    return next;
  }

  /** Inserts a record as-is (seeding foreign records, or after validation by the API layer). */
  insertRecord(
    zone: FakeZone,
    fields: Partial<FakeRecord> & { name: string; type: string; content: string },
  ): FakeRecord {
    const now = this.now();
    const record: FakeRecord = {
      id: hexId(),
      zone_id: zone.id,
      zone_name: zone.name,
      proxied: false,
      proxiable: true,
      ttl: 1,
      comment: null,
      tags: [],
      settings: {},
      meta: {},
      created_on: now,
      modified_on: now,
      ...fields,
      name: fields.name.toLowerCase(),
    };
    this.records.set(record.id, record);
    return record;
  }

  recordsOf(zoneId: string): FakeRecord[] {
    return [...this.records.values()]
      .filter((r) => r.zone_id === zoneId)
      .sort((a, b) => a.name.localeCompare(b.name) || a.id.localeCompare(b.id));
  }
}

/** Public view of a tunnel (the secret never leaves except in the token). */
export function tunnelView(t: FakeTunnel): Omit<FakeTunnel, 'secret'> {
  const { secret: _secret, ...view } = t;
  return view;
}
