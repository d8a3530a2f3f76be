// The coordinator's `sync` child: translate the whole current snapshot. Pure work, but it reads the source and
// measures time, so it lives here and is injected into the machine. A translator that works in steps is run
// in slices (runInSlices): a snapshot of thousands of regex matches takes seconds, and the loop serves meanwhile.
import type { SnapshotSource, Translator } from '../../core/ports.js';
import type { DesiredState, Snapshot } from '../../core/types.js';
import { rehearsalSnapshots, rehearse } from '../rehearsal.js';
import { isStepIterator, runInSlices } from '../slices.js';
import { syncWorker } from '../../../machines/shared/coordinator-types.js';

export interface SyncOptions {
  /** `onSync` (metrics) hears each sync's duration in seconds and whether the translator threw. */
  onSync?: (seconds: number, ok: boolean) => void;
  /**
   * Once, this long after the first sync, the translator (`rehearsal.translate`: uninstrumented) runs on
   * variants of that sync's snapshot so the first real change does not run cold code (rehearsal.ts).
   */
  rehearsal?: { translate: Translator; afterMs: number };
}

export function syncActor(source: SnapshotSource, translate: Translator, options: SyncOptions = {}) {
  let rehearsal: AbortController | undefined;
  let rehearsalDue = options.rehearsal !== undefined;
  return syncWorker(async (signal) => {
    // A real sync never waits for a rehearsal: it stops at its next slice.
    rehearsal?.abort();
    rehearsal = undefined;
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
      rehearsal = scheduleRehearsal(snapshot, options.rehearsal!);
    }
    return { desired, durationMs: Math.round(seconds() * 1_000_000) / 1000 };
  });
}

function scheduleRehearsal(snapshot: Snapshot, { translate, afterMs }: { translate: Translator; afterMs: number }) {
  const snapshots = rehearsalSnapshots(snapshot);
  if (snapshots.length === 0) return undefined;
  const control = new AbortController();
  const timer = setTimeout(() => void rehearse(snapshots, translate, control.signal), afterMs);
  timer.unref();
  control.signal.addEventListener('abort', () => clearTimeout(timer), { once: true });
  return control;
}
