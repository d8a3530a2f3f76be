// A few recent answers of a per-change pass, newest first. The translator's passes remember what the last
// calls computed; a few are kept, not one, so callers alternating between snapshots (tests, `render`, a
// sync sliced with another translation in between) each find theirs. Pure: only what the caller puts in.

export class Recent<T> {
  private readonly entries: T[] = [];

  constructor(private readonly kept = 4) {}

  /** The newest entry `matches` accepts, moved to the front; undefined when none does. */
  take(matches: (entry: T) => boolean): T | undefined {
    const at = this.entries.findIndex(matches);
    if (at === -1) return undefined;
    const [entry] = this.entries.splice(at, 1);
    this.entries.unshift(entry!);
    return entry;
  }

  /** Adds `entry` as the newest, dropping the oldest beyond the kept number. */
  add(entry: T): T {
    this.entries.unshift(entry);
    this.entries.length = Math.min(this.entries.length, this.kept);
    return entry;
  }

  /** Replaces `old` by `entry` as the newest (an answer updated for the next call). */
  replace(old: T, entry: T): T {
    const at = this.entries.indexOf(old);
    if (at !== -1) this.entries.splice(at, 1);
    return this.add(entry);
  }
}
