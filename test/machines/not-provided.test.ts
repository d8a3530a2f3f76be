// Each machine's effects are injected by the runtime; a machine started without one fails that effect loudly
// (an error naming it), never a silent success. Checked by the error event each machine gets.
import { describe, expect, it } from '@jest/globals';
import {
  createActor,
  fromCallback,
  fromPromise,
  waitFor,
  type AnyActorLogic,
  type AnyEventObject,
  type AnyMachineSnapshot,
} from 'xstate';
import { edgeMachine } from '../../machines/edge.js';
import { replicaMachine, type Acknowledged } from '../../machines/replica.js';
import { statusWriterMachine } from '../../machines/status-writer.js';
import { leaderMachine } from '../../machines/leader.js';

const idle = () => createActor(fromCallback(() => {})).start();
const status = { kind: 'HTTPRoute' as const, namespace: 'ns', name: 'r', status: {} };

/**
 * The message of the first effect error the machine's actor receives once `drive` is sent (after `ready`
 * holds, when given: a state the effect is reached from). Waits on the error itself, not on a clock.
 */
async function firstEffectError(
  logic: AnyActorLogic,
  input: unknown,
  drive: AnyEventObject[],
  ready?: (s: AnyMachineSnapshot) => boolean,
): Promise<string> {
  let failed: (message: string) => void = () => {};
  const error = new Promise<string>((resolve) => (failed = resolve));
  const actor = createActor(logic, {
    input,
    inspect: (e) => {
      if (e.type !== '@xstate.event' || e.actorRef !== actor) return;
      const event = e.event as AnyEventObject;
      if (event.type.startsWith('xstate.error.actor.')) failed((event.error as Error).message);
    },
  });
  actor.start();
  if (ready) await waitFor(actor, ready);
  for (const event of drive) actor.send(event);
  const message = await error;
  actor.stop();
  return message;
}

describe('a machine the runtime gave no effect', () => {
  it('edge: the reconcile fails, naming the missing effect', async () => {
    const desired = { type: 'edge.desired', ingress: { ingress: [] }, dns: [], generation: 1 };
    expect(await firstEffectError(edgeMachine, { reportTo: idle() }, [desired])).toBe('reconcileEdge not provided');
  });

  it('replica: reading what it runs fails, naming the missing effect', async () => {
    const input = { id: 'r1', ready: true, reportTo: idle() };
    expect(await firstEffectError(replicaMachine, input, [])).toBe('readCurrent not provided');
  });

  it('replica: pushing fails, naming the missing effect', async () => {
    const nothing = fromPromise<Acknowledged | null, { id: string }>(async () => null);
    const read = replicaMachine.provide({ actors: { readCurrent: nothing } });
    const desired = { config: { version: 'v1', rules: [], hosts: [] }, generation: 1 };
    const input = { id: 'r1', ready: true, desired, reportTo: idle() };
    expect(await firstEffectError(read, input, [])).toBe('pushConfig not provided');
  });

  it('statusWriter: the write fails, naming the missing effect', async () => {
    const drive = [{ type: 'leader.elected' }, { type: 'status.write', status }];
    expect(await firstEffectError(statusWriterMachine, undefined, drive)).toBe('writeStatuses not provided');
  });

  it('leader: acquiring the lease fails, naming the missing effect', async () => {
    expect(await firstEffectError(leaderMachine, { reportTo: [idle()] }, [])).toBe('tryAcquire not provided');
  });

  it('leader: renewing the lease fails, naming the missing effect', async () => {
    const holds = leaderMachine.provide({
      actors: { tryAcquire: fromPromise(async () => true) },
      delays: { renewInterval: 1 },
    });
    expect(await firstEffectError(holds, { reportTo: [idle()] }, [])).toBe('renew not provided');
  });

  it('leader: releasing the lease fails, naming the missing effect', async () => {
    const holds = leaderMachine.provide({ actors: { tryAcquire: fromPromise(async () => true) } });
    const leading = (s: AnyMachineSnapshot) => s.matches('leader');
    const message = await firstEffectError(holds, { reportTo: [idle()] }, [{ type: 'leader.stop' }], leading);
    expect(message).toBe('release not provided');
  });
});
