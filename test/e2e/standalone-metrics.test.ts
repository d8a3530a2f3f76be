// Standalone's /metrics, scraped over HTTP from the real CLI with the Cloudflare API double behind it: beside
// the proxy's series, the control plane's (syncs, translate time, pushes, status writes, edge passes, actors by
// machine and state), the Cloudflare edge's, and the process/Node defaults — moving when a manifest changes,
// and valid for `promtool check metrics`.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeCloudflare, type FakeCloudflare } from '../support/fake-cloudflare/index.js';
import { cloudflareArgs, runStandalone, type CliProcess } from '../support/cli.js';
import { gatewayYaml, routeYaml } from '../support/manifests.js';
import { eventually, httpRequest } from '../support/http.js';
import { promtoolProblems, requirePromtool, sampleValue } from '../support/promtool.js';

describe('standalone /metrics', () => {
  let fake: FakeCloudflare;
  let dir: string;
  let app: CliProcess;
  let admin: number;
  const scrape = async () => (await httpRequest(admin, { path: '/metrics' })).body;
  const value = async (series: string) => sampleValue(await scrape(), series) ?? 0;

  beforeAll(async () => {
    requirePromtool();
    fake = await startFakeCloudflare();
    fake.store.addZone('example.com');
    dir = await mkdtemp(join(tmpdir(), 'tgw-metrics-'));
    await writeFile(join(dir, 'gateway.yaml'), gatewayYaml);
    await writeFile(join(dir, 'a.yaml'), routeYaml('a', 'a.example.com'));
    const cf = cloudflareArgs(fake, join(dir, 'token'));
    ({ app, admin } = await runStandalone(dir, cf.args, cf.env));
    await eventually(async () => (await value('tunnel_gateway_edge_reconciles_total{outcome="ok"}')) >= 1, 20_000);
  }, 60_000);

  afterAll(async () => {
    await app?.stop();
    await fake?.close();
    if (dir) await rm(dir, { recursive: true, force: true });
  });

  it('serves the control plane, Cloudflare, process and proxy series together', async () => {
    const text = await scrape();
    for (const series of [
      'tunnel_gateway_syncs_total{outcome="ok"}',
      'tunnel_gateway_sync_duration_seconds_count',
      'tunnel_gateway_translate_duration_seconds_count',
      'tunnel_gateway_config_pushes_total{replica="embedded proxy",outcome="ok"}',
      'tunnel_gateway_config_push_duration_seconds_count{outcome="ok"}',
      'tunnel_gateway_status_writes_total{kind="Gateway",outcome="ok"}',
      'tunnel_gateway_status_writes_total{kind="HTTPRoute",outcome="ok"}',
      'tunnel_gateway_edge_reconciles_total{outcome="ok"}',
      'tunnel_gateway_edge_reconcile_duration_seconds_count',
      'tunnel_gateway_cloudflare_writes_total{kind="ingress"}',
      'tunnel_gateway_cloudflare_tunnel_token_delivered',
      'process_cpu_user_seconds_total',
      'nodejs_heap_size_used_bytes',
      'proxy_config_swaps_total',
    ]) {
      expect([series, sampleValue(text, series)]).toEqual([series, expect.any(Number)]);
      expect([series, sampleValue(text, series)! > 0]).toEqual([series, true]);
    }
    expect(text).toMatch(
      /^tunnel_gateway_cloudflare_api_requests_total\{method="PUT",resource="tunnel_configuration",status="200"\} 1$/m,
    );
    expect(text).toMatch(/^tunnel_gateway_actors\{machine="coordinator",state="[a-z.]+"\} 1$/m);
    expect(text).toMatch(/^tunnel_gateway_actors\{machine="route",state="[a-zA-Z.]+"\} 1$/m);
  });

  it('moves when a manifest changes: one more sync, push, status write and route actor', async () => {
    const before = await scrape();
    const count = (text: string, series: string) => sampleValue(text, series) ?? 0;
    await writeFile(join(dir, 'b.yaml'), routeYaml('b', 'b.example.com'));
    await eventually(async () => [...fake.store.records.values()].some((r) => r.name === 'b.example.com'), 20_000);
    const moving = [
      'tunnel_gateway_syncs_total{outcome="ok"}',
      'tunnel_gateway_translate_duration_seconds_count',
      'tunnel_gateway_config_pushes_total{replica="embedded proxy",outcome="ok"}',
      'tunnel_gateway_status_writes_total{kind="HTTPRoute",outcome="ok"}',
      'tunnel_gateway_edge_reconciles_total{outcome="ok"}',
      'tunnel_gateway_cloudflare_writes_total{kind="dns_create"}',
    ];
    // The push, the edge pass and the status writes of one sync finish in any order: wait for all, bounded.
    const after = await eventually(async () => {
      const text = await scrape();
      return moving.every((series) => count(text, series) > count(before, series)) && text;
    }, 20_000).catch(async () => scrape());
    for (const series of moving) expect([series, count(after, series) > count(before, series)]).toEqual([series, true]);
    const routes = [...after.matchAll(/^tunnel_gateway_actors\{machine="route",state="[^"]+"\} (\d+)$/gm)].reduce(
      (n, m) => n + Number(m[1]),
      0,
    );
    expect(routes).toBe(2);
  });

  it('passes promtool check metrics', async () => {
    expect(await promtoolProblems(await scrape())).toEqual([]);
  });
});
