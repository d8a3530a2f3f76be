// The coordinator's long-lived sync child (syncWorker): a failed sync is recorded and the schedule goes on, a
// sync still running when the coordinator stops is aborted, and a coordinator given no sync says so.
import { describe, expect, it } from '@jest/globals';
import { waitFor } from 'xstate';
import { syncWorker, type SyncResult } from '../../machines/shared/coordinator-types.js';
import { coordinatorWith } from './coordinator-doubles.js';

function start(sync?: ReturnType<typeof syncWorker>) {
  const actor = coordinatorWith(sync);
  actor.send({ type: 'source.synced' });
  return actor;
}

describe('the sync child', () => {
  it('reports a sync that throws: the error is recorded and the coordinator settles', async () => {
    const actor = start(
      syncWorker(async () => {
        throw new Error('translate failed');
      }),
    );
    await waitFor(actor, (s) => s.matches('settling'));
    expect(actor.getSnapshot().context).toMatchObject({ syncs: 1, lastSyncError: 'translate failed' });
    actor.stop();
  });

  it('aborts a sync still running when the coordinator stops', async () => {
    const signals: AbortSignal[] = [];
    const actor = start(
      syncWorker((signal) => {
        signals.push(signal);
        return new Promise<SyncResult>(() => {});
      }),
    );
    expect(signals).toHaveLength(1);
    expect(signals[0]!.aborted).toBe(false);
    actor.stop();
    expect(signals[0]!.aborted).toBe(true);
  });

  it('says so when the runtime gave the coordinator no sync', async () => {
    const actor = start();
    await waitFor(actor, (s) => s.matches('settling'));
    expect(actor.getSnapshot().context.lastSyncError).toBe('sync not provided');
    actor.stop();
  });
});
