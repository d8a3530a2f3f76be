// `standalone` against the Cloudflare double with a foreign A record on one wanted hostname: that record is
// left untouched and the route publishing the hostname shows DNSReady=False/HostnameTaken in /status, while
// the other hostname gets its CNAME and the Gateway stays Programmed. Deleting the foreign record by hand is
// picked up by the edge's periodic resync (CLOUDFLARE_EDGE_RESYNC_MS, shortened here): our CNAME appears and
// the condition goes away; a record of ours deleted by hand comes back the same way.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeCloudflare, type FakeCloudflare, type FakeRecord } from '../support/fake-cloudflare/index.js';
import { cloudflareArgs, runStandalone, type CliProcess } from '../support/cli.js';
import { gatewayYaml, routeYaml } from '../support/manifests.js';
import { eventually, httpRequest } from '../support/http.js';

const gateway = gatewayYaml;
const route = (name: string, host: string) => routeYaml(name, host);

const DNS_READY = 'cloudflare-tunnel-gateway.dev/DNSReady';
type Condition = { type: string; status: string; reason: string; message: string };
type Status = {
  kind: string;
  name: string;
  status: { conditions?: Condition[]; parents?: Array<{ conditions: Condition[] }> };
};

describe('standalone: a hostname held by a foreign DNS record', () => {
  let fake: FakeCloudflare;
  let dir: string;
  let app: CliProcess;
  let admin: number;
  let foreign: FakeRecord;

  const cname = (host: string) => [...fake.store.records.values()].find((r) => r.type === 'CNAME' && r.name === host);
  const statuses = async () => (await httpRequest(admin, { path: '/status' })).json<{ statuses: Status[] }>().statuses;
  const dnsReadyOf = (all: Status[], name: string) =>
    all
      .find((s) => s.kind === 'HTTPRoute' && s.name === name)
      ?.status.parents?.[0]?.conditions.find((c) => c.type === DNS_READY);

  beforeAll(async () => {
    fake = await startFakeCloudflare();
    const zone = fake.store.addZone('example.com');
    foreign = fake.store.insertRecord(zone, {
      name: 'app.example.com',
      type: 'A',
      content: '192.0.2.10',
      comment: 'hand-made',
    });
    dir = await mkdtemp(join(tmpdir(), 'tgw-conflict-'));
    await writeFile(join(dir, 'gateway.yaml'), gateway);
    await writeFile(join(dir, 'app.yaml'), route('app', 'app.example.com'));
    await writeFile(join(dir, 'free.yaml'), route('free', 'free.example.com'));
    const cf = cloudflareArgs(fake, join(dir, 'token'), { CLOUDFLARE_EDGE_RESYNC_MS: '400' });
    ({ app, admin } = await runStandalone(dir, cf.args, cf.env));
  }, 90_000);

  afterAll(async () => {
    await app?.stop();
    await fake?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('leaves the foreign record alone, publishes the other hostname, and says why on the route', async () => {
    await eventually(async () => cname('free.example.com'), 30_000);
    const [tunnel] = [...fake.store.tunnels.values()];
    expect(cname('free.example.com')!.content).toBe(`${tunnel!.id}.cfargotunnel.com`);
    const dns = await eventually(async () => dnsReadyOf(await statuses(), 'app'), 30_000);
    expect(dns).toMatchObject({ status: 'False', reason: 'HostnameTaken' });
    expect(dns.message).toContain('app.example.com');
    expect(dns.message).toContain('A record');

    expect(fake.store.records.get(foreign.id)).toEqual(foreign);
    expect(cname('app.example.com')).toBeUndefined();
    const all = await statuses();
    expect(dnsReadyOf(all, 'free')).toBeUndefined();
    const accepted = all
      .find((s) => s.name === 'app')!
      .status.parents![0]!.conditions.find((c) => c.type === 'Accepted');
    expect(accepted?.status).toBe('True');
    const gw = await eventually(
      async () =>
        (await statuses()).find(
          (s) =>
            s.kind === 'Gateway' && s.status.conditions?.some((c) => c.type === 'Programmed' && c.status === 'True'),
        ),
      30_000,
    );
    expect(gw.name).toBe('gw');
  }, 90_000);

  it('publishes the hostname and drops the condition once the foreign record is deleted by hand', async () => {
    fake.store.records.delete(foreign.id);
    await eventually(async () => cname('app.example.com'), 30_000);
    const [tunnel] = [...fake.store.tunnels.values()];
    expect(cname('app.example.com')!.content).toBe(`${tunnel!.id}.cfargotunnel.com`);
    await eventually(async () => dnsReadyOf(await statuses(), 'app') === undefined || undefined, 30_000);
    const app = (await statuses()).find((s) => s.name === 'app')!;
    expect(app.status.parents![0]!.conditions.find((c) => c.type === 'Accepted')?.status).toBe('True');
  }, 90_000);

  it('restores our record when someone deletes it on Cloudflare (drift repair)', async () => {
    const ours = cname('free.example.com')!;
    fake.store.records.delete(ours.id);
    const restored = await eventually(async () => cname('free.example.com'), 30_000);
    expect(restored.id).not.toBe(ours.id);
    expect(restored.content).toBe(ours.content);
    expect(restored.comment).toBe(ours.comment);
  }, 90_000);
});
