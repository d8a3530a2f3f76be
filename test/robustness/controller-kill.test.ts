// The controller killed (SIGKILL) in the middle of writing statuses, then started again: every route ends with
// its status (nothing lost), and a route whose status was already written gets no second write (nothing
// duplicated: the status sink compares before patching, and unchanged conditions keep their times).
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startFakeApiServer, type FakeApiServer, type RecordedRequest } from '../support/fake-apiserver/server.js';
import { writeKubeconfig } from '../support/fake-apiserver/kubeconfig.js';
import { runCli, type CliProcess } from '../support/cli.js';
import { gatewayClass, gateway, httpRoute, waitFor } from '../kubernetes/support.js';

const ROUTES = Array.from({ length: 30 }, (_, i) => `r${i}`);
let api: FakeApiServer;
let controller: CliProcess | undefined;

const start = () =>
  runCli([
    'controller',
    '--kubeconfig',
    writeKubeconfig(api.url, 'token'),
    '--namespace',
    'default',
    '--admin',
    '127.0.0.1:0',
  ]);
const routeWrites = (name: string, since = 0): RecordedRequest[] =>
  api.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith(`/httproutes/${name}/status`) && r.at >= since);
const accepted = (name: string) =>
  api.store
    .get(api.type('gateway.networking.k8s.io', 'HTTPRoute'), 'default', name)
    ?.status?.parents?.[0]?.conditions?.find((c: { type: string }) => c.type === 'Accepted')?.status === 'True';

beforeAll(async () => {
  api = await startFakeApiServer();
  api.seed(gatewayClass('cf'));
  api.seed(gateway('default', 'gw', 'cf'));
});

afterAll(async () => {
  await controller?.stop();
  await api.stop();
});

describe('controller killed mid-sync', () => {
  it('resumes with no lost and no duplicated status write', async () => {
    controller = start();
    await controller.waitForLog((l) => l.msg === 'controller serving', 30_000);
    for (const name of ROUTES) api.seed(httpRoute('default', name, 'gw'));
    // Kill it as soon as some, but not all, route statuses are written.
    await waitFor(() => ROUTES.some((r) => routeWrites(r).length > 0), 'the first route status', 30_000);
    await controller.stop('SIGKILL');
    const writtenBefore = ROUTES.filter(accepted);

    const restartedAt = Date.now();
    controller = start();
    await waitFor(() => ROUTES.every(accepted), 'every route Accepted after the restart', 30_000);
    // Let the restarted controller settle, then count what it wrote.
    await new Promise((r) => setTimeout(r, 1500));
    expect(ROUTES.filter((r) => !accepted(r))).toEqual([]);
    for (const name of writtenBefore) expect([name, routeWrites(name, restartedAt).length]).toEqual([name, 0]);
    for (const name of ROUTES.filter((r) => !writtenBefore.includes(r)))
      expect(routeWrites(name, restartedAt).length).toBe(1);
  }, 90_000);
});
