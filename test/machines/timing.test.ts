// Timers of the machines under xstate's SimulatedClock (no real sleeps): the coordinator's holdoff and its
// cap, the leading edge, exactly one more sync after a change mid-sync; replica backoff with injected
// jitter; the edge honouring Retry-After and resyncing while in sync; the leader giving up before its
// lease can expire.
import { describe, expect, it } from '@jest/globals';
import { createActor, fromCallback, fromPromise, SimulatedClock, type AnyActorLogic } from 'xstate';
import { coordinatorWith, idle } from './coordinator-doubles.js';
import { replicaMachine, type Acknowledged, type PushInput } from '../../machines/replica.js';
import { edgeBackoffDelay, edgeMachine, type EdgeDesired } from '../../machines/edge.js';
import { leaderMachine } from '../../machines/leader.js';
import { backoffDelay } from '../../machines/shared/backoff.js';
import { syncWorker, type SyncResult } from '../../machines/shared/coordinator-types.js';
import type { EdgeResult } from '../../src/core/ports.js';

const flush = () => new Promise<void>((resolve) => setImmediate(resolve));
const RESULT: SyncResult = {
  desired: { statuses: [], proxyConfig: { version: 'v1', rules: [], hosts: [] }, ingress: { ingress: [] }, dns: [] },
  durationMs: 0,
};

/** Advances simulated time in small steps, letting promise actors settle in between. */
async function advance(clock: SimulatedClock, ms: number, step = 10, each?: (t: number) => void) {
  for (let t = 0; t < ms; t += step) {
    await flush();
    each?.(clock.now());
    await flush();
    clock.increment(step);
  }
  await flush();
}

const coordinator = (clock: SimulatedClock, sync: AnyActorLogic) => coordinatorWith(sync, clock);

/** A coordinator with a counting sync, told the source has synced and left `ms` of simulated time. */
async function syncedCoordinator(ms: number) {
  const clock = new SimulatedClock();
  const sync = countingSync(clock);
  const actor = coordinator(clock, sync.logic);
  actor.send({ type: 'source.synced' });
  await advance(clock, ms);
  return { clock, sync, actor };
}

function countingSync(clock: SimulatedClock) {
  const startedAt: number[] = [];
  const logic = syncWorker(async () => {
    startedAt.push(clock.now());
    return RESULT;
  });
  return { logic, startedAt };
}

describe('coordinator schedule', () => {
  it('does not sync before the source has synced, then syncs at once', async () => {
    const clock = new SimulatedClock();
    const sync = countingSync(clock);
    const actor = coordinator(clock, sync.logic);
    for (let i = 0; i < 5; i++) actor.send({ type: 'source.changed' });
    await advance(clock, 5_000, 100);
    expect(sync.startedAt).toEqual([]);
    actor.send({ type: 'source.synced' });
    await flush();
    expect(sync.startedAt).toEqual([5_000]);
    actor.stop();
  });

  it('syncs on the leading edge after a quiet period, without waiting for the holdoff', async () => {
    const { sync, actor } = await syncedCoordinator(500);
    expect(actor.getSnapshot().value).toBe('idle');
    actor.send({ type: 'source.changed' });
    expect(sync.startedAt).toEqual([0, 500]); // same instant as the change
    actor.stop();
  });

  it('coalesces a continuous stream of changes into one sync per maxHoldoff', async () => {
    const { clock, sync, actor } = await syncedCoordinator(500);
    // A change every 50 ms (faster than the 100 ms holdoff) for 3 s: only the cap makes syncs happen.
    await advance(clock, 3_000, 50, () => actor.send({ type: 'source.changed' }));
    await advance(clock, 500);
    expect(sync.startedAt).toEqual([0, 500, 1_500, 2_500, 3_500]);
    expect(actor.getSnapshot().value).toBe('idle');
    actor.stop();
  });

  it('waits for the holdoff after the last change of a short burst (trailing sync)', async () => {
    const { clock, sync, actor } = await syncedCoordinator(500);
    await advance(clock, 200, 20, () => actor.send({ type: 'source.changed' })); // t = 500 … 680
    await advance(clock, 1_000);
    // Leading sync at 500, then one coalesced sync 100 ms after the last change (680 + 100).
    expect(sync.startedAt).toEqual([0, 500, 780]);
    actor.stop();
  });

  it('asks one long-lived sync child: a sync that spawns nothing leaves the children map as it was', async () => {
    // xstate copies the map of children (thousands of resource actors) whenever one is added or removed; an
    // actor invoked per sync did both on every change.
    const { clock, sync, actor } = await syncedCoordinator(200);
    const before = actor.getSnapshot().children;
    actor.send({ type: 'source.changed' });
    await advance(clock, 200);
    expect(sync.startedAt).toEqual([0, 200]);
    expect(actor.getSnapshot().children).toBe(before);
    expect(Object.keys(before)).toContain('sync');
    actor.stop();
  });

  it('runs exactly one more sync for changes that arrive during a sync', async () => {
    const clock = new SimulatedClock();
    const pending: Array<(r: SyncResult) => void> = [];
    const sync = syncWorker(() => new Promise((resolve) => pending.push(resolve)));
    const actor = coordinator(clock, sync);
    actor.send({ type: 'source.synced' });
    await flush();
    expect(pending).toHaveLength(1);
    for (let i = 0; i < 10; i++) actor.send({ type: 'source.changed' });
    expect(actor.getSnapshot().value).toEqual({ syncing: 'dirty' });
    pending[0]!(RESULT);
    await flush();
    expect(actor.getSnapshot().value).toEqual({ settling: 'dirty' });
    await advance(clock, 100);
    expect(pending).toHaveLength(2);
    pending[1]!(RESULT);
    await advance(clock, 2_000);
    expect(pending).toHaveLength(2);
    expect(actor.getSnapshot().value).toBe('idle');
    expect(actor.getSnapshot().context.lastSync).toMatchObject({ changes: 10, reason: 'coalesced' });
    actor.stop();
  });
});

describe('replica backoff', () => {
  function failingReplica(clock: SimulatedClock, random: number) {
    const attempts: number[] = [];
    const timing = { baseMs: 100, maxMs: 1_000 };
    const machine = replicaMachine.provide({
      actors: {
        readCurrent: fromPromise<Acknowledged | null, { id: string }>(async () => null),
        pushConfig: fromPromise<Acknowledged, PushInput>(async () => {
          attempts.push(clock.now());
          throw new Error('HTTP 503');
        }),
      },
      delays: { retryBackoff: ({ context }) => backoffDelay(context.attempt, timing, random) },
    });
    const actor = createActor(machine, {
      input: {
        id: 'r1',
        ready: true,
        desired: { config: { version: 'v1', rules: [], hosts: [] }, generation: 1 },
        reportTo: createActor(idle).start(),
      },
      clock,
    }).start();
    return { actor, attempts };
  }

  it('doubles the delay per failure up to the cap, with equal jitter from the injected source', async () => {
    const clock = new SimulatedClock();
    const { actor, attempts } = failingReplica(clock, 0.5);
    await advance(clock, 4_000, 5);
    const gaps = attempts.slice(1).map((t, i) => t - attempts[i]!);
    // step = min(1000, 100·2^(n-1)); delay = step/2 + step/2·0.5
    expect(gaps.slice(0, 6)).toEqual([75, 150, 300, 600, 750, 750]);
    actor.stop();
  });

  it('keeps every delay within [step/2, step] whatever the jitter', () => {
    for (const r of [0, 0.25, 0.999]) {
      for (let attempt = 1; attempt <= 8; attempt++) {
        const step = Math.min(1_000, 100 * 2 ** (attempt - 1));
        const d = backoffDelay(attempt, { baseMs: 100, maxMs: 1_000 }, r);
        expect(d).toBeGreaterThanOrEqual(step / 2);
        expect(d).toBeLessThanOrEqual(step);
      }
    }
  });
});

describe('edge backoff', () => {
  async function edgeRetries(result: EdgeResult, attempts = 3) {
    const clock = new SimulatedClock();
    const calls: number[] = [];
    const machine = edgeMachine.provide({
      actors: {
        reconcileEdge: fromPromise(async () => {
          calls.push(clock.now());
          return calls.length >= attempts ? ({ ok: true, writes: 1 } as EdgeResult) : result;
        }),
      },
      // The schedule only (no jitter); honouring Retry-After is the machine's own part.
      delays: {
        edgeBackoff: edgeBackoffDelay((attempt) => backoffDelay(attempt, { baseMs: 1_000, maxMs: 60_000 }, 0)),
      },
    });
    const actor = createActor(machine, { input: { reportTo: createActor(idle).start() }, clock }).start();
    actor.send({
      type: 'edge.desired',
      ingress: { ingress: [{ service: 'http_status:404' }] },
      dns: [],
      generation: 1,
    });
    await advance(clock, 30_000, 250);
    const state = actor.getSnapshot().value;
    actor.stop();
    return { calls, state };
  }

  it('waits as long as Retry-After asks when that is longer than its own backoff', async () => {
    const { calls, state } = await edgeRetries({ ok: false, error: 'HTTP 429', retryAfterMs: 5_000 });
    expect(calls).toEqual([0, 5_000, 10_000]);
    expect(state).toBe('synced');
  });

  it('uses its own backoff when the failure carries no hint', async () => {
    const { calls } = await edgeRetries({ ok: false, error: 'HTTP 502' });
    expect(calls).toEqual([0, 500, 1_500]); // 1000/2, then 2000/2
  });
});

describe('edge resync (drift repair)', () => {
  const doc = (host: string) => ({
    ingress: { ingress: [{ hostname: host, service: 'http://localhost:8080' }, { service: 'http_status:404' }] },
    dns: [],
  });

  function resyncingEdge(clock: SimulatedClock, results: EdgeResult[] = []) {
    const calls: Array<{ at: number; host?: string }> = [];
    const machine = edgeMachine.provide({
      actors: {
        reconcileEdge: fromPromise<EdgeResult, Omit<EdgeDesired, 'generation'>>(async ({ input }) => {
          calls.push({ at: clock.now(), host: input.ingress.ingress[0]?.hostname });
          return results.shift() ?? { ok: true, writes: 0 };
        }),
      },
      delays: { edgeResync: 60_000, edgeBackoff: 1_000 },
    });
    return { actor: createActor(machine, { input: { reportTo: createActor(idle).start() }, clock }).start(), calls };
  }

  it('reconciles the confirmed document again every edgeResync while in sync', async () => {
    const clock = new SimulatedClock();
    const { actor, calls } = resyncingEdge(clock);
    actor.send({ type: 'edge.desired', ...doc('a.example.com'), generation: 1 });
    await advance(clock, 200_000, 1_000);
    expect(calls).toEqual([0, 60_000, 120_000, 180_000].map((at) => ({ at, host: 'a.example.com' })));
    actor.stop();
  });

  it('restarts the resync period after a new document, and does not resync while backing off', async () => {
    const clock = new SimulatedClock();
    const failure: EdgeResult = { ok: false, error: 'HTTP 500' };
    const { actor, calls } = resyncingEdge(clock, [{ ok: true, writes: 1 }, failure, failure]);
    actor.send({ type: 'edge.desired', ...doc('a.example.com'), generation: 1 });
    await advance(clock, 30_000, 1_000);
    actor.send({ type: 'edge.desired', ...doc('b.example.com'), generation: 2 });
    // b fails twice (retries after 1 s each), then is confirmed at 32 s: the next resync is 60 s later.
    await advance(clock, 65_000, 1_000);
    expect(calls).toEqual([
      { at: 0, host: 'a.example.com' },
      { at: 30_000, host: 'b.example.com' },
      { at: 31_000, host: 'b.example.com' },
      { at: 32_000, host: 'b.example.com' },
      { at: 92_000, host: 'b.example.com' },
    ]);
    actor.stop();
  });
});

describe('leader lease', () => {
  it('reports lost when a renewal does not answer within renewDeadline', async () => {
    const clock = new SimulatedClock();
    const reports: Array<{ type: string; at: number }> = [];
    const sink = createActor(
      fromCallback(({ receive }) => receive((e) => reports.push({ type: e.type, at: clock.now() }))),
    ).start();
    const machine = leaderMachine.provide({
      actors: {
        tryAcquire: fromPromise(async () => true),
        renew: fromPromise(() => new Promise<boolean>(() => {})), // the API server hangs
        release: fromPromise(async () => {}),
      },
      delays: { retryPeriod: 2_000, renewInterval: 5_000, renewDeadline: 10_000 },
    });
    const actor = createActor(machine, { input: { reportTo: [sink] }, clock }).start();
    await advance(clock, 15_010, 10);
    expect(reports).toEqual([
      { type: 'leader.elected', at: 0 },
      { type: 'leader.lost', at: 15_000 },
    ]);
    actor.stop();
    sink.stop();
  });
});
