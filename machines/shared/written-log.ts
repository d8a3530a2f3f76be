// A log of statuses per object: the statusWriter keeps two, what it has written (so that a new leader can
// write them all again) and what waits to be written (its queue). A value in the machine's context, yet O(1) to extend: snapshots share one append-only array and each knows how
// many of its items are its own. Items below a snapshot's length never change, so every snapshot keeps
// seeing what it saw; extending a snapshot that is not the newest (a replayed or branched history) copies
// its items first. Compacted (latest status per object only) whenever it has doubled since the last time.
import type { ResourceStatus } from '../../src/core/types.js';

/** [object key, status] or [object key, undefined] once the object was forgotten. */
type Item = readonly [string, ResourceStatus | undefined];

export interface WrittenLog {
  readonly items: Item[];
  readonly length: number;
  /** Compact when length passes this. */
  readonly compactAt: number;
}

const MIN_COMPACT = 64;

export const EMPTY_LOG: WrittenLog = { items: [], length: 0, compactAt: MIN_COMPACT };

function append(log: WrittenLog, item: Item): WrittenLog {
  // The newest log extends in place (no snapshot reads past its own length); any other copies its items.
  const items = log.length > 0 && log.items.length === log.length ? log.items : log.items.slice(0, log.length);
  items.push(item);
  const next = { items, length: log.length + 1, compactAt: log.compactAt };
  return next.length > next.compactAt ? compacted(next) : next;
}

function compacted(log: WrittenLog): WrittenLog {
  const items: Item[] = writtenStatuses(log);
  return { items, length: items.length, compactAt: Math.max(MIN_COMPACT, 2 * items.length) };
}

export const recordWrite = (log: WrittenLog, key: string, status: ResourceStatus): WrittenLog =>
  append(log, [key, status]);
export const recordForget = (log: WrittenLog, key: string): WrittenLog => append(log, [key, undefined]);

/** The latest status written per object not forgotten since, in the order the objects were first written. */
export function writtenStatuses(log: WrittenLog): Array<[string, ResourceStatus]> {
  const latest = new Map<string, ResourceStatus | undefined>();
  for (let i = 0; i < log.length; i++) {
    const [key, status] = log.items[i]!;
    // A forgotten object that comes back counts as new: it goes to the end.
    if (status === undefined || latest.get(key) === undefined) latest.delete(key);
    latest.set(key, status);
  }
  return [...latest].filter((e): e is [string, ResourceStatus] => e[1] !== undefined);
}

/** A log holding these statuses (a later one for the same object replaces an earlier one). */
export function logOf(entries: ReadonlyArray<readonly [string, ResourceStatus]>): WrittenLog {
  let log = EMPTY_LOG;
  for (const [key, status] of entries) log = recordWrite(log, key, status);
  return log;
}
