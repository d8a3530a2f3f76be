// Pure work done in steps. Translating a snapshot of tens of thousands of regex matches, or parsing megabytes
// of YAML, takes seconds; written as generators, their loops yield between bounded pieces of work (one fresh
// RE2 compile, one rule, a few hundred YAML tokens), and a caller that shares its event loop with
// live traffic (standalone) runs them in slices (src/runtime/slices.ts). Everyone else runs them in one go.

/** Work that yields at points where a caller may pause it; its return value is the result. */
export type Steps<T> = Generator<void, T, void>;

/** Runs steps to the end in one go. */
export function runSteps<T>(steps: Steps<T>): T {
  for (;;) {
    const step = steps.next();
    if (step.done) return step.value;
  }
}

/** Items a sort handles between two points where it may yield: a native sort of this many, or a merge. */
const SORT_RUN = 1024;

/**
 * [...items].sort(compare) in steps (the same order: both are stable): runs of SORT_RUN sorted natively,
 * then merged pairwise, yielding after each run and every SORT_RUN merged items.
 */
export function* sortSteps<T>(items: readonly T[], compare: (a: T, b: T) => number): Steps<T[]> {
  let runs: T[][] = [];
  for (let i = 0; i < items.length; i += SORT_RUN) {
    runs.push(items.slice(i, i + SORT_RUN).sort(compare));
    yield;
  }
  while (runs.length > 1) {
    const merged: T[][] = [];
    for (let i = 0; i < runs.length; i += 2)
      merged.push(i + 1 < runs.length ? yield* mergeSteps(runs[i]!, runs[i + 1]!, compare) : runs[i]!);
    runs = merged;
  }
  return runs[0] ?? [];
}

/** Merges two sorted runs, taking from `a` on ties (stable). */
function* mergeSteps<T>(a: T[], b: T[], compare: (a: T, b: T) => number): Steps<T[]> {
  const out: T[] = [];
  let i = 0;
  let j = 0;
  while (i < a.length && j < b.length) {
    out.push(compare(b[j]!, a[i]!) < 0 ? b[j++]! : a[i++]!);
    if (out.length % SORT_RUN === 0) yield;
  }
  while (i < a.length) out.push(a[i++]!);
  while (j < b.length) out.push(b[j++]!);
  return out;
}
