// `standalone --tunnel-id ID` against the Cloudflare API double, as a user runs it from some folder (a git
// checkout, say): the tunnel's connector token is a secret, written only where --tunnel-token-file asks, never
// into the working directory by default; and a token Cloudflare refuses (404) never stops ingress and DNS.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { mkdir, mkdtemp, readFile, readdir, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeCloudflare, type FakeCloudflare, type FakeTunnel } from '../support/fake-cloudflare/index.js';
import { runStandalone, type CliProcess } from '../support/cli.js';
import { gatewayYaml, routeYaml } from '../support/manifests.js';
import { eventually, httpRequest } from '../support/http.js';

const TOKEN_PATH = /\/cfd_tunnel\/[^/]+\/token$/;

describe('standalone --tunnel-id: the connector token', () => {
  let fake: FakeCloudflare;
  let tunnel: FakeTunnel;
  let root: string;
  let manifests: string;
  let cwd: string;
  let app: CliProcess | undefined;

  beforeEach(async () => {
    fake = await startFakeCloudflare();
    fake.store.addZone('example.com');
    tunnel = fake.store.addTunnel('by-hand');
    root = await mkdtemp(join(tmpdir(), 'tgw-token-'));
    manifests = join(root, 'manifests');
    cwd = join(root, 'cwd');
    await Promise.all([mkdir(manifests), mkdir(cwd)]);
    await writeFile(join(manifests, 'gateway.yaml'), gatewayYaml);
    await writeFile(join(manifests, 'route.yaml'), routeYaml('a', 'a.example.com'));
  });

  afterEach(async () => {
    await app?.stop();
    app = undefined;
    await fake.close();
    await rm(root, { recursive: true, force: true });
  });

  const start = async (extra: string[] = []) => {
    const args = [
      '--account-id',
      fake.accountId,
      '--cloudflare-api-url',
      fake.baseURL,
      '--tunnel-id',
      tunnel.id,
      ...extra,
    ];
    const started = await runStandalone(manifests, args, { CLOUDFLARE_API_TOKEN: fake.apiToken }, 60_000, cwd);
    app = started.app;
    return started;
  };
  const published = () =>
    eventually(async () => {
      const cname = [...fake.store.records.values()].find((r) => r.name === 'a.example.com');
      const ingress = (fake.store.configs.get(tunnel.id)?.config as { ingress?: Array<{ hostname?: string }> } | null)
        ?.ingress;
      return cname?.content === `${tunnel.id}.cfargotunnel.com` && ingress?.[0]?.hostname === 'a.example.com';
    }, 20_000);

  it('without --tunnel-token-file writes no file anywhere (the working directory stays empty) and still publishes', async () => {
    await start();
    await published();
    expect(await readdir(cwd)).toEqual([]);
    expect((await readdir(manifests)).sort()).toEqual(['gateway.yaml', 'route.yaml']);
    // Nobody asked for the token: it is not even fetched.
    expect(fake.calls.filter((c) => TOKEN_PATH.test(c.path))).toEqual([]);
    expect(app!.stdout()).not.toContain(fake.store.tokenOf(tunnel));
  });

  it('with --tunnel-token-file writes the token there only, owner-only (0600), and logs its path, not the token', async () => {
    const tokenFile = join(root, 'secret', 'token');
    await start(['--tunnel-token-file', tokenFile]);
    await published();
    await eventually(
      async () => (await readdir(join(root, 'secret')).catch((): string[] => [])).includes('token'),
      20_000,
    );
    expect(await readFile(tokenFile, 'utf8')).toBe(fake.store.tokenOf(tunnel));
    expect((await stat(tokenFile)).mode & 0o777).toBe(0o600);
    expect(await readdir(cwd)).toEqual([]);
    expect(app!.stdout()).toContain(tokenFile);
    expect(app!.stdout()).not.toContain(fake.store.tokenOf(tunnel));
  });

  it('a token endpoint answering 404 still lets ingress and DNS be reconciled, warns once, and shows in /metrics', async () => {
    fake.faults.serverErrors(Infinity, 404, { path: TOKEN_PATH });
    const tokenFile = join(root, 'secret', 'token');
    const { admin } = await start(['--tunnel-token-file', tokenFile]);
    await published();
    // A later change is reconciled too: nothing is stuck retrying the token.
    await writeFile(join(manifests, 'route-b.yaml'), routeYaml('b', 'b.example.com'));
    await eventually(async () => [...fake.store.records.values()].some((r) => r.name === 'b.example.com'), 20_000);
    const warnings = app!.logs.filter((l) => l.level === 40 && String(l.msg).includes('connector token'));
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatchObject({ reason: 'not_found', tunnelId: tunnel.id });
    expect(await readdir(root)).not.toContain('secret');
    const metrics = (await httpRequest(admin, { path: '/metrics' })).body;
    expect(metrics).toContain('tunnel_gateway_cloudflare_tunnel_token_failures_total{reason="not_found"} 1');
  });
});
