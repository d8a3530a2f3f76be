// The coordinator's `sync` child: translate the whole current snapshot. Pure work, but it reads the source and
// measures time, so it lives here and is injected into the machine. A translator that works in steps is run
// in slices (runInSlices): a snapshot of thousands of regex matches takes seconds, and the loop serves meanwhile.
import type { SnapshotSource, Translator } from '../../core/ports.js';
import type { DesiredState } from '../../core/types.js';
import { isStepIterator, runInSlices } from '../slices.js';
import { syncWorker } from '../../../machines/shared/coordinator-types.js';

/** `onSync` (metrics) hears each sync's duration in seconds and whether the translator threw. */
export function syncActor(
  source: SnapshotSource,
  translate: Translator,
  onSync?: (seconds: number, ok: boolean) => void,
) {
  return syncWorker(async (signal) => {
    const started = performance.now();
    const seconds = () => (performance.now() - started) / 1000;
    let desired: DesiredState;
    try {
      const result = translate(source.snapshot());
      desired = isStepIterator(result) ? await runInSlices(result, signal) : result;
    } catch (err) {
      onSync?.(seconds(), false);
      throw err;
    }
    onSync?.(seconds(), true);
    return { desired, durationMs: Math.round(seconds() * 1_000_000) / 1000 };
  });
}
