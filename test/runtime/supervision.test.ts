// Supervision: when a machine throws, the actor system stops; the control plane then calls onFatal once
// (the process owner exits non-zero so Kubernetes restarts it) and releases whenIdle() waiters.
import { afterEach, describe, expect, it } from '@jest/globals';
import { pino } from 'pino';
import { Writable } from 'node:stream';
import { SimulatedClock } from 'xstate';
import { createControlPlane, type ControlPlane, type ControlPlaneOptions } from '../../src/runtime/control-plane.js';
import type { DesiredState, ResourceStatus } from '../../src/core/types.js';
import { EditableSource, eventually, fakeTranslate, RecordingSink } from './doubles.js';

/** A pino logger whose JSON lines the test can read. */
function capturingLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const stream = new Writable({
    write(chunk, _enc, done) {
      lines.push(JSON.parse(String(chunk)));
      done();
    },
  });
  return { logger: pino({ level: 'info' }, stream), lines };
}

let cp: ControlPlane | undefined;
afterEach(async () => {
  await cp?.stop();
  cp = undefined;
});

function start(
  translate: ControlPlaneOptions['translate'],
  onFatal?: (err: Error) => void,
  lease?: ControlPlaneOptions['lease'],
  clock?: SimulatedClock,
) {
  const source = new EditableSource();
  source.setRoute('a', { hostname: 'a.example.com' });
  const log = capturingLogger();
  cp = createControlPlane({
    source,
    translate,
    statusSink: new RecordingSink(),
    logger: log.logger,
    onFatal,
    lease,
    clock,
    timing: { holdoffMs: 5, maxHoldoffMs: 20 },
  });
  return { source, log, cp };
}

/** The doubles here do no I/O: a few turns of the event loop run every promise chain the actors started. */
const settle = async () => {
  for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
};

/** Moves a simulated clock on by `ms`, a step at a time, letting each step's work finish. */
async function advance(clock: SimulatedClock, ms: number, step = 5): Promise<void> {
  for (let t = 0; t < ms; t += step) {
    clock.increment(step);
    await settle();
  }
}

describe('actor system failure', () => {
  it('calls onFatal once when a spawned machine throws, and logs it', async () => {
    // A verdict without a status object makes the spawned route actor throw in its guard.
    const broken = (s: Parameters<typeof fakeTranslate>[0]): DesiredState => {
      const desired = fakeTranslate(s);
      return {
        ...desired,
        statuses: desired.statuses.map((st) =>
          st.kind === 'HTTPRoute' ? ({ kind: st.kind, namespace: st.namespace, name: st.name } as ResourceStatus) : st,
        ),
      };
    };
    const errors: Error[] = [];
    let translations = 0;
    const clock = new SimulatedClock();
    const {
      source,
      log,
      cp: plane,
    } = start(
      (s) => (translations++, broken(s)),
      (err) => errors.push(err),
      undefined,
      clock,
    );
    await plane.start();
    await eventually(() => errors.length === 1);
    expect(errors[0]).toBeInstanceOf(Error);
    expect(log.lines.filter((l) => l.msg === 'actor system failed')).toHaveLength(1);
    // The system is stopped: waiters are released, and further changes cannot fail it again. A live
    // coordinator translates a change within maxHoldoff (20 ms): the clock goes well past it.
    await plane.whenIdle();
    const before = translations;
    source.setRoute('b', { hostname: 'b.example.com' });
    await advance(clock, 100);
    expect(translations).toBe(before);
    expect(errors).toHaveLength(1);
  });

  it('calls onFatal when the coordinator itself throws', async () => {
    const errors: Error[] = [];
    const { cp: plane } = start(
      () => null as unknown as DesiredState,
      (err) => errors.push(err),
    );
    await plane.start();
    await eventually(() => errors.length === 1);
    expect(errors[0]!.message).toMatch(/null|undefined/);
  });

  it('stops the leader too: a dead system does not keep renewing its lease', async () => {
    let renewals = 0;
    const lease = {
      tryAcquire: async () => true,
      renew: async () => (renewals++, true),
      release: async () => {},
      timing: { renewIntervalMs: 10, renewDeadlineMs: 1_000, retryPeriodMs: 10 },
    };
    let failNow = false;
    const errors: Error[] = [];
    const clock = new SimulatedClock();
    const { source, cp: plane } = start(
      (s) => (failNow ? (null as unknown as DesiredState) : fakeTranslate(s)),
      (err) => errors.push(err),
      lease,
      clock,
    );
    await plane.start();
    await advance(clock, 40); // renewed every 10 ms
    expect(renewals).toBeGreaterThanOrEqual(3);
    failNow = true;
    source.setRoute('b', { hostname: 'b.example.com' });
    await advance(clock, 20); // the change is translated within maxHoldoff
    expect(errors).toHaveLength(1);
    const after = renewals;
    await advance(clock, 1_000); // a hundred renew intervals
    expect(renewals - after).toBeLessThanOrEqual(1); // at most the one already in flight
  });

  it('never calls onFatal while the system is healthy', async () => {
    const errors: Error[] = [];
    const { cp: plane } = start(fakeTranslate, (err) => errors.push(err));
    await plane.start();
    await eventually(() => plane.stats().syncs === 1);
    await plane.whenIdle();
    await plane.stop();
    expect(errors).toEqual([]);
  });

  it('without onFatal it still only logs', async () => {
    const { log, cp: plane } = start(() => null as unknown as DesiredState);
    await plane.start();
    await eventually(() => log.lines.some((l) => l.msg === 'actor system failed'));
  });
});
