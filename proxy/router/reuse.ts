// What an incremental compile (compiler.ts) needs to touch only what a push changed. A push from the
// control plane reaches a worker as a delta (cluster/delta.ts) or from an in-process preparer's cache: an
// unchanged rule or host is then the very string the config compiled before held, and comparing the lists
// (=== on strings: one pointer compare for the same string, the characters otherwise) finds the changed
// range without hashing thousands of texts into maps. Only that range is looked up by text. The translator's
// src/core/changed-range.ts finds such ranges too; the proxy imports nothing from src/ (the data plane depends
// on no control-plane code), and here the one range is always wanted, however large.

/** Items before[start, beforeEnd) became now[start, nowEnd); the rest are equal, in order. */
export interface SameEnds {
  start: number;
  beforeEnd: number;
  nowEnd: number;
}

/** The common head and tail of two lists (the middle is what changed). */
export function sameEnds<T>(before: readonly T[], now: readonly T[]): SameEnds {
  const shortest = Math.min(before.length, now.length);
  let start = 0;
  while (start < shortest && before[start] === now[start]) start++;
  let beforeEnd = before.length;
  let nowEnd = now.length;
  while (beforeEnd > start && nowEnd > start && before[beforeEnd - 1] === now[nowEnd - 1]) {
    beforeEnd--;
    nowEnd--;
  }
  return { start, beforeEnd, nowEnd };
}

/** What one compile changes in a UseCounts: keys no rule used before, and keys no rule uses any more. */
export interface UseChange<K> {
  net: Map<K, number>;
  appeared: K[];
  vanished: K[];
}

/**
 * How many rules of the committed config use each key (an upstream pool, a rule id), so a compile that
 * replaced a few rules learns which keys appeared or vanished from those rules alone.
 */
export class UseCounts<K> {
  private readonly counts = new Map<K, number>();

  /** The change of replacing the rules that used `removed` by ones using `added` (each key once per use). */
  change(removed: Iterable<K>, added: Iterable<K>): UseChange<K> {
    const net = new Map<K, number>();
    for (const key of removed) net.set(key, (net.get(key) ?? 0) - 1);
    for (const key of added) net.set(key, (net.get(key) ?? 0) + 1);
    const appeared: K[] = [];
    const vanished: K[] = [];
    for (const [key, by] of net) {
      const was = this.counts.get(key) ?? 0;
      if (was === 0 && by > 0) appeared.push(key);
      else if (was > 0 && was + by === 0) vanished.push(key);
    }
    return { net, appeared, vanished };
  }

  /** Makes a compile's change the committed counts (once, when its table is published). */
  commit(change: UseChange<K>): void {
    for (const [key, by] of change.net) {
      const count = (this.counts.get(key) ?? 0) + by;
      if (count === 0) this.counts.delete(key);
      else this.counts.set(key, count);
    }
  }
}
