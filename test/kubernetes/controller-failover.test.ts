// Two real `controller` processes with --leader-elect against the API server double: one leads and writes
// status; when it is frozen (SIGSTOP: it can neither renew nor write) the other takes over within the lease
// duration and writes; when the old leader thaws it writes nothing more — no double writes.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { startFakeApiServer, type FakeApiServer, type RecordedRequest } from '../support/fake-apiserver/server.js';
import { writeKubeconfig } from '../support/fake-apiserver/kubeconfig.js';
import { runCli, type CliProcess } from '../support/cli.js';
import { gatewayClass, gateway, httpRoute, waitFor } from './support.js';

const run = promisify(execFile);
const LEASE_SECONDS = 3;
let api: FakeApiServer;
const controllers: Record<'a' | 'b', CliProcess | undefined> = { a: undefined, b: undefined };

function startController(who: 'a' | 'b'): CliProcess {
  const kubeconfig = writeKubeconfig(api.url, `token-${who}`);
  return runCli(
    [
      'controller',
      '--kubeconfig',
      kubeconfig,
      '--namespace',
      'default',
      '--admin',
      '127.0.0.1:0',
      '--leader-elect',
      '--lease-duration',
      String(LEASE_SECONDS),
    ],
    { POD_NAME: `ctl-${who}` },
  );
}

const statusWrites = (): RecordedRequest[] =>
  api.requests.filter((r) => r.method === 'PATCH' && r.path.endsWith('/status'));
const holder = () =>
  String(
    api.store.get(api.type('coordination.k8s.io', 'Lease'), 'default', 'tunnel-gateway-controller')?.spec
      .holderIdentity ?? '',
  );
const routeAccepted = (name: string) =>
  api.store
    .get(api.type('gateway.networking.k8s.io', 'HTTPRoute'), 'default', name)
    ?.status?.parents?.[0]?.conditions?.find((c: { type: string }) => c.type === 'Accepted')?.status === 'True';

beforeAll(async () => {
  api = await startFakeApiServer();
  api.seed(gatewayClass('cf'));
  api.seed(gateway('default', 'gw', 'cf'));
  controllers.a = startController('a');
  await controllers.a.waitForLog((l) => l.msg === 'controller serving', 30_000);
  await waitFor(() => holder().startsWith('ctl-a'), 'a to lead', 20_000);
  controllers.b = startController('b');
  await controllers.b.waitForLog((l) => l.msg === 'controller serving', 30_000);
}, 90_000);

afterAll(async () => {
  controllers.a?.child.kill('SIGCONT');
  await Promise.all([controllers.a?.stop(), controllers.b?.stop()]);
  await api.stop();
});

describe('two controllers with --leader-elect', () => {
  it('only the leader writes status', async () => {
    api.seed(httpRoute('default', 'r1', 'gw'));
    await waitFor(() => routeAccepted('r1'), 'r1 status', 20_000);
    expect(holder()).toMatch(/^ctl-a/);
    expect(new Set(statusWrites().map((r) => r.token))).toEqual(new Set(['token-a']));
  }, 40_000);

  it('fails over to the follower when the leader freezes, and the thawed leader writes nothing', async () => {
    const { pid } = controllers.a!.child;
    await run('kill', ['-STOP', String(pid)]);
    const frozenAt = Date.now();
    api.seed(httpRoute('default', 'r2', 'gw'));
    await waitFor(() => routeAccepted('r2'), 'r2 status from the new leader', 30_000);
    const tookOver = Date.now() - frozenAt;
    expect(holder()).toMatch(/^ctl-b/);
    // b waited for the lease to expire on its own clock: at least the lease duration after a's last renewal
    // (which came before the freeze), within a few retries more.
    const lastRenewal = Math.max(
      ...api.requests
        .filter((r) => r.token === 'token-a' && r.method !== 'GET' && r.path.includes('/leases/') && r.at <= frozenAt)
        .map((r) => r.at),
    );
    const firstWriteByB = statusWrites().find((r) => r.token === 'token-b')!.at;
    expect(firstWriteByB - lastRenewal).toBeGreaterThanOrEqual(LEASE_SECONDS * 1000 - 100);
    expect(tookOver).toBeLessThan(LEASE_SECONDS * 1000 * 3);
    const handover = statusWrites().find((r) => r.token === 'token-b')!.at;
    await run('kill', ['-CONT', String(pid)]);
    // The thawed process finds it lost the lease; meanwhile the world changes again.
    api.seed(httpRoute('default', 'r3', 'gw'));
    await waitFor(() => routeAccepted('r3'), 'r3 status', 20_000);
    await new Promise((r) => setTimeout(r, 1_000));
    const lateA = statusWrites().filter((r) => r.token === 'token-a' && r.at >= handover);
    expect(lateA).toEqual([]);
    expect(holder()).toMatch(/^ctl-b/);
  }, 60_000);
});
