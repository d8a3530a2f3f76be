// A coordinator whose children are doubles (the statusWriter, leader and edge do nothing), with an injected
// sync child and SimulatedClock: for the tests of its schedule (timing.test.ts) and of its sync child.
import { createActor, fromCallback, SimulatedClock, type AnyActorLogic, type AnyActorRef } from 'xstate';
import { coordinatorMachine } from '../../machines/coordinator.js';

export const idle = fromCallback(() => {});

/** Started, not yet told the source has synced; `sync` left out: the machine's own default. */
export function coordinatorWith(
  sync: AnyActorLogic | undefined,
  clock = new SimulatedClock(),
  timing = { holdoff: 100, maxHoldoff: 1_000 },
) {
  const actors = { statusWriter: idle, leader: idle, edge: idle, ...(sync && { sync }) };
  const machine = coordinatorMachine.provide({ actors: actors as never, delays: timing });
  return createActor(machine, { input: { hasEdge: false, generationBase: 0 }, clock }).start();
}

/** A started actor that takes whatever it is sent (a resource actor's statusWriter when nothing reads it). */
export function statusSink(): AnyActorRef {
  return createActor(idle).start();
}

/** `value` with every object in it frozen (actor refs left alone): what a pure planner may read, never change. */
export function deepFrozen<T>(value: T): T {
  if (value === null || typeof value !== 'object' || Object.isFrozen(value)) return value;
  if (typeof (value as { send?: unknown }).send === 'function') return value;
  for (const v of Object.values(value)) deepFrozen(v);
  return Object.freeze(value);
}
