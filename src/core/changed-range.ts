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
  let beforeEnd = before.length;
  let nowEnd = now.length;
  while (beforeEnd > start && nowEnd > start && before[beforeEnd - 1] === now[nowEnd - 1]) {
    beforeEnd--;
    nowEnd--;
  }
  const limit = Math.max(8, now.length >> 3);
  return beforeEnd - start > limit || nowEnd - start > limit ? undefined : { start, beforeEnd, nowEnd };
}
