// What /debug shows at a glance, from real actors through the tracker: a heartbeat (a replica re-checking
// its proxy) folds into one history entry instead of pushing out what matters; a route whose backend is
// missing is in accepted.degraded.unresolvedRefs, marked unhealthy, with its condition as the "why" line.
import { describe, expect, it } from '@jest/globals';
import { createActor } from 'xstate';
import { routeMachine } from '../../machines/route.js';
import { createActorTracker } from '../../src/debug/actors.js';
import { MAX_TRANSITIONS, recordTransition, type ActorTransition } from '../../src/debug/transition-log.js';
import { routeVerdict } from '../model/fixtures.js';
import { statusSink } from '../machines/coordinator-doubles.js';

const at = (i: number) => new Date(Date.UTC(2026, 0, 1, 0, 0, i)).toISOString();
const probe = 'xstate.after.probeInterval.replica.inSync';
const read = 'xstate.done.actor.readCurrent';

describe('transition history', () => {
  it('folds a back-and-forth heartbeat into one entry with a count, keeping what came before', () => {
    const log: ActorTransition[] = [];
    recordTransition(log, { event: 'xstate.init', from: '', to: 'checking', at: at(0) });
    recordTransition(log, { event: read, from: 'checking', to: 'inSync', at: at(1) });
    for (let i = 0; i < 200; i++) {
      recordTransition(log, { event: probe, from: 'inSync', to: 'checking', at: at(2 + 2 * i) });
      recordTransition(log, { event: read, from: 'checking', to: 'inSync', at: at(3 + 2 * i) });
    }
    expect(log).toHaveLength(2);
    expect(log[0]).toMatchObject({ to: 'checking', at: at(0) });
    // checking → inSync (first), then 400 more moves, all folded into the first checking → inSync entry.
    expect(log[1]).toEqual({
      event: read,
      from: 'checking',
      to: 'inSync',
      at: at(401),
      cycle: { count: 401, since: at(1), backEvent: probe },
    });
  });

  it('starts a new entry when the pattern breaks, and keeps the newest entries only', () => {
    const log: ActorTransition[] = [];
    const moves = ['a', 'b', 'a', 'b', 'c', 'a'];
    moves
      .slice(1)
      .forEach((to, i) => recordTransition(log, { event: `e${moves[i]}${to}`, from: moves[i]!, to, at: at(i) }));
    expect(log.map((t) => [t.from, t.to, t.cycle?.count])).toEqual([
      ['a', 'b', 3],
      ['b', 'c', undefined],
      ['c', 'a', undefined],
    ]);
    for (let i = 0; i < 2 * MAX_TRANSITIONS; i++)
      recordTransition(log, { event: 'e', from: `s${i}`, to: `s${i + 1}`, at: at(i) });
    expect(log).toHaveLength(MAX_TRANSITIONS);
    expect(log.at(-1)!.to).toBe(`s${2 * MAX_TRANSITIONS}`);
  });
});

describe('health and why', () => {
  it('marks a served route with a missing backend unhealthy, its condition as the why line', () => {
    const tracker = createActorTracker(() => Date.parse('2026-01-01T00:00:00Z'));
    const actor = createActor(routeMachine, {
      input: { key: 'HTTPRoute/ns/web', statusWriter: statusSink() },
      inspect: (e) => tracker.inspect(e),
    }).start();
    actor.send({ type: 'verdict', status: routeVerdict({ accepted: true, spec: 1 }), generation: 1 });
    expect(tracker.list()[0]).toMatchObject({ state: 'accepted.programming', health: 'pending' });
    actor.send({ type: 'dataplane.live', generation: 1 });
    expect(tracker.list()[0]).toMatchObject({
      state: 'accepted.programmed',
      health: 'ok',
      why: 'parent ns/gw: Accepted=True Accepted — Accepted ok',
    });
    actor.send({ type: 'verdict', status: routeVerdict({ accepted: true, spec: 1, resolved: false }), generation: 2 });
    const broken = JSON.parse(JSON.stringify(tracker.list()[0]));
    expect(broken).toMatchObject({
      state: 'accepted.degraded.unresolvedRefs',
      health: 'unhealthy',
      why: 'parent ns/gw: ResolvedRefs=False BackendNotFound — ResolvedRefs not ok',
    });
    actor.send({ type: 'dataplane.degraded', reason: 'No ready proxy replica' });
    expect(tracker.list()[0]).toMatchObject({
      state: 'accepted.degraded.dataPlaneNotReady',
      health: 'unhealthy',
      why: 'No ready proxy replica',
    });
    actor.stop();
  });
});
