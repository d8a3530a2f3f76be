// The coordinator's `runSync`: translate the whole current snapshot. Pure work, but it reads the source and
// measures time, so it lives here and is injected into the machine.
import { fromPromise } from 'xstate';
import type { SnapshotSource } from '../../core/ports.js';
import type { DesiredState, Snapshot } from '../../core/types.js';
import type { SyncResult } from '../../../machines/shared/coordinator-types.js';

/** `onSync` (metrics) hears each sync's duration in seconds and whether the translator threw. */
export function syncActor(
  source: SnapshotSource,
  translate: (s: Snapshot) => DesiredState,
  onSync?: (seconds: number, ok: boolean) => void,
) {
  return fromPromise<SyncResult, void>(async () => {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    let desired: DesiredState;
    try {
      desired = translate(source.snapshot());
    } catch (err) {
      onSync?.(seconds(), false);
      throw err;
    }
    onSync?.(seconds(), true);
    return { desired, durationMs: Math.round(seconds() * 1_000_000) / 1000 };
  });
}
