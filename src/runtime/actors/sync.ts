// The coordinator's `sync` child: translate the whole current snapshot. Pure work, but it reads the source and
// measures time, so it lives here and is injected into the machine. A translator that works in steps is run
// in slices (runInSlices): a snapshot of thousands of regex matches takes seconds, and the loop serves meanwhile.
import type { Logger } from 'pino';
import type { SnapshotSource, Translator } from '../../core/ports.js';
import type { DesiredState } from '../../core/types.js';
import { Rehearsal } from '../rehearsal.js';
import { isStepIterator, runInSlices } from '../slices.js';
import { syncWorker } from '../../../machines/shared/coordinator-types.js';

export interface SyncOptions {
  /** `onSync` (metrics) hears each sync's duration in seconds and whether the translator threw. */
  onSync?: (seconds: number, ok: boolean) => void;
  /**
   * After the first sync, once the control plane `rests`, the translator (`translate`: uninstrumented) runs on
   * variants of the snapshot then so the first real change does not run cold code (rehearsal.ts).
   */
  rehearsal?: { translate: Translator; rests: () => Promise<void>; logger?: Logger };
}

export function syncActor(source: SnapshotSource, translate: Translator, options: SyncOptions = {}) {
  let rehearsal: Rehearsal | undefined;
  let rehearsalDue = options.rehearsal !== undefined;
  return syncWorker(async (signal) => {
    if (rehearsal) {
      // A rehearsal under way ends its pair first: the translator's memory must be on a real snapshot. One
      // that never began (a sync came before the system rested) is due again after this sync.
      await rehearsal.stop();
      rehearsalDue = !rehearsal.began;
      rehearsal = undefined;
    }
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    const snapshot = source.snapshot();
    let desired: DesiredState;
    try {
      const result = translate(snapshot);
      desired = isStepIterator(result) ? await runInSlices(result, signal) : result;
    } catch (err) {
      options.onSync?.(seconds(), false);
      throw err;
    }
    options.onSync?.(seconds(), true);
    if (rehearsalDue) {
      rehearsalDue = false;
      const { translate: rehearse, rests, logger } = options.rehearsal!;
      const warmUp = new Rehearsal(() => source.snapshot(), rehearse, rests, logger);
      signal.addEventListener('abort', () => void warmUp.stop(), { once: true });
      rehearsal = warmUp;
    }
    return { desired, durationMs: Math.round(seconds() * 1_000_000) / 1000 };
  });
}
