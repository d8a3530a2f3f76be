// The rankings host-matches.ts remembers for one Gateway IR, by port and host key, and which of them a prune
// keeps: those asked for (or made), or kept (a port's whole key list, port-hosts.ts), since the last prune.
//
// Kept lists are held as the lists themselves, not copied into a set of "port key" strings: between two
// changes a port's key list is nearly always the very same array (port-hosts.ts keeps it while no key came or
// went), and at 5,000 routes (500 keys) re-adding every key per change cost ~0.7 ms after idle, the prune's
// walk over every ranking ~0.1 ms more. A prune whose kept lists are the last prune's, when everything
// remembered then was among them, forgets nothing, so it reads nothing.

/** Rankings by port and key; T is the ranking. */
export class RankingMemo<T> {
  private readonly byPort = new Map<number, Map<string, T>>();
  private readonly asked = new Map<number, Set<string>>();
  private readonly kept = new Map<number, readonly string[]>();
  /** The kept lists of the last prune. */
  private prunedWith = new Map<number, readonly string[]>();
  /** After the last prune, every ranking left was a key of `prunedWith`. */
  private withinKept = true;

  /** The ranking of `key` on `port`, counted as asked for. */
  get(port: number, key: string): T | undefined {
    this.ask(port, key);
    return this.byPort.get(port)?.get(key);
  }

  /** Remembers a ranking, counted as asked for (made now, it is one a prune keeps). */
  set(port: number, key: string, ranking: T): void {
    this.ask(port, key);
    let byKey = this.byPort.get(port);
    if (!byKey) this.byPort.set(port, (byKey = new Map()));
    byKey.set(key, ranking);
  }

  private ask(port: number, key: string): void {
    let asked = this.asked.get(port);
    if (!asked) this.asked.set(port, (asked = new Set()));
    asked.add(key);
  }

  /** Keeps the rankings of `keys` on `port` through the next prune (the list is read then, not now). */
  keep(port: number, keys: readonly string[]): void {
    const had = this.kept.get(port);
    // Twice for a port in one round (not what port-hosts.ts does): both lists, as a new one the next prune walks.
    this.kept.set(port, had && had !== keys ? [...had, ...keys] : keys);
  }

  /** Forgets the rankings neither asked for nor kept since the last prune. */
  prune(): void {
    const askedWithin = [...this.asked].every(([port, keys]) =>
      [...keys].every((k) => keptKeys(this.kept, port).has(k)),
    );
    if (!this.withinKept || !sameLists(this.kept, this.prunedWith)) {
      for (const [port, byKey] of this.byPort) {
        const asked = this.asked.get(port);
        const kept = keptKeys(this.kept, port);
        for (const key of byKey.keys()) if (!asked?.has(key) && !kept.has(key)) byKey.delete(key);
        if (byKey.size === 0) this.byPort.delete(port);
      }
    }
    this.withinKept = askedWithin;
    this.prunedWith = new Map(this.kept);
    this.kept.clear();
    this.asked.clear();
  }
}

const NONE: ReadonlySet<string> = new Set();

/** Each kept list as a set, made once per list (a list is never changed once handed over). */
const setsOfLists = new WeakMap<readonly string[], ReadonlySet<string>>();

function keptKeys(kept: ReadonlyMap<number, readonly string[]>, port: number): ReadonlySet<string> {
  const keys = kept.get(port);
  if (!keys) return NONE;
  let set = setsOfLists.get(keys);
  if (!set) setsOfLists.set(keys, (set = new Set(keys)));
  return set;
}

function sameLists(a: ReadonlyMap<number, readonly string[]>, b: ReadonlyMap<number, readonly string[]>): boolean {
  if (a.size !== b.size) return false;
  for (const [port, keys] of a) if (b.get(port) !== keys) return false;
  return true;
}
