// Runs stepwise work (the translator's steps, the file source's parse) on the event loop in slices: a few
// milliseconds of steps, then a turn of the loop (setImmediate: after pending I/O), so the proxy embedded in
// standalone keeps answering while the control plane works through a big change.

/** Steps run back to back before the event loop gets a turn: well under what a request may wait. */
export const SLICE_MS = 5;

/** Steps that may be paused between any two next() calls. */
export type StepIterator<T> = Iterator<void, T, undefined>;

export function isStepIterator<T>(value: T | StepIterator<T>): value is StepIterator<T> {
  return typeof (value as { next?: unknown } | null)?.next === 'function';
}

/** One turn of the event loop: timers and I/O callbacks that are due run first. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Runs `steps` to the end, yielding to the event loop after every `sliceMs` of work. Stops with the signal's
 * reason when it is aborted (an actor stopped mid-sync).
 */
export async function runInSlices<T>(steps: StepIterator<T>, signal?: AbortSignal, sliceMs = SLICE_MS): Promise<T> {
  let sliceStart = performance.now();
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
    if (performance.now() - sliceStart >= sliceMs) {
      await nextTurn();
      signal?.throwIfAborted();
      sliceStart = performance.now();
    }
  }
}
