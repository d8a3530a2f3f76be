// The controller's /metrics, scraped over HTTP from the real CLI against the API server double, the Cloudflare
// API double and a proxy replica found through its Service's EndpointSlice: the control plane's series (syncs,
// translate time, pushes per replica, status writes, edge passes, actors), the controller's own, the Cloudflare
// edge's and the process/Node defaults — moving when a route is added, and valid for `promtool check metrics`.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { request } from 'node:http';
import { startFakeApiServer, type FakeApiServer } from '../support/fake-apiserver/server.js';
import { writeKubeconfig } from '../support/fake-apiserver/kubeconfig.js';
import { startFakeCloudflare, type FakeCloudflare } from '../support/fake-cloudflare/index.js';
import { runCli, type CliProcess } from '../support/cli.js';
import { promtoolProblems, requirePromtool, sampleValue } from '../support/promtool.js';
import { startProxy, type RunningProxy } from '../../proxy/index.js';
import { gateway, gatewayClass, waitFor } from './support.js';

let api: FakeApiServer;
let cf: FakeCloudflare;
let proxy: RunningProxy;
let controller: CliProcess;
let admin: number;

function scrape(): Promise<string> {
  return new Promise((resolve, reject) => {
    request({ host: '127.0.0.1', port: admin, path: '/metrics', agent: false }, (res) => {
      let body = '';
      res.on('data', (c: Buffer) => (body += c));
      res.on('end', () => resolve(body));
    })
      .on('error', reject)
      .end();
  });
}
const value = async (series: string) => sampleValue(await scrape(), series) ?? 0;

const route = (name: string, host: string) => ({
  apiVersion: 'gateway.networking.k8s.io/v1',
  kind: 'HTTPRoute',
  metadata: { namespace: 'default', name },
  spec: { parentRefs: [{ name: 'gw' }], hostnames: [host], rules: [{ backendRefs: [{ name: 'web', port: 80 }] }] },
});

beforeAll(async () => {
  requirePromtool();
  api = await startFakeApiServer({ namespaces: ['default', 'tunnel-gateway'] });
  cf = await startFakeCloudflare();
  cf.store.addZone('example.com');
  const tunnelId = cf.store.addTunnel('cluster-tunnel').id;
  // A loopback admin port without a token takes pushes without one (as the controller sends without a Secret).
  proxy = await startProxy({ listen: { host: '127.0.0.1', port: 0 }, admin: { host: '127.0.0.1', port: 0 } });
  api.seed({
    apiVersion: 'discovery.k8s.io/v1',
    kind: 'EndpointSlice',
    metadata: { namespace: 'tunnel-gateway', name: 'proxy-1', labels: { 'kubernetes.io/service-name': 'proxy' } },
    addressType: 'IPv4',
    ports: [{ name: 'admin', port: proxy.ports.admin }],
    endpoints: [{ addresses: ['127.0.0.1'], conditions: { ready: true }, targetRef: { kind: 'Pod', name: 'proxy-0' } }],
  });
  api.seed(gatewayClass('cloudflare'));
  api.seed(gateway('default', 'gw', 'cloudflare'));
  api.seed(route('a', 'a.example.com'));
  controller = runCli(
    [
      'controller',
      '--kubeconfig',
      writeKubeconfig(api.url),
      '--namespace',
      'tunnel-gateway',
      '--admin',
      '127.0.0.1:0',
      '--proxy-service',
      'proxy',
      '--proxy-admin-port',
      String(proxy.ports.admin),
      '--account-id',
      cf.accountId,
      '--tunnel-id',
      tunnelId,
      '--cloudflare-api-url',
      cf.baseURL,
    ],
    { CLOUDFLARE_API_TOKEN: cf.apiToken },
  );
  const serving = await controller.waitForLog((l) => l.msg === 'controller serving', 30_000);
  admin = Number(String(serving.admin).split(':').pop());
  await waitFor(
    async () => (await value('tunnel_gateway_edge_reconciles_total{outcome="ok"}')) >= 1,
    'the first edge pass',
    30_000,
  );
}, 60_000);

afterAll(async () => {
  await controller?.stop();
  await proxy?.close(0);
  await cf?.close();
  await api?.stop();
});

describe('controller /metrics', () => {
  it('serves the control plane, controller, Cloudflare and process series', async () => {
    const text = await scrape();
    for (const series of [
      'tunnel_gateway_syncs_total{outcome="ok"}',
      'tunnel_gateway_sync_duration_seconds_count',
      'tunnel_gateway_translate_duration_seconds_count',
      'tunnel_gateway_config_pushes_total{replica="proxy-0",outcome="ok"}',
      'tunnel_gateway_status_writes_total{kind="GatewayClass",outcome="ok"}',
      'tunnel_gateway_status_patches_total{outcome="patched"}',
      'tunnel_gateway_edge_reconciles_total{outcome="ok"}',
      'tunnel_gateway_cloudflare_writes_total{kind="ingress"}',
      'tunnel_gateway_leader',
      'process_cpu_user_seconds_total',
    ]) {
      expect([series, (sampleValue(text, series) ?? 0) > 0]).toEqual([series, true]);
    }
    expect(text).toMatch(/^tunnel_gateway_actors\{machine="replica",state="[a-zA-Z.]+"\} 1$/m);
    expect(text).toMatch(/^tunnel_gateway_actors\{machine="route",state="[a-zA-Z.]+"\} 1$/m);
  });

  it('moves when a route is added: one more sync, push and route actor', async () => {
    const before = await scrape();
    api.seed(route('b', 'b.example.com'));
    await waitFor(
      () => [...cf.store.records.values()].some((r) => r.name === 'b.example.com'),
      'the CNAME of route b',
      30_000,
    );
    const grew = (text: string, series: string) =>
      (sampleValue(text, series) ?? 0) > (sampleValue(before, series) ?? 0);
    const moving = [
      'tunnel_gateway_syncs_total{outcome="ok"}',
      'tunnel_gateway_config_pushes_total{replica="proxy-0",outcome="ok"}',
    ];
    // The push and the edge pass of one sync run side by side: wait for both, bounded.
    const after = await waitFor(
      async () => {
        const text = await scrape();
        return moving.every((series) => grew(text, series)) ? text : undefined;
      },
      'syncs and pushes to grow',
      15_000,
    );
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
