// Each machine's effects are injected by the runtime; a machine started without one fails that effect loudly
// (an error naming it), never a silent success. Checked by the error event each machine gets.
import { describe, expect, it } from '@jest/globals';
import { createActor, fromCallback, fromPromise, type AnyActorLogic, type AnyEventObject } from 'xstate';
import { edgeMachine } from '../../machines/edge.js';
import { replicaMachine, type Acknowledged } from '../../machines/replica.js';
import { statusWriterMachine } from '../../machines/status-writer.js';
import { leaderMachine } from '../../machines/leader.js';

const idle = () => createActor(fromCallback(() => {})).start();
const status = { kind: 'HTTPRoute' as const, namespace: 'ns', name: 'r', status: {} };

/** The messages of the effect errors the machine's actor received while `drive` ran. */
async function effectErrors(
  logic: AnyActorLogic,
  input: unknown,
  drive: AnyEventObject[],
  later: AnyEventObject[] = [],
): Promise<string[]> {
  const errors: string[] = [];
  const actor = createActor(logic, {
    input,
    inspect: (e) => {
      if (e.type !== '@xstate.event' || e.actorRef !== actor) return;
      const event = e.event as AnyEventObject;
      if (event.type.startsWith('xstate.error.actor.')) errors.push((event.error as Error).message);
    },
  });
  actor.start();
  for (const event of drive) actor.send(event);
  await new Promise((resolve) => setTimeout(resolve, 5));
  for (const event of later) actor.send(event);
  await new Promise((resolve) => setTimeout(resolve, 10));
  actor.stop();
  return errors;
}

describe('a machine the runtime gave no effect', () => {
  it('edge: the reconcile fails, naming the missing effect', async () => {
    const desired = { type: 'edge.desired', ingress: { ingress: [] }, dns: [], generation: 1 };
    expect(await effectErrors(edgeMachine, { reportTo: idle() }, [desired])).toEqual(['reconcileEdge not provided']);
  });

  it('replica: reading what it runs fails, naming the missing effect', async () => {
    const input = { id: 'r1', ready: true, reportTo: idle() };
    expect(await effectErrors(replicaMachine, input, [])).toEqual(['readCurrent not provided']);
  });

  it('replica: pushing fails, naming the missing effect', async () => {
    const nothing = fromPromise<Acknowledged | null, { id: string }>(async () => null);
    const read = replicaMachine.provide({ actors: { readCurrent: nothing } });
    const desired = { config: { version: 'v1', rules: [], hosts: [] }, generation: 1 };
    const input = { id: 'r1', ready: true, desired, reportTo: idle() };
    expect(await effectErrors(read, input, [])).toEqual(['pushConfig not provided']);
  });

  it('statusWriter: the write fails, naming the missing effect', async () => {
    const drive = [{ type: 'leader.elected' }, { type: 'status.write', status }];
    expect(await effectErrors(statusWriterMachine, undefined, drive)).toEqual(['writeStatuses not provided']);
  });

  it('leader: acquiring the lease fails, naming the missing effect', async () => {
    expect(await effectErrors(leaderMachine, { reportTo: [idle()] }, [])).toEqual(['tryAcquire not provided']);
  });

  it('leader: releasing the lease fails, naming the missing effect', async () => {
    const holds = leaderMachine.provide({ actors: { tryAcquire: fromPromise(async () => true) } });
    const errors = await effectErrors(holds, { reportTo: [idle()] }, [], [{ type: 'leader.stop' }]);
    expect(errors).toEqual(['release not provided']);
  });
});
