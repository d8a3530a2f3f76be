// Replica discovery from the proxy Service's EndpointSlices (not-ready addresses included) and the HTTP
// replica client, against the API server double and real proxy admin APIs on two loopback addresses.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startFakeApiServer, type FakeApiServer } from '../support/fake-apiserver/server.js';
import { kubeConfigFor } from '../support/fake-apiserver/kubeconfig.js';
import { KubeRest } from '../../src/kubernetes/rest.js';
import { Agent } from 'undici';
import {
  HttpReplicaClient,
  ReplicaDiscovery,
  ReplicaPushError,
  replicaAddresses,
} from '../../src/kubernetes/replicas.js';
import { resolveAdminToken } from '../../src/kubernetes/admin-token.js';
import { startProxy, type RunningProxy } from '../../proxy/index.js';
import type { ReplicaEndpoint } from '../../src/core/ports.js';
import type { K8sObject } from '../../src/core/types.js';
import { endpointSlice, waitFor } from './support.js';

const TOKEN = 'admin-secret-token';
let api: FakeApiServer;
let rest: KubeRest;
const proxies: RunningProxy[] = [];

/** Two proxy replicas with admin APIs on 127.0.0.1 and 127.0.0.2, same port (as pods share a containerPort). */
async function startReplicas(): Promise<number> {
  for (let attempt = 0; attempt < 5; attempt++) {
    const first = await startProxy({
      listen: { host: '127.0.0.1', port: 0 },
      admin: { host: '127.0.0.1', port: 0 },
      adminToken: TOKEN,
    });
    const port = first.ports.admin!;
    try {
      const second = await startProxy({
        listen: { host: '127.0.0.2', port: 0 },
        admin: { host: '127.0.0.2', port },
        adminToken: TOKEN,
      });
      proxies.push(first, second);
      return port;
    } catch {
      await first.close(0);
    }
  }
  throw new Error('could not bind two admin ports');
}

beforeAll(async () => {
  api = await startFakeApiServer({ namespaces: ['default', 'tunnel-gateway'] });
  rest = await KubeRest.fromKubeConfig(kubeConfigFor(api.url));
});

afterAll(async () => {
  await Promise.all(proxies.map((p) => p.close(0)));
  await rest.close();
  await api.stop();
});

describe('replicaAddresses', () => {
  const slice = (endpoints: unknown[], addressType = 'IPv4') =>
    ({ metadata: { name: 's' }, addressType, endpoints }) as K8sObject;
  it.each([
    // a nil `ready` means ready (EndpointSlice API)
    [
      'nil ready',
      [slice([{ addresses: ['10.0.0.1'], conditions: {}, targetRef: { name: 'p1' } }])],
      [{ id: 'p1', address: '10.0.0.1', ready: true, terminating: false }],
    ],
    [
      'not ready kept',
      [slice([{ addresses: ['10.0.0.2'], conditions: { ready: false }, targetRef: { name: 'p2' } }])],
      [{ id: 'p2', address: '10.0.0.2', ready: false, terminating: false }],
    ],
    [
      'terminating, no targetRef',
      [slice([{ addresses: ['10.0.0.3'], conditions: { ready: false, terminating: true } }])],
      [{ id: '10.0.0.3', address: '10.0.0.3', ready: false, terminating: true }],
    ],
    [
      'dual-stack slices are one pod',
      [
        slice([{ addresses: ['10.0.0.4'], conditions: { ready: true }, targetRef: { name: 'p4' } }]),
        slice([{ addresses: ['fd00::4'], conditions: { ready: true }, targetRef: { name: 'p4' } }], 'IPv6'),
      ],
      [{ id: 'p4', address: '10.0.0.4', ready: true, terminating: false }],
    ],
    ['FQDN slices ignored', [slice([{ addresses: ['proxy.example.com'] }], 'FQDN')], []],
  ])('%s', (_name, slices, expected) => {
    expect(replicaAddresses(slices)).toEqual(expected);
  });
});

describe('ReplicaDiscovery', () => {
  it('turns EndpointSlices into replicas to push to (not-ready pods included, terminating ones not)', async () => {
    const adminPort = await startReplicas();
    // proxy-b is not ready yet: it waits for its first config, so it must be pushed to.
    api.seed(
      endpointSlice(
        'tunnel-gateway',
        'proxy',
        [
          { ip: '127.0.0.1', ready: true, pod: 'proxy-a' },
          { ip: '127.0.0.2', ready: false, pod: 'proxy-b' },
        ],
        8080,
      ),
    );
    api.seed(endpointSlice('tunnel-gateway', 'other', [{ ip: '127.0.0.9', ready: true, pod: 'other-a' }], 8080));
    const seen: ReplicaEndpoint[][] = [];
    const discovery = new ReplicaDiscovery({
      kubeConfig: kubeConfigFor(api.url),
      rest,
      namespace: 'tunnel-gateway',
      service: 'proxy',
      adminPort,
      adminToken: TOKEN,
      onChange: (e) => seen.push(e),
    });
    discovery.start();
    try {
      const first = await waitFor(() => seen[0], 'replicas');
      expect(first.map((e) => [e.id, e.ready])).toEqual([
        ['proxy-a', true],
        ['proxy-b', true],
      ]);
      expect(discovery.addresses().map((a) => [a.id, a.ready])).toEqual([
        ['proxy-a', true],
        ['proxy-b', false],
      ]);
      for (const [i, e] of first.entries()) {
        expect(await e.client.current()).toBeNull();
        const ack = await e.client.push({ version: `v${i}`, generation: 7, rules: [], hosts: [] });
        expect(ack).toEqual({ version: `v${i}`, generation: 7 });
        expect(proxies[i]!.current()).toEqual({ version: `v${i}`, generation: 7 });
        expect(await e.client.current()).toEqual({ version: `v${i}`, generation: 7 });
      }
      // The proxy refuses an older generation; the client surfaces the status and the running generation.
      await expect(
        first[0]!.client.push({ version: 'old', generation: 3, rules: [], hosts: [] }),
      ).rejects.toMatchObject({ status: 409, running: 7, wanted: 3 });

      // The first pod starts terminating, then the Service loses both.
      const sliceType = api.type('discovery.k8s.io', 'EndpointSlice');
      const s = api.store.get(sliceType, 'tunnel-gateway', 'proxy-abc')!;
      s.endpoints[0].conditions = { ready: false, serving: true, terminating: true };
      api.store.update(sliceType, 'tunnel-gateway', 'proxy-abc', s);
      await waitFor(() => seen.length === 2, 'terminating');
      expect(seen[1]!.map((e) => [e.id, e.ready])).toEqual([
        ['proxy-a', false],
        ['proxy-b', true],
      ]);
      expect(seen[1]![0]!.client).toBe(first[0]!.client); // same replica, same client
      api.store.delete(sliceType, 'tunnel-gateway', 'proxy-abc');
      await waitFor(() => seen.length === 3, 'removal');
      expect(seen[2]).toEqual([]);
    } finally {
      await discovery.stop();
    }
  });

  it('fails a push with a wrong admin token (401)', async () => {
    const agent = new Agent();
    const client = new HttpReplicaClient(`http://127.0.0.1:${proxies[0]!.ports.admin}`, 'wrong', agent);
    const push = client.push({ version: 'x', generation: 100, rules: [], hosts: [] });
    await expect(push).rejects.toBeInstanceOf(ReplicaPushError);
    await expect(push).rejects.toMatchObject({ status: 401 });
    expect(proxies[0]!.current()?.version).toBe('v0');
    await agent.close();
  });
});

describe('resolveAdminToken', () => {
  it('generates the Secret once and reads it back; without --generate a missing Secret is an error', async () => {
    const o = { rest, namespace: 'tunnel-gateway', secretName: 'proxy-admin' };
    await expect(resolveAdminToken(o)).rejects.toMatchObject({ status: 404 });
    const token = await resolveAdminToken({ ...o, generate: true });
    expect(token).toMatch(/^[0-9a-f]{64}$/);
    expect(await resolveAdminToken({ ...o, generate: true })).toBe(token);
    const secret = api.store.get(api.type('', 'Secret'), 'tunnel-gateway', 'proxy-admin')!;
    expect(Buffer.from(secret.data.token, 'base64').toString()).toBe(token);
  });
});
