// Leader election on a Lease in the API server double, driven by the real `leader` machine with the
// KubernetesLease actions, wired as the control plane wires them: two electors → one leader; when the leader can no
// longer renew it stops writing before its lease can expire and the follower takes over within the lease
// duration (+ one retry period); a released lease is taken at once; writes fenced by the lease never overlap.
import { afterEach, beforeEach, describe, expect, it } from '@jest/globals';
import { startFakeApiServer, type FakeApiServer } from '../support/fake-apiserver/server.js';
import { kubeConfigFor } from '../support/fake-apiserver/kubeconfig.js';
import { KubeRest } from '../../src/kubernetes/rest.js';
import { KubernetesLease, microTime } from '../../src/kubernetes/lease.js';
import { createActor, waitFor as settled, type Actor } from 'xstate';
import { leaderMachine } from '../../machines/leader.js';
import { leaseActors, leaseDelays } from '../../src/runtime/actors/lease.js';
import { waitFor } from './support.js';

const TIMING = { leaseDurationMs: 2_000, renewDeadlineMs: 1_200, renewIntervalMs: 250, retryPeriodMs: 200 };
let api: FakeApiServer;
const clients: KubeRest[] = [];

/** One controller's leadership: the leader machine over a Kubernetes Lease; it writes only while both agree. */
class Elector {
  private readonly actor: Actor<typeof leaderMachine>;

  constructor(readonly lease: KubernetesLease) {
    this.actor = createActor(leaderMachine.provide({ actors: leaseActors(lease), delays: leaseDelays(lease) }), {
      input: { reportTo: [] },
    });
  }

  start(): void {
    this.actor.start();
  }

  /** The controller's write fence: the machine leads and the lease was renewed within the renew deadline. */
  isLeader(): boolean {
    return this.actor.getSnapshot().matches('leader') && this.lease.holds();
  }

  /** As on shutdown: a leader releases the lease; with `release` false the process just vanishes. */
  async stop(release = true): Promise<void> {
    if (this.actor.getSnapshot().status !== 'active') return;
    if (!release) return void this.actor.stop();
    this.actor.send({ type: 'leader.stop' });
    await settled(this.actor, (s) => s.status === 'done', { timeout: 5_000 });
  }
}
const electors: Elector[] = [];

async function elector(identity: string, timing: typeof TIMING = TIMING): Promise<Elector> {
  const rest = await KubeRest.fromKubeConfig(kubeConfigFor(api.url, identity));
  clients.push(rest);
  const e = new Elector(new KubernetesLease({ rest, namespace: 'default', name: 'ctl', identity, timing }));
  electors.push(e);
  return e;
}

const lease = () => api.store.get(api.type('coordination.k8s.io', 'Lease'), 'default', 'ctl');
/** The Lease requests the API server received from `who`, in order (its clock; recorded before any fault). */
const leaseRequests = (who: string, method?: string) =>
  api.requests.filter((r) => r.token === who && r.path.includes('/leases') && (!method || r.method === method));

beforeEach(async () => {
  api = await startFakeApiServer();
});

afterEach(async () => {
  await Promise.all(electors.splice(0).map((e) => e.stop(false)));
  await Promise.all(clients.splice(0).map((c) => c.close()));
  await api.stop();
});

describe('Lease leader election', () => {
  it('formats MicroTime with six fractional digits', () => {
    expect(microTime(new Date('2026-01-01T00:00:00.123Z'))).toBe('2026-01-01T00:00:00.123000Z');
  });

  it('elects exactly one of two candidates, which keeps renewing', async () => {
    const [a, b] = [await elector('a'), await elector('b')];
    a.start();
    b.start();
    const leader = await waitFor(() => electors.find((e) => e.isLeader()), 'a leader');
    const first = lease()!.spec.renewTime;
    await waitFor(() => lease()!.spec.renewTime !== first, 'a renewal');
    expect([a.isLeader(), b.isLeader()].filter(Boolean)).toHaveLength(1);
    expect(lease()!.spec.holderIdentity).toBe(leader === a ? 'a' : 'b');
    expect(lease()!.spec.renewTime).toMatch(/\.\d{6}Z$/);
    expect(lease()!.spec.leaseDurationSeconds).toBe(2);
  });

  it('fails over when the leader cannot renew, with no overlapping fenced writes', async () => {
    const a = await elector('a');
    a.start();
    await waitFor(() => a.isLeader(), 'a to lead');
    const b = await elector('b');
    b.start();
    // Both write as fast as they can, each only while its lease fence allows.
    const writes: { who: string; at: number }[] = [];
    let writing = true;
    const writer = async (who: string, e: Elector) => {
      while (writing) {
        if (e.isLeader()) writes.push({ who, at: Date.now() });
        await new Promise((r) => setTimeout(r, 10));
      }
    };
    const loops = [writer('a', a), writer('b', b)];
    // a writes, b has found the lease held (it read it twice: a renewal in between is seen as one).
    await waitFor(() => writes.filter((w) => w.who === 'a').length >= 3 && leaseRequests('b').length >= 2, 'a writing');
    expect(writes.some((w) => w.who === 'b')).toBe(false);
    // a's lease writes start failing (network trouble to the API server, for a only).
    const cutAt = Date.now();
    const lastRenewalByA = Math.max(...leaseRequests('a', 'PUT').map((r) => r.at));
    api.fail({ match: (r) => r.token === 'a' && r.path.includes('/leases'), code: 503 });
    await waitFor(() => b.isLeader(), 'b to take over', 10_000);
    await waitFor(() => writes.some((w) => w.who === 'b'), 'b writing');
    writing = false;
    await Promise.all(loops);
    expect(a.isLeader()).toBe(false);
    const lastA = Math.max(...writes.filter((w) => w.who === 'a').map((w) => w.at));
    const firstB = Math.min(...writes.filter((w) => w.who === 'b').map((w) => w.at));
    expect(lastA).toBeLessThan(firstB);
    // a stopped writing within its renew deadline of its last good renewal, which started before the cut. (Its
    // fence compares the same clock at the moment of each write: no scheduling delay can stretch this.)
    expect(lastA - cutAt).toBeLessThan(TIMING.renewDeadlineMs + 100);
    // b waited for the lease to expire: it wrote the Lease no earlier than leaseDuration after a's last
    // renewal reached the API server (both on the server's record).
    const acquiredByB = Math.min(...leaseRequests('b', 'PUT').map((r) => r.at));
    expect(acquiredByB - lastRenewalByA).toBeGreaterThanOrEqual(TIMING.leaseDurationMs);
    expect(lease()!.spec).toMatchObject({ holderIdentity: 'b', leaseTransitions: 1 });
  });

  it('hands over at once when the leader releases the lease', async () => {
    // A lease that would expire long after this test's time: b can only lead if a gave the lease up.
    const timing = { ...TIMING, leaseDurationMs: 10 * 60_000, renewDeadlineMs: 5 * 60_000 };
    const a = await elector('a', timing);
    a.start();
    await waitFor(() => a.isLeader(), 'a to lead');
    const b = await elector('b', timing);
    b.start();
    // b has tried: it read the lease and found it held.
    await waitFor(() => leaseRequests('b').length >= 2, 'b to find the lease held');
    expect(b.isLeader()).toBe(false);
    expect(leaseRequests('b', 'PUT')).toEqual([]);
    await a.stop();
    await waitFor(() => b.isLeader(), 'b to take over');
    expect(lease()!.spec).toMatchObject({ holderIdentity: 'b' });
  });
});
