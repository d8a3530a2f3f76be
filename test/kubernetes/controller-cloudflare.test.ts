// The real `controller` with --account-id/--tunnel-id/--cloudflare-api-url against the API server double
// and the Cloudflare API double: kubectl applies a route → the tunnel's ingress and a CNAME are written,
// the Gateway's address (in kubectl) carries the tunnel id; delete → the record goes.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startFakeApiServer, type FakeApiServer } from '../support/fake-apiserver/server.js';
import { writeKubeconfig } from '../support/fake-apiserver/kubeconfig.js';
import { startFakeCloudflare, type FakeCloudflare } from '../support/fake-cloudflare/index.js';
import { runCli, type CliProcess } from '../support/cli.js';
import { waitFor } from './support.js';
import { gatewayYaml, routeYaml } from '../support/manifests.js';

const run = promisify(execFile);
let api: FakeApiServer;
let cf: FakeCloudflare;
let controller: CliProcess;
let kubeconfig: string;
let tunnelId: string;
const dir = mkdtempSync(join(tmpdir(), 'controller-cf-'));

async function kubectl(...args: string[]): Promise<string> {
  const { stdout } = await run('kubectl', args, { env: { ...process.env, KUBECONFIG: kubeconfig }, timeout: 30_000 });
  return stdout;
}

const cnames = () =>
  [...cf.store.records.values()]
    .filter((r) => r.type === 'CNAME')
    .map((r) => `${r.name}>${r.content}`)
    .sort();

beforeAll(async () => {
  api = await startFakeApiServer();
  kubeconfig = writeKubeconfig(api.url);
  cf = await startFakeCloudflare();
  cf.store.addZone('example.com');
  tunnelId = cf.store.addTunnel('cluster-tunnel').id;
  controller = runCli(
    [
      'controller',
      '--kubeconfig',
      kubeconfig,
      '--namespace',
      'default',
      '--admin',
      '127.0.0.1:0',
      '--account-id',
      cf.accountId,
      '--tunnel-id',
      tunnelId,
      '--cloudflare-api-url',
      cf.baseURL,
    ],
    { CLOUDFLARE_API_TOKEN: cf.apiToken },
  );
  await controller.waitForLog((l) => l.msg === 'controller serving', 30_000);
}, 60_000);

afterAll(async () => {
  await controller?.stop();
  await cf?.close();
  await api?.stop();
});

describe('controller with the Cloudflare edge', () => {
  it('publishes an applied route as tunnel ingress and a CNAME, and the Gateway address names the tunnel', async () => {
    const file = join(dir, 'app.yaml');
    writeFileSync(file, [gatewayYaml, routeYaml('web', 'app.example.com', 'web')].join('---\n'));
    await kubectl('apply', '-f', file);
    await waitFor(() => cnames().length === 1, 'the CNAME', 30_000);
    expect(cnames()).toEqual([`app.example.com>${tunnelId}.cfargotunnel.com`]);
    const ingress = (cf.store.configs.get(tunnelId)!.config as { ingress: { hostname?: string; service: string }[] })
      .ingress;
    expect(ingress.map((r) => r.hostname ?? r.service)).toEqual(['app.example.com', 'http_status:404']);
    await waitFor(
      async () =>
        (await kubectl('get', 'gateway', 'gw', '-o', 'jsonpath={.status.addresses[0].value}')) ===
        `${tunnelId}.cfargotunnel.com`,
      'the Gateway address',
      20_000,
    );
    expect(controller.stdout()).not.toContain(cf.apiToken);
  }, 60_000);

  it('removes the record when the route is deleted', async () => {
    await kubectl('delete', 'httproute', 'web');
    await waitFor(() => cnames().length === 0, 'the CNAME to go', 30_000);
  }, 40_000);
});
