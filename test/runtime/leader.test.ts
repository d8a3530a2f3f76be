// Two control planes sharing one lease (an in-memory stand-in for the Kubernetes Lease): only the leader
// pushes and writes status; when it steps down the other takes over, finds the replica already running
// the config (no push needed) and writes every status once.
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { createControlPlane, type ControlPlane, type LeaseActions } from '../../src/runtime/control-plane.js';
import { EditableSource, eventually, fakeTranslate, HttpReplica, RecordingSink } from './doubles.js';

class SharedLease {
  holder?: string;
  actions(me: string): LeaseActions {
    return {
      tryAcquire: async () => {
        if (this.holder === undefined || this.holder === me) this.holder = me;
        return this.holder === me;
      },
      renew: async () => this.holder === me,
      release: async () => {
        if (this.holder === me) this.holder = undefined;
      },
      timing: { retryPeriodMs: 20, renewIntervalMs: 20, renewDeadlineMs: 200 },
    };
  }
}

const lease = new SharedLease();
const replica = new HttpReplica();
const sinks = { a: new RecordingSink(), b: new RecordingSink() };
const planes: Record<string, ControlPlane> = {};

function plane(me: 'a' | 'b'): ControlPlane {
  const source = new EditableSource();
  source.setRoute('web', { hostname: 'web.example.com' });
  const cp = createControlPlane({
    source,
    translate: fakeTranslate,
    statusSink: sinks[me],
    lease: lease.actions(me),
    timing: { holdoffMs: 10, maxHoldoffMs: 100 },
  });
  cp.setReplicas([{ id: 'r1', ready: true, client: replica.client() }]);
  return cp;
}

beforeAll(async () => {
  await replica.listen();
  planes.a = plane('a');
  await planes.a.start();
  await eventually(() => lease.holder === 'a');
  planes.b = plane('b');
  await planes.b.start();
  await planes.a.whenIdle();
  await planes.b.whenIdle();
});

afterAll(async () => {
  await Promise.all(Object.values(planes).map((cp) => cp.stop()));
  await replica.close();
});

describe('leader election', () => {
  it('lets only the leader push and write status; the follower still translates', async () => {
    await eventually(() => replica.pushes.length === 1 && sinks.a.writes.length >= 2);
    expect(sinks.b.writes).toEqual([]);
    expect(planes.b!.stats().syncs).toBeGreaterThan(0);
    expect(planes.b!.inspect().filter((a) => a.machine === 'replica')).toEqual([]);
    expect(planes.b!.inspect().find((a) => a.machine === 'statusWriter')?.state).toBe('standby');
  });

  it('hands over when the leader steps down: the new leader writes every status and pushes nothing needless', async () => {
    const pushes = replica.pushes.length;
    await planes.a!.stop();
    delete planes.a;
    await eventually(() => lease.holder === 'b');
    await eventually(
      () => sinks.b.writes.some((w) => w.kind === 'Gateway') && sinks.b.writes.some((w) => w.kind === 'HTTPRoute'),
    );
    await eventually(() => planes.b!.inspect().find((a) => a.machine === 'replica')?.state === 'inSync');
    // Same cluster state, same config version: the replica already runs it.
    expect(replica.pushes.length).toBe(pushes);
  });
});
