// `standalone --account-id … --tunnel-id create` against the Cloudflare API double: the tunnel is created and
// its token written for cloudflared, routes become one configuration write plus CNAMEs, a quiet period costs no
// writes, a removed hostname loses its record, and the Gateway's address carries the real tunnel id.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeCloudflare, type FakeCloudflare } from '../support/fake-cloudflare/index.js';
import { cloudflareArgs, runStandalone, type CliProcess } from '../support/cli.js';
import { gatewayYaml, routeYaml } from '../support/manifests.js';
import { eventually, httpRequest } from '../support/http.js';

const gateway = gatewayYaml;
const route = (name: string, host: string) => routeYaml(name, host);

describe('standalone with the Cloudflare edge', () => {
  let fake: FakeCloudflare;
  let dir: string;
  let app: CliProcess;
  let admin: number;
  let port: number;

  const cnames = () =>
    [...fake.store.records.values()]
      .filter((r) => r.type === 'CNAME')
      .map((r) => `${r.name}>${r.content}`)
      .sort();

  beforeAll(async () => {
    fake = await startFakeCloudflare();
    fake.store.addZone('example.com');
    dir = await mkdtemp(join(tmpdir(), 'tgw-cf-'));
    await writeFile(join(dir, 'gateway.yaml'), gateway);
    await writeFile(join(dir, 'a.yaml'), route('a', 'a.example.com'));
    await writeFile(join(dir, 'b.yaml'), route('b', 'b.example.com'));
    const cf = cloudflareArgs(fake, join(dir, 'token'));
    ({ app, admin, port } = await runStandalone(dir, cf.args, cf.env));
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    await fake?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('creates the tunnel, writes its token for cloudflared, and publishes both hostnames', async () => {
    await eventually(async () => cnames().length === 2);
    const [tunnel] = [...fake.store.tunnels.values()];
    expect(cnames()).toEqual([
      `a.example.com>${tunnel!.id}.cfargotunnel.com`,
      `b.example.com>${tunnel!.id}.cfargotunnel.com`,
    ]);
    const ingress = (
      fake.store.configs.get(tunnel!.id)!.config as { ingress: Array<{ hostname?: string; service: string }> }
    ).ingress;
    expect(ingress.map((r) => r.hostname ?? r.service)).toEqual(['a.example.com', 'b.example.com', 'http_status:404']);
    expect(await readFile(join(dir, 'token'), 'utf8')).toBe(fake.store.tokenOf(tunnel!));
    expect((await stat(join(dir, 'token'))).mode & 0o777).toBe(0o600);
    expect(app.stdout()).not.toContain(fake.store.tokenOf(tunnel!));
    expect(app.stdout()).not.toContain(fake.apiToken);

    const status = (await httpRequest(admin, { path: '/status' })).json<{
      statuses: Array<{ kind: string; status: { addresses?: unknown } }>;
    }>();
    const gw = status.statuses.find((s) => s.kind === 'Gateway')!;
    // The tunnel's hostname first; then the Gateway's own data port (ADR 0009), here --listen's.
    expect(gw.status.addresses).toEqual([
      { type: 'Hostname', value: `${tunnel!.id}.cfargotunnel.com` },
      { type: 'cloudflare-tunnel-gateway.dev/data-port', value: `127.0.0.1:${port}` },
    ]);
  });

  it('makes no writes while nothing changes, and deletes the record of a removed hostname', async () => {
    fake.resetCalls();
    await new Promise((r) => setTimeout(r, 1500));
    expect(fake.writes()).toEqual([]);
    await rm(join(dir, 'b.yaml'));
    await eventually(async () => cnames().length === 1);
    expect(cnames()[0]).toMatch(/^a\.example\.com>/);
  });
});
