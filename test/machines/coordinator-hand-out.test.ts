// The coordinator's outbox (machines/README.md, step 2): the config goes to the replicas at once; the starts
// of new resource actors and the events for resource actors follow in order, 50 events a turn
// (`HAND_OUT_CHUNK`, a start counting a fifth of one), one turn per `handOut` delay, so an embedded proxy
// serves between chunks. Health told while verdicts are still queued waits behind them, and
// queuing more never speeds the hand-out up. Driven on SimulatedClock with recording children.
import { describe, expect, it } from '@jest/globals';
import { createActor, fromCallback, SimulatedClock } from 'xstate';
import { coordinatorMachine } from '../../machines/coordinator.js';
import type { SyncResult } from '../../machines/shared/coordinator-types.js';
import { routeVerdict } from '../model/fixtures.js';
import { idle } from './coordinator-doubles.js';

const ROUTES = 120;
const TURN_MS = 10;

function result(routes: number): SyncResult {
  const statuses = Array.from({ length: routes }, (_, i) => ({
    ...routeVerdict({ accepted: true, spec: 1 }),
    name: `r${String(i).padStart(3, '0')}`,
  }));
  return {
    desired: { statuses, proxyConfig: { version: 'v1', rules: [], hosts: [] }, ingress: { ingress: [] }, dns: [] },
    durationMs: 1,
  };
}

function handingOut(routes = ROUTES) {
  const clock = new SimulatedClock();
  const log: Array<{ to: string; type: string; at: number }> = [];
  const recorder = fromCallback(({ self, receive }) => {
    const to = self.id.replace(/#\d+$/, '');
    log.push({ to, type: 'started', at: clock.now() });
    receive((e) => log.push({ to, type: e.type, at: clock.now() }));
  });
  const sync = fromCallback(({ sendBack, receive }) => {
    receive(() => sendBack({ type: 'sync.done', output: result(routes) }));
  });
  const machine = coordinatorMachine.provide({
    actors: { sync, statusWriter: idle, leader: idle, edge: idle, route: recorder, replica: recorder } as never,
    delays: { holdoff: 50, maxHoldoff: 1_000, handOut: TURN_MS },
  });
  const actor = createActor(machine, { input: { hasEdge: false, generationBase: 0 }, clock }).start();
  actor.send({ type: 'leader.elected' });
  actor.send({ type: 'replicas.set', endpoints: [{ id: 'a', ready: true }] });
  actor.send({ type: 'source.synced' });
  const delivered = (type: string) => log.filter((e) => e.type === type);
  return { actor, clock, log, delivered };
}

describe('coordinator hand-out', () => {
  it('pushes the config at once and hands the starts and verdicts out 50 per turn, in order', () => {
    const { clock, log, delivered } = handingOut();
    expect(delivered('config.desired').map((e) => [e.to, e.at])).toEqual([['replica/a', 0]]);
    expect(delivered('verdict')).toEqual([]);
    const counts: number[] = [];
    for (let turn = 1; turn <= 4; turn++) {
      clock.increment(TURN_MS);
      counts.push(delivered('verdict').length);
    }
    // The 120 starts first, worth 24 events: 26 verdicts beside them, then 50, then the last 44.
    expect(counts).toEqual([26, 76, 120, 120]);
    expect(delivered('verdict').map((e) => e.to)).toEqual(
      result(ROUTES).desired.statuses.map((s) => `HTTPRoute/ns/${s.name}`),
    );
    expect(log.findIndex((e) => e.type === 'verdict')).toBeGreaterThan(
      log.findIndex((e) => e.type === 'config.desired'),
    );
  });

  it('starts new resource actors from the outbox: after the config left for the replicas, each before its verdict', () => {
    const routes = 300;
    const { clock, log, delivered } = handingOut(routes);
    const routeStarts = () => log.filter((e) => e.type === 'started' && e.to.startsWith('HTTPRoute/'));
    expect(routeStarts()).toEqual([]);
    expect(delivered('config.desired').map((e) => e.at)).toEqual([0]);
    // 250 starts a turn at most (5,000 in one turn held the event loop ~300 ms).
    for (let turn = 1; turn <= 2; turn++) clock.increment(TURN_MS);
    const turnOf = (at: number) => at / TURN_MS;
    expect(routeStarts().map((e) => turnOf(e.at))).toEqual([
      ...Array<number>(250).fill(1),
      ...Array<number>(50).fill(2),
    ]);
    for (let turn = 3; turn <= 8; turn++) clock.increment(TURN_MS);
    expect(delivered('verdict')).toHaveLength(routes);
    for (const { to } of delivered('verdict'))
      expect(log.findIndex((e) => e.to === to && e.type === 'started')).toBeLessThan(
        log.findIndex((e) => e.to === to && e.type === 'verdict'),
      );
    expect(routeStarts()).toHaveLength(routes);
  });

  it('queues health told mid-hand-out behind the verdicts, at the same pace', () => {
    const { actor, clock, delivered } = handingOut();
    clock.increment(TURN_MS); // the 120 starts and 26 verdicts out, 94 queued
    actor.send({ type: 'replica.inSync', id: 'a', version: 'v1', generation: 1 });
    const counts: Array<[number, number]> = [];
    for (let turn = 2; turn <= 6; turn++) {
      clock.increment(TURN_MS);
      counts.push([delivered('verdict').length, delivered('dataplane.live').length]);
    }
    // Turn 3 hands out the last 44 verdicts and the first 6 health events.
    expect(counts).toEqual([
      [76, 0],
      [120, 6],
      [120, 56],
      [120, 106],
      [120, 120],
    ]);
    const order = delivered('dataplane.live').map((e) => e.to);
    expect(order).toEqual(delivered('verdict').map((e) => e.to));
  });
});
