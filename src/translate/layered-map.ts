// A string-keyed map updated per change without copying it whole: port-hosts.ts keeps a port's attachments by
// hostname and its host entries by key in these. Each build needs its own map (the last one may be read
// again: a translation abandoned half-way leaves the last state in force), and copying a Map of every
// hostname per change was ~0.4–2 ms after idle at 5,000 routes (500 hostnames) for the one or two entries a
// change touches. So a map is a base never changed once built plus the entries that differ from it; past
// OVERLAY_MAX of those it is flattened into a new base (one copy per that many changes).

/** Entries a map holds beside its base before it is flattened. */
export const OVERLAY_MAX = 32;

export class LayeredMap<V> {
  private constructor(
    private readonly base: ReadonlyMap<string, V>,
    /** Entries that replace the base's; undefined: the key has none now. */
    private readonly overlay: ReadonlyMap<string, V | undefined>,
  ) {}

  /** A layered map of `map`, which must not change after. */
  static of<V>(map: ReadonlyMap<string, V>): LayeredMap<V> {
    return new LayeredMap(map, new Map());
  }

  get(key: string): V | undefined {
    return this.overlay.has(key) ? this.overlay.get(key) : this.base.get(key);
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** Every key with a value. */
  *keys(): IterableIterator<string> {
    for (const k of this.base.keys()) if (this.has(k)) yield k;
    for (const [k, value] of this.overlay) if (value !== undefined && !this.base.has(k)) yield k;
  }

  /** This map with the given keys' values replaced (undefined: removed); this one unchanged. */
  with(values: ReadonlyMap<string, V | undefined>): LayeredMap<V> {
    const overlay = new Map(this.overlay);
    for (const [k, value] of values) overlay.set(k, value);
    if (overlay.size <= OVERLAY_MAX) return new LayeredMap(this.base, overlay);
    const flat = new Map(this.base);
    for (const [k, value] of overlay)
      if (value === undefined) flat.delete(k);
      else flat.set(k, value);
    return LayeredMap.of(flat);
  }
}
