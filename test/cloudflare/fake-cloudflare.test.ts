// The Cloudflare double, driven by the official SDK: if the SDK accepts its answers, the adapter tests mean something.
import { afterAll, beforeAll, beforeEach, describe, expect, it } from '@jest/globals';
import Cloudflare from 'cloudflare';
import { startFakeCloudflare, type FakeCloudflare } from '../support/fake-cloudflare/index.js';

let fake: FakeCloudflare;
let cf: Cloudflare;

beforeAll(async () => {
  fake = await startFakeCloudflare();
  cf = new Cloudflare({ apiToken: fake.apiToken, baseURL: fake.baseURL, maxRetries: 0 });
});
afterAll(() => fake.close());
beforeEach(() => {
  fake.faults.clear();
  fake.resetCalls();
});

describe('tunnels', () => {
  it('creates a tunnel, finds it by name, returns its connector token and configuration', async () => {
    const created = await cf.zeroTrust.tunnels.cloudflared.create({
      account_id: fake.accountId,
      name: 'gw-a',
      config_src: 'cloudflare',
    });
    expect(created.id).toMatch(/^[0-9a-f-]{36}$/);
    const found = [];
    for await (const t of cf.zeroTrust.tunnels.cloudflared.list({
      account_id: fake.accountId,
      name: 'gw-a',
      is_deleted: false,
    }))
      found.push(t);
    expect(found.map((t) => t.id)).toEqual([created.id]);
    const token = await cf.zeroTrust.tunnels.cloudflared.token.get(created.id!, { account_id: fake.accountId });
    expect(JSON.parse(Buffer.from(token, 'base64').toString())).toMatchObject({ a: fake.accountId, t: created.id });
    const cfg = await cf.zeroTrust.tunnels.cloudflared.configurations.get(created.id!, { account_id: fake.accountId });
    expect(cfg).toMatchObject({ tunnel_id: created.id, version: 0 });
  });

  it('refuses a second live tunnel with the same name (409, code 1013)', async () => {
    await cf.zeroTrust.tunnels.cloudflared.create({ account_id: fake.accountId, name: 'dup' });
    await expect(
      cf.zeroTrust.tunnels.cloudflared.create({ account_id: fake.accountId, name: 'dup' }),
    ).rejects.toMatchObject({
      status: 409,
      errors: [{ code: 1013, message: expect.stringContaining('already have a tunnel') }],
    });
  });

  it('stores a configuration and bumps its version; rejects a document without a catch-all last', async () => {
    const t = fake.store.addTunnel('cfg');
    const ingress = [{ hostname: 'a.example.com', service: 'http://localhost:8080' }, { service: 'http_status:404' }];
    const put = await cf.zeroTrust.tunnels.cloudflared.configurations.update(t.id, {
      account_id: fake.accountId,
      config: { ingress: ingress as never },
    });
    expect(put.version).toBe(1);
    const got = await cf.zeroTrust.tunnels.cloudflared.configurations.get(t.id, { account_id: fake.accountId });
    expect(got.config?.ingress).toEqual(ingress);
    await expect(
      cf.zeroTrust.tunnels.cloudflared.configurations.update(t.id, {
        account_id: fake.accountId,
        config: { ingress: [ingress[0]!] as never },
      }),
    ).rejects.toMatchObject({ status: 400 });
  });
});

describe('zones', () => {
  it('paginates with page/per_page and result_info, filtering by name', async () => {
    for (let i = 0; i < 7; i++) fake.store.addZone(`z${i}.test`);
    const page1 = await cf.zones.list({ per_page: 5, page: 1 });
    expect(page1.result).toHaveLength(5);
    expect(page1.result_info).toMatchObject({ page: 1, per_page: 5 });
    const all = [];
    for await (const z of cf.zones.list({ per_page: 5 })) all.push(z.name);
    expect(all.filter((n) => n.endsWith('.test')).sort()).toEqual([
      'z0.test',
      'z1.test',
      'z2.test',
      'z3.test',
      'z4.test',
      'z5.test',
      'z6.test',
    ]);
    // The SDK stops only on an empty page: the double must serve one past the end.
    expect(fake.calls.at(-1)?.query.get('page')).toBe(String(Math.ceil(all.length / 5) + 1));
    const one = await cf.zones.list({ name: 'z3.test' });
    expect(one.result.map((z) => z.name)).toEqual(['z3.test']);
  });
});

describe('dns records', () => {
  it('creates, lists with filters, updates, edits and deletes', async () => {
    const zone = fake.store.addZone('records.test');
    const rec = await cf.dns.records.create({
      zone_id: zone.id,
      type: 'CNAME',
      name: 'app',
      content: 'T.cfargotunnel.com',
      proxied: true,
      ttl: 1,
      comment: 'mine',
    });
    expect(rec).toMatchObject({ name: 'app.records.test', type: 'CNAME', proxied: true });
    await cf.dns.records.create({ zone_id: zone.id, type: 'TXT', name: 'other.records.test', content: 'x', ttl: 300 });
    const mine = await cf.dns.records.list({ zone_id: zone.id, comment: { contains: 'min' } });
    expect(mine.result.map((r) => r.name)).toEqual(['app.records.test']);
    const byName = await cf.dns.records.list({ zone_id: zone.id, name: { exact: 'other.records.test' }, type: 'TXT' });
    expect(byName.result).toHaveLength(1);
    const put = await cf.dns.records.update(rec.id, {
      zone_id: zone.id,
      type: 'CNAME',
      name: 'app.records.test',
      content: 'U.cfargotunnel.com',
      ttl: 1,
    });
    expect(put).toMatchObject({ content: 'u.cfargotunnel.com', proxied: false, comment: null });
    const edited = await cf.dns.records.edit(rec.id, {
      zone_id: zone.id,
      type: 'CNAME',
      name: 'app.records.test',
      ttl: 1,
      proxied: true,
    });
    expect(edited).toMatchObject({ content: 'u.cfargotunnel.com', proxied: true });
    await cf.dns.records.delete(rec.id, { zone_id: zone.id });
    await expect(cf.dns.records.get(rec.id, { zone_id: zone.id })).rejects.toMatchObject({
      status: 404,
      errors: [{ code: 81044 }],
    });
  });

  it('enforces CNAME exclusivity (81053) and applies a batch all-or-nothing', async () => {
    const zone = fake.store.addZone('batch.test');
    fake.store.insertRecord(zone, { name: 'taken.batch.test', type: 'A', content: '192.0.2.1' });
    await expect(
      cf.dns.records.create({
        zone_id: zone.id,
        type: 'CNAME',
        name: 'taken.batch.test',
        content: 'x.example',
        ttl: 1,
      }),
    ).rejects.toMatchObject({ status: 400, errors: [{ code: 81053 }] });
    const before = fake.store.recordsOf(zone.id).length;
    await expect(
      cf.dns.records.batch({
        zone_id: zone.id,
        posts: [
          { type: 'CNAME', name: 'ok.batch.test', content: 'x.example', ttl: 1 },
          { type: 'CNAME', name: 'taken.batch.test', content: 'x.example', ttl: 1 },
        ],
      }),
    ).rejects.toMatchObject({ status: 400 });
    expect(fake.store.recordsOf(zone.id)).toHaveLength(before);
    const ok = await cf.dns.records.batch({
      zone_id: zone.id,
      posts: [{ type: 'CNAME', name: 'ok.batch.test', content: 'x.example', ttl: 1 }],
    });
    expect(ok.posts?.map((r) => r.name)).toEqual(['ok.batch.test']);
  });
});

describe('auth and faults', () => {
  it('answers a wrong token with 403 code 10000', async () => {
    const bad = new Cloudflare({ apiToken: 'wrong', baseURL: fake.baseURL, maxRetries: 0 });
    await expect(bad.zones.list()).rejects.toMatchObject({ status: 403, errors: [{ code: 10000 }] });
  });

  it('injects 429 with Retry-After, then 5xx, then recovers; slow answers arrive late', async () => {
    fake.faults.rateLimit(1, 7);
    fake.faults.serverErrors(1, 503);
    const err = (await cf.zones.list().then(
      () => undefined,
      (e: unknown) => e,
    )) as { status: number; headers: Headers };
    expect(err.status).toBe(429);
    expect(err.headers.get('retry-after')).toBe('7');
    await expect(cf.zones.list()).rejects.toMatchObject({ status: 503 });
    await expect(cf.zones.list()).resolves.toBeDefined();
    fake.faults.slow(1, 300);
    const t0 = Date.now();
    await cf.zones.list();
    expect(Date.now() - t0).toBeGreaterThanOrEqual(280);
    expect(fake.calls.map((c) => c.status)).toEqual([429, 503, 200, 200]);
  });

  it('enforces an account quota with 429s once the window is full', async () => {
    fake.faults.enforceQuota(3, 60_000);
    for (let i = 0; i < 3; i++) await cf.zones.list();
    await expect(cf.zones.list()).rejects.toMatchObject({ status: 429 });
  });
});
