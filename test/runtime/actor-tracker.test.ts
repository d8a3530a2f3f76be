// The /debug actor tracker describes an actor (kind, name, context, conditions) only when read: what it
// shows must be the snapshot the info was made from, however many snapshots came after.
import { describe, expect, it } from '@jest/globals';
import { createActor } from 'xstate';
import { routeMachine } from '../../machines/route.js';
import { createActorTracker, type ActorInfo } from '../../src/debug/actors.js';
import { describeActor } from '../../src/debug/describe.js';
import { routeVerdict } from '../model/fixtures.js';
import { statusSink } from '../machines/coordinator-doubles.js';

function trackedRoute() {
  const tracker = createActorTracker(() => Date.parse('2026-01-01T00:00:00Z'));
  const seen: ActorInfo[] = [];
  tracker.onChange((info) => seen.push(info));
  const actor = createActor(routeMachine, {
    input: { key: 'HTTPRoute/ns/web', statusWriter: statusSink() },
    inspect: (e) => tracker.inspect(e),
  });
  actor.start();
  return { tracker, seen, actor };
}

describe('actor tracker', () => {
  it('shows each snapshot as it was, when read after later ones', () => {
    const { tracker, seen, actor } = trackedRoute();
    actor.send({ type: 'verdict', status: routeVerdict({ accepted: true, spec: 1 }), generation: 5 });
    const programming = seen.at(-1)!;
    const programmingContext = actor.getSnapshot().context;
    actor.send({ type: 'verdict', status: routeVerdict({ accepted: false, spec: 2 }), generation: 6 });
    const rejected = seen.at(-1)!;

    expect(programming.state).toBe('accepted.programming');
    expect(programming.context).toEqual(describeActor('route', programming.id, programmingContext).context);
    expect(programming.context.requiredGeneration).toBe(5);
    expect(rejected.state).toBe('rejected');
    expect(rejected.context.requiredGeneration).toBe(6);
    expect(rejected.conditions.some((c) => c.type === 'Accepted' && c.status === 'False')).toBe(true);
    expect(tracker.list()).toEqual([rejected]);
    expect(rejected.transitions.map((t) => t.to)).toEqual(['pending', 'accepted.programming', 'rejected']);
    actor.stop();
  });

  it('serialises the described fields like plain ones', () => {
    const { tracker, actor } = trackedRoute();
    actor.send({ type: 'verdict', status: routeVerdict({ accepted: true, spec: 1 }), generation: 1 });
    const [info] = tracker.list();
    const json = JSON.parse(JSON.stringify(info)) as ActorInfo;
    const expected = describeActor('route', info!.id, actor.getSnapshot().context);
    expect(json).toMatchObject({
      id: info!.id,
      machine: 'route',
      kind: 'HTTPRoute',
      name: 'ns/web',
      state: 'accepted.programming',
    });
    expect(json.context).toEqual(JSON.parse(JSON.stringify(expected.context)));
    expect(json.conditions).toEqual(JSON.parse(JSON.stringify(expected.conditions)));
    expect({ ...info! }.kind).toBe('HTTPRoute');
    actor.stop();
  });

  it('tells transition listeners of state changes only, change listeners of every snapshot', () => {
    const { tracker, seen, actor } = trackedRoute();
    const moves: string[] = [];
    tracker.onTransition((info) => moves.push(info.state));
    const verdict = routeVerdict({ accepted: true, spec: 1 });
    actor.send({ type: 'verdict', status: verdict, generation: 1 });
    const snapshots = seen.length;
    // The same verdict again: a new snapshot (the verdict is recorded), no new state.
    actor.send({ type: 'verdict', status: structuredClone(verdict), generation: 2 });
    expect(seen.length).toBe(snapshots + 1);
    expect(seen.at(-1)!.state).toBe('accepted.programming');
    actor.send({ type: 'dataplane.live', generation: 1 });
    expect(moves).toEqual(['accepted.programming', 'accepted.programmed']);
    expect(tracker.list()[0]!.transitions.map((t) => t.to)).toEqual([
      'pending',
      'accepted.programming',
      'accepted.programmed',
    ]);
    actor.stop();
  });
});
