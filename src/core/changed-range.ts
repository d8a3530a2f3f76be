// Where a list differs from an earlier one, by identity: the per-change passes (route IRs, published
// hostnames, the coordinator's statuses) compare each sync's list with the last one and visit only what
// is new. Between two syncs the lists usually share every item but one replaced, inserted or removed, and
// the items are values never changed once built, so the same object means the same item. Pure.

/** The items of `before` in [start, beforeEnd) became the items of `now` in [start, nowEnd); the rest are the same objects. */
export interface ChangedRange {
  start: number;
  beforeEnd: number;
  nowEnd: number;
}

/**
 * The one range that differs between the lists (the common head and tail trimmed), or undefined when it
 * holds more than `max(8, length / 8)` items of either: then a full pass costs about as much.
 */
export function changedRange<T>(before: readonly T[] | undefined, now: readonly T[]): ChangedRange | undefined {
  if (before === undefined) return undefined;
  const shortest = Math.min(before.length, now.length);
  let start = 0;
  while (start < shortest && before[start] === now[start]) start++;
  const [changedBefore, changedNow] = tailOf(before, now, start, start);
  const limit = differingLimit(now);
  return changedBefore > limit || changedNow > limit
    ? undefined
    : { start, beforeEnd: start + changedBefore, nowEnd: start + changedNow };
}

/**
 * Where the item at `i` of the new list was in the old one, when outside the range (the same object there);
 * -1 inside it. Without a range (the lists differ too much) the same position, which callers check by identity.
 */
export function positionBefore(range: ChangedRange | undefined, i: number): number {
  if (!range || i < range.start) return i;
  return i >= range.nowEnd ? i - range.nowEnd + range.beforeEnd : -1;
}

/**
 * `list` with its items in [start, end) replaced by `middle`, each item kept after the range passed through
 * `after` when given: the result of `list.slice(0, start).concat(middle, list.slice(end).map(after))` in one
 * allocation (those make three or four, at 5,000 rules a change's garbage worth collecting).
 */
export function replacedRange<T>(
  list: readonly T[],
  start: number,
  end: number,
  middle: readonly T[],
  after?: (item: T) => T,
): T[] {
  const out = new Array<T>(start + middle.length + list.length - end);
  let k = 0;
  for (let i = 0; i < start; i++) out[k++] = list[i]!;
  for (const item of middle) out[k++] = item;
  for (let i = end; i < list.length; i++) out[k++] = after === undefined ? list[i]! : after(list[i]!);
  return out;
}

/** Past this many differing items a full pass costs about as much as visiting them. */
const differingLimit = (now: readonly unknown[]) => Math.max(8, now.length >> 3);

/** Items before[beforeStart, beforeEnd) became now[nowStart, nowEnd); between the runs the lists hold the same objects. */
export interface ChangedRun {
  beforeStart: number;
  beforeEnd: number;
  nowStart: number;
  nowEnd: number;
}

/** How far past a difference the lists are searched for the next object they share again. */
const RESYNC_WITHIN = 4;

/**
 * Every region where the lists differ, by identity, or undefined past `max(8, length / 8)` differing items
 * (as changedRange). For lists changed in more than one place: a route added changes its own status and its
 * Gateway's (attachedRoutes), thousands of statuses apart, and one range spanning both is the whole list.
 * After each difference the lists are taken to meet again at the nearest pair of equal objects within
 * RESYNC_WITHIN items of either; when none is that near, the rest (less the common tail) is one run.
 */
export function changedRuns<T>(before: readonly T[] | undefined, now: readonly T[]): ChangedRun[] | undefined {
  if (before === undefined) return undefined;
  const limit = differingLimit(now);
  const runs: ChangedRun[] = [];
  let [i, j, differing] = [0, 0, 0];
  while (i < before.length || j < now.length) {
    if (i < before.length && j < now.length && before[i] === now[j]) {
      i++;
      j++;
      continue;
    }
    const [a, b] = meetAgain(before, now, i, j) ?? tailOf(before, now, i, j);
    runs.push({ beforeStart: i, beforeEnd: i + a, nowStart: j, nowEnd: j + b });
    differing += Math.max(a, b);
    if (differing > limit) return undefined;
    [i, j] = [i + a, j + b];
  }
  return runs;
}

/** The nearest offsets (fewest items skipped in all) at which the lists hold the same object again. */
function meetAgain<T>(before: readonly T[], now: readonly T[], i: number, j: number): [number, number] | undefined {
  for (let skipped = 1; skipped <= 2 * RESYNC_WITHIN; skipped++)
    for (let a = Math.max(0, skipped - RESYNC_WITHIN); a <= Math.min(skipped, RESYNC_WITHIN); a++) {
      const b = skipped - a;
      if (i + a < before.length && j + b < now.length && before[i + a] === now[j + b]) return [a, b];
    }
  return undefined;
}

/** Offsets to the common tail of the lists (never before i, j): the rest differs as one run. */
function tailOf<T>(before: readonly T[], now: readonly T[], i: number, j: number): [number, number] {
  let [beforeEnd, nowEnd] = [before.length, now.length];
  while (beforeEnd > i && nowEnd > j && before[beforeEnd - 1] === now[nowEnd - 1]) {
    beforeEnd--;
    nowEnd--;
  }
  return [beforeEnd - i, nowEnd - j];
}
