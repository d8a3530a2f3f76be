// A port's attachments by hostname (port-hosts.ts), updated per change without copying the whole index.
// Each build needs its own index (the last one may be read again: a translation abandoned half-way leaves the
// last state in force), and copying a Map of every hostname per change was ~0.4–0.7 ms after idle at 5,000
// routes (500 hostnames) for the one or two lists a change touches. So an index is a base map never changed
// once built plus the lists that differ from it; past OVERLAY_MAX of those it is flattened into a new base
// (one copy per that many changes).
import type { Attachment } from './host-matches.js';

/** Lists an index holds beside its base before it is flattened. */
export const OVERLAY_MAX = 32;

export class HostnameIndex {
  private constructor(
    private readonly base: ReadonlyMap<string, Attachment[]>,
    /** Lists that replace the base's; undefined: the hostname has none now. */
    private readonly overlay: ReadonlyMap<string, Attachment[] | undefined>,
  ) {}

  /** An index of `map`, which must not change after. */
  static of(map: ReadonlyMap<string, Attachment[]>): HostnameIndex {
    return new HostnameIndex(map, new Map());
  }

  get(hostname: string): Attachment[] | undefined {
    return this.overlay.has(hostname) ? this.overlay.get(hostname) : this.base.get(hostname);
  }

  has(hostname: string): boolean {
    return this.get(hostname) !== undefined;
  }

  /** Every hostname with attachments. */
  *keys(): IterableIterator<string> {
    for (const h of this.base.keys()) if (this.has(h)) yield h;
    for (const [h, list] of this.overlay) if (list !== undefined && !this.base.has(h)) yield h;
  }

  /** This index with the given hostnames' lists replaced (an empty list: the hostname has none); this one unchanged. */
  with(lists: ReadonlyMap<string, Attachment[]>): HostnameIndex {
    const overlay = new Map(this.overlay);
    for (const [h, list] of lists) overlay.set(h, list.length > 0 ? list : undefined);
    if (overlay.size <= OVERLAY_MAX) return new HostnameIndex(this.base, overlay);
    const flat = new Map(this.base);
    for (const [h, list] of overlay)
      if (list === undefined) flat.delete(h);
      else flat.set(h, list);
    return HostnameIndex.of(flat);
  }
}
