// The edge adapter against the Cloudflare double, through the official SDK: writes, ownership, steady state.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { startFakeCloudflare, type FakeCloudflare, type FakeTunnel } from '../support/fake-cloudflare/index.js';
import { MANAGED_BY } from '../../src/cloudflare/index.js';
import { TestClock, configIngress, configWrites, desiredFor, dnsWrites, edgeFor } from './helpers.js';

let fake: FakeCloudflare;
let tunnel: FakeTunnel;

beforeEach(async () => {
  fake = await startFakeCloudflare();
  tunnel = fake.store.addTunnel('existing');
  fake.store.addZone('example.com');
});
afterEach(() => fake.close());

const target = () => `${tunnel.id}.cfargotunnel.com`;
const recordsNamed = (name: string) => [...fake.store.records.values()].filter((r) => r.name === name);

describe('routes appear', () => {
  it('writes the configuration once and one CNAME per hostname, marked as ours', async () => {
    const edge = edgeFor(fake, { tunnelId: tunnel.id });
    const result = await edge.reconcile(
      desiredFor(['app.example.com', 'api.example.com'], { grpc: ['api.example.com'] }),
    );
    expect(result).toEqual({ ok: true, writes: 3 });
    expect(configWrites(fake)).toHaveLength(1);
    expect(dnsWrites(fake)).toHaveLength(1); // one batch for the zone
    expect(configIngress(fake, tunnel.id)).toEqual([
      { hostname: 'app.example.com', service: 'http://localhost:8080' },
      {
        hostname: 'api.example.com',
        service: 'https://localhost:8443',
        originRequest: { http2Origin: true, noTLSVerify: true },
      },
      { service: 'http_status:404' },
    ]);
    for (const name of ['app.example.com', 'api.example.com']) {
      expect(recordsNamed(name)).toEqual([
        expect.objectContaining({
          type: 'CNAME',
          content: target(),
          proxied: true,
          comment: `${MANAGED_BY} owner=test-owner`,
        }),
      ]);
    }
  });

  it('puts wildcard hostnames in wildcard records', async () => {
    const edge = edgeFor(fake, { tunnelId: tunnel.id });
    expect(await edge.reconcile(desiredFor(['*.example.com']))).toMatchObject({ ok: true });
    expect(recordsNamed('*.example.com')).toEqual([expect.objectContaining({ type: 'CNAME', content: target() })]);
    expect(configIngress(fake, tunnel.id)[0]).toEqual({ hostname: '*.example.com', service: 'http://localhost:8080' });
  });

  it('picks the zone with the longest matching suffix', async () => {
    const sub = fake.store.addZone('dev.example.com');
    fake.store.addZone('other-example.com');
    const edge = edgeFor(fake, { tunnelId: tunnel.id });
    expect(await edge.reconcile(desiredFor(['a.dev.example.com', 'b.example.com', '*.dev.example.com']))).toMatchObject(
      { ok: true },
    );
    expect(recordsNamed('a.dev.example.com')[0]?.zone_id).toBe(sub.id);
    expect(recordsNamed('*.dev.example.com')[0]?.zone_id).toBe(sub.id);
    expect(recordsNamed('b.example.com')[0]?.zone_name).toBe('example.com');
  });

  it('reports a hostname without a zone and still applies the rest', async () => {
    const edge = edgeFor(fake, { tunnelId: tunnel.id });
    const result = await edge.reconcile(desiredFor(['app.example.com', 'x.nowhere.test']));
    expect(result).toMatchObject({
      ok: true,
      conflicts: [expect.stringContaining('no zone for hostname x.nowhere.test')],
    });
    expect(recordsNamed('app.example.com')).toHaveLength(1);
  });
});

describe('steady state', () => {
  it('costs no writes and no calls while nothing changes, and only reads after the re-read interval', async () => {
    const clock = new TestClock();
    const edge = edgeFor(fake, { tunnelId: tunnel.id, now: clock.now, rereadIntervalMs: 60_000 });
    const desired = desiredFor(['app.example.com', 'www.example.com']);
    await edge.reconcile(desired);
    const callsAfterFirst = fake.calls.length;
    for (let i = 0; i < 5; i++) expect(await edge.reconcile(desired)).toEqual({ ok: true, writes: 0 });
    expect(fake.calls.length).toBe(callsAfterFirst);
    clock.advance(61_000);
    expect(await edge.reconcile(desired)).toEqual({ ok: true, writes: 0 });
    const reread = fake.calls.slice(callsAfterFirst);
    expect(reread.length).toBeGreaterThan(0);
    expect(reread.every((c) => c.method === 'GET')).toBe(true);
  });

  it('compares semantically: reordered rules and explicit defaults are not a difference', async () => {
    fake.store.putConfig(tunnel.id, {
      ingress: [
        {
          hostname: 'api.example.com',
          service: 'https://localhost:8443',
          originRequest: { noTLSVerify: true, http2Origin: true, connectTimeout: 30 },
        },
        { hostname: 'APP.example.com', service: 'http://localhost:8080', originRequest: { noTLSVerify: false } },
        { service: 'http_status:404' },
      ],
      'warp-routing': { enabled: false },
    });
    const edge = edgeFor(fake, { tunnelId: tunnel.id });
    await edge.reconcile(desiredFor(['app.example.com', 'api.example.com'], { grpc: ['api.example.com'] }));
    expect(configWrites(fake)).toHaveLength(0);
  });

  it('a restarted adapter (cold caches) finds everything in place and writes nothing', async () => {
    const desired = desiredFor(['app.example.com', '*.example.com']);
    await edgeFor(fake, { tunnelId: tunnel.id }).reconcile(desired);
    fake.resetCalls();
    expect(await edgeFor(fake, { tunnelId: tunnel.id }).reconcile(desired)).toEqual({ ok: true, writes: 0 });
    expect(fake.writes()).toHaveLength(0);
  });
});

describe('ownership', () => {
  it('deletes the record of a removed hostname, ours only, and drops its rule', async () => {
    const foreign = fake.store.insertRecord(fake.store.zoneByName('example.com')!, {
      name: 'mail.example.com',
      type: 'A',
      content: '192.0.2.7',
    });
    const edge = edgeFor(fake, { tunnelId: tunnel.id });
    await edge.reconcile(desiredFor(['app.example.com', 'old.example.com']));
    expect(await edge.reconcile(desiredFor(['app.example.com']))).toEqual({ ok: true, writes: 2 });
    expect(recordsNamed('old.example.com')).toEqual([]);
    expect(recordsNamed('app.example.com')).toHaveLength(1);
    expect(fake.store.records.get(foreign.id)).toEqual(foreign);
    expect(configIngress(fake, tunnel.id).map((r) => r.hostname)).toEqual(['app.example.com', undefined]);
  });

  it('after a restart still removes its own stale records (found by the comment mark)', async () => {
    await edgeFor(fake, { tunnelId: tunnel.id }).reconcile(desiredFor(['app.example.com', 'old.example.com']));
    const restarted = edgeFor(fake, { tunnelId: tunnel.id });
    expect(await restarted.reconcile(desiredFor(['app.example.com']))).toMatchObject({ ok: true, writes: 2 });
    expect(recordsNamed('old.example.com')).toEqual([]);
    expect(configIngress(fake, tunnel.id).map((r) => r.hostname)).toEqual(['app.example.com', undefined]);
  });

  it('never touches a foreign record on a wanted hostname, and reports it', async () => {
    const zone = fake.store.zoneByName('example.com')!;
    const taken = fake.store.insertRecord(zone, {
      name: 'taken.example.com',
      type: 'CNAME',
      content: 'elsewhere.example.net',
      comment: 'hand made',
    });
    const otherOwner = fake.store.insertRecord(zone, {
      name: 'theirs.example.com',
      type: 'CNAME',
      content: 'x.cfargotunnel.com',
      comment: `${MANAGED_BY} owner=someone-else`,
    });
    const edge = edgeFor(fake, { tunnelId: tunnel.id });
    const result = await edge.reconcile(desiredFor(['app.example.com', 'taken.example.com', 'theirs.example.com']));
    expect(result.ok).toBe(true);
    expect(result.ok && result.conflicts).toEqual([
      expect.stringMatching(/^hostname taken: taken\.example\.com/),
      expect.stringMatching(/^hostname taken: theirs\.example\.com/),
    ]);
    expect(fake.store.records.get(taken.id)).toEqual(taken);
    expect(fake.store.records.get(otherOwner.id)).toEqual(otherOwner);
    expect(recordsNamed('app.example.com')).toHaveLength(1);
  });

  it('keeps ingress rules it did not create and reports them, unless it owns the tunnel', async () => {
    fake.store.putConfig(tunnel.id, {
      ingress: [
        { hostname: 'legacy.example.com', service: 'http://legacy:80' },
        { hostname: 'shared.example.com', service: 'http://by-hand:80' },
        { service: 'http_status:404' },
      ],
    });
    const edge = edgeFor(fake, { tunnelId: tunnel.id });
    const result = await edge.reconcile(desiredFor(['app.example.com', 'shared.example.com']));
    expect(result.ok && result.conflicts).toEqual([
      expect.stringContaining('legacy.example.com'),
      expect.stringMatching(/^hostname taken: ingress rule for shared\.example\.com/),
    ]);
    expect(configIngress(fake, tunnel.id)).toEqual([
      { hostname: 'app.example.com', service: 'http://localhost:8080' },
      { hostname: 'legacy.example.com', service: 'http://legacy:80' },
      { hostname: 'shared.example.com', service: 'http://by-hand:80' },
      { service: 'http_status:404' },
    ]);
    expect(recordsNamed('shared.example.com')).toEqual([]); // its traffic is not ours to attract

    const owner = edgeFor(fake, { tunnelId: tunnel.id, ownTunnel: true });
    expect(await owner.reconcile(desiredFor(['app.example.com', 'shared.example.com']))).toMatchObject({ ok: true });
    expect(configIngress(fake, tunnel.id).map((r) => r.hostname)).toEqual([
      'app.example.com',
      'shared.example.com',
      undefined,
    ]);
  });
});

describe('tunnel lifecycle', () => {
  it('creates a named tunnel, hands over its token, and a restart reuses it', async () => {
    const tokens: string[] = [];
    const edge = edgeFor(fake, {
      tunnelId: 'create',
      tunnelName: 'gw',
      onTunnelToken: async (t) => void tokens.push(t),
    });
    expect(await edge.reconcile(desiredFor(['app.example.com']))).toMatchObject({ ok: true });
    const id = edge.tunnelId()!;
    const created = fake.store.tunnels.get(id)!;
    expect(created.name).toMatch(/^gw-[0-9a-f]{8}$/);
    expect(created.config_src).toBe('cloudflare');
    expect(tokens).toEqual([fake.store.tokenOf(created)]);
    expect(recordsNamed('app.example.com')[0]?.content).toBe(`${id}.cfargotunnel.com`);

    const again = edgeFor(fake, { tunnelName: 'gw', onTunnelToken: async (t) => void tokens.push(t) });
    expect(await again.ensureTunnel()).toBe(id);
    expect(fake.calls.filter((c) => c.method === 'POST' && c.path.endsWith('/cfd_tunnel'))).toHaveLength(1);
    expect(tokens).toHaveLength(2);
  });

  it('does not adopt a tunnel of the plain name that someone else created', async () => {
    const theirs = fake.store.addTunnel('gw');
    const edge = edgeFor(fake, { tunnelName: 'gw' });
    const id = await edge.ensureTunnel();
    expect(id).not.toBe(theirs.id);
    expect(fake.store.tunnels.get(id)?.name).toMatch(/^gw-/);
  });

  it('reports an unknown tunnel id as an error', async () => {
    const edge = edgeFor(fake, { tunnelId: '00000000-0000-4000-8000-000000000000' });
    expect(await edge.reconcile(desiredFor(['app.example.com']))).toMatchObject({
      ok: false,
      error: expect.stringContaining('404'),
    });
  });
});

describe('zones and batching', () => {
  it('with zoneHints looks zones up by name and manages only those', async () => {
    fake.store.addZone('elsewhere.org');
    const edge = edgeFor(fake, { tunnelId: tunnel.id, zoneHints: ['example.com'] });
    const result = await edge.reconcile(desiredFor(['app.example.com', 'app.elsewhere.org']));
    expect(result).toMatchObject({
      ok: true,
      conflicts: [expect.stringContaining('no zone for hostname app.elsewhere.org')],
    });
    const zoneCalls = fake.calls.filter((c) => c.path === '/zones');
    expect(zoneCalls.map((c) => c.query.get('name'))).toEqual(['example.com']);
    expect(recordsNamed('app.example.com')).toHaveLength(1);
    expect(recordsNamed('app.elsewhere.org')).toEqual([]);
  });

  it('pages through many zones without asking for the empty page after the last', async () => {
    for (let i = 0; i < 60; i++) fake.store.addZone(`zone${String(i).padStart(2, '0')}.test`);
    const edge = edgeFor(fake, { tunnelId: tunnel.id });
    expect(await edge.reconcile(desiredFor(['a.zone59.test']))).toMatchObject({ ok: true });
    expect(fake.calls.filter((c) => c.path === '/zones').map((c) => c.query.get('page'))).toEqual(['1', '2']);
    expect(recordsNamed('a.zone59.test')[0]?.zone_name).toBe('zone59.test');
  });

  it('splits a large change into batches of at most 200 operations', async () => {
    const hosts = Array.from({ length: 250 }, (_, i) => `h${i}.example.com`);
    const edge = edgeFor(fake, { tunnelId: tunnel.id });
    expect(await edge.reconcile(desiredFor(hosts))).toEqual({ ok: true, writes: 251 });
    const batches = fake.writes().filter((c) => c.path.endsWith('/batch'));
    expect(batches.map((c) => (c.body as { posts: unknown[] }).posts.length)).toEqual([200, 50]);
    expect(fake.store.records.size).toBe(250);
  });
});

describe('standalone token file', () => {
  it('writes the connector token to an owner-only file and logs only its path', async () => {
    const { mkdtemp, readFile, stat, rm } = await import('node:fs/promises');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const { pino } = await import('pino');
    const { tokenFileWriter } = await import('../../src/cloudflare/index.js');
    const dir = await mkdtemp(join(tmpdir(), 'cf-token-'));
    const lines: string[] = [];
    const logger = pino({ level: 'info' }, { write: (l: string) => void lines.push(l) });
    try {
      const path = join(dir, 'sub', 'tunnel-token');
      const edge = edgeFor(fake, { tunnelName: 'sa', onTunnelToken: tokenFileWriter(path, logger) });
      const id = await edge.ensureTunnel();
      const token = await readFile(path, 'utf8');
      expect(token).toBe(fake.store.tokenOf(fake.store.tunnels.get(id)!));
      expect((await stat(path)).mode & 0o777).toBe(0o600);
      expect(lines.join('')).toContain(path);
      expect(lines.join('')).not.toContain(token);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
