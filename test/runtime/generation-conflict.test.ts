// A proxy made to run generation 2^53−1 (a push by someone holding the token) used to answer 409 to every
// later push of the control plane until restarted, while /readyz stayed 200. The control plane owns the
// numbering: its replica actor sees the 409 with the running generation, enters `conflict` (shown in
// /debug/actors), and resyncs — a push marked as such, with the same token — after which the proxy runs the
// control plane's config and generation again. While stuck, /readyz is 503 and a gauge says so.
// Real pieces: the proxy and its admin server, the HTTP replica client, the control plane's replica actor.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { Agent } from 'undici';
import { createControlPlane, type ActorInfo, type ControlPlane } from '../../src/runtime/control-plane.js';
import { mountAdminRoutes } from '../../src/runtime/admin-routes.js';
import { HttpReplicaClient } from '../../src/kubernetes/replicas.js';
import type { ReplicaClient } from '../../src/core/ports.js';
import { httpRequest } from '../support/http.js';
import { ConfigBuilder, startTestProxy } from '../proxy/helpers.js';
import type { RunningProxy } from '../../proxy/index.js';
import { EditableSource, eventually, fakeTranslate, RecordingSink } from './doubles.js';

const TOKEN = 'admin-token';
const FUTURE = Number.MAX_SAFE_INTEGER;
const auth = { authorization: `Bearer ${TOKEN}` };

let proxy: RunningProxy;
let cp: ControlPlane;
const agent = new Agent();
const source = new EditableSource();
/** Resync pushes wait here while the test looks at the stuck proxy. */
let openGate: () => void = () => undefined;
const gate = new Promise<void>((resolve) => (openGate = resolve));

/** The real HTTP client; resync pushes are held at the gate first. */
function gatedClient(real: ReplicaClient): ReplicaClient {
  return {
    push: async (config, signal, options) => {
      if (options?.resync) await gate;
      return real.push(config, signal, options);
    },
    current: (signal) => real.current(signal),
  };
}

const admin = (path: string, opts: { method?: string; body?: string } = {}) =>
  httpRequest(proxy.ports.admin!, {
    path,
    method: opts.method,
    body: opts.body,
    headers: { ...auth, ...(opts.body ? { 'content-type': 'application/json' } : {}) },
  });
const expectedVersion = () => fakeTranslate(source.snapshot()).proxyConfig.version;
const running = () => proxy.current();
const replicaState = () => cp.inspect().find((a) => a.machine === 'replica')?.state;
const replicaActor = async () =>
  (await admin('/debug/actors')).json<{ actors: ActorInfo[] }>().actors.find((a) => a.machine === 'replica')!;
const conflictGauge = async () => /^proxy_config_generation_conflict (\d+)$/m.exec((await admin('/metrics')).body)?.[1];

function attackerConfig(): string {
  const b = new ConfigBuilder();
  b.route(
    'a.example.com',
    { path: { type: 'PathPrefix', value: '/' } },
    b.rule('evil', [{ name: 'evil', weight: 1, endpoints: [{ address: '127.0.0.1', port: 9 }] }]),
  );
  return JSON.stringify(b.build(FUTURE));
}

beforeAll(async () => {
  proxy = await startTestProxy({ adminToken: TOKEN });
  source.setRoute('a', { hostname: 'a.example.com' });
  cp = createControlPlane({
    source,
    translate: fakeTranslate,
    statusSink: new RecordingSink(),
    generationBase: 1000,
    timing: { holdoffMs: 10, maxHoldoffMs: 100, probeIntervalMs: 100, retryBaseMs: 20, retryMaxMs: 100 },
  });
  const client = gatedClient(new HttpReplicaClient(`http://127.0.0.1:${proxy.ports.admin}`, TOKEN, agent));
  cp.setReplicas([{ id: 'r1', ready: true, client }]);
  mountAdminRoutes(proxy, cp);
  await cp.start();
  await eventually(() => running()?.version === expectedVersion());
});

afterAll(async () => {
  openGate();
  await cp?.stop();
  await proxy?.close(0);
  await agent.close();
});

describe('a proxy pushed generation 2^53−1', () => {
  it('is ready and runs the control plane config before the attack', async () => {
    expect(running()).toEqual({ version: expectedVersion(), generation: 1001 });
    expect((await admin('/readyz')).status).toBe(200);
    expect(await conflictGauge()).toBe('0');
  });

  it('refuses the control plane with 409 naming the running generation; the stuck state is visible', async () => {
    expect((await admin('/config', { method: 'PUT', body: attackerConfig() })).status).toBe(200);
    expect(running()?.generation).toBe(FUTURE);
    source.setRoute('b', { hostname: 'b.example.com' });
    await eventually(() => replicaState() === 'conflict');
    expect(running()?.generation).toBe(FUTURE);
    const ready = await admin('/readyz');
    expect(ready.status).toBe(503);
    expect(ready.body).toContain(String(FUTURE));
    expect(await conflictGauge()).toBe('1');
    const actor = await replicaActor();
    expect(actor.state).toBe('conflict');
    expect(actor.context.conflict).toEqual({ running: FUTURE, wanted: 1002 });
  });

  it('converges once the resync goes through: the control plane config and generation, ready again', async () => {
    openGate();
    await eventually(() => running()?.version === expectedVersion());
    expect(running()).toEqual({ version: expectedVersion(), generation: 1002 });
    expect((await admin('/readyz')).status).toBe(200);
    expect(await conflictGauge()).toBe('0');
    await eventually(() => replicaState() === 'inSync');
    // Later pushes are ordinary again.
    source.setRoute('c', { hostname: 'c.example.com' });
    await eventually(() => running()?.version === expectedVersion());
    expect(running()?.generation).toBe(1003);
  });
});
