// Bytes a process allocates, read from V8's own GC trace (`node --trace-gc-nvp`): every garbage collection
// prints a line with `allocated=N`, the bytes allocated on the heap since the previous collection. Summed
// over the collections of a run, that is what the run allocated (to within one young generation at either
// end, which a run of thousands of requests makes small); divided by the requests, allocation per request.
// It counts the JavaScript heap only: Buffers' backing stores (off-heap) are not in it.

/** The node flag that makes a process print the lines this reads (on stdout, one per collection). */
export const GC_TRACE_FLAG = '--trace-gc-nvp';

const ALLOCATED = /\ballocated=(\d+)/;

/** The bytes one `--trace-gc-nvp` line reports allocated since the previous collection; undefined for any other line. */
export function allocatedInLine(line: string): number | undefined {
  if (!line.includes('pause=')) return undefined;
  const m = ALLOCATED.exec(line);
  return m === null ? undefined : Number(m[1]);
}

/** Collects the GC lines of one or more processes (a cluster's primary and workers share a stdout). */
export class GcLog {
  private bytes = 0;
  private collections = 0;

  /** Feed every stdout line of the traced process here. */
  line(line: string): void {
    const n = allocatedInLine(line);
    if (n === undefined) return;
    this.bytes += n;
    this.collections++;
  }

  /** A point to measure from: pass it to `since`. */
  mark(): { bytes: number; collections: number } {
    return { bytes: this.bytes, collections: this.collections };
  }

  /** Bytes allocated and collections run since `mark` (as far as the collections so far report). */
  since(mark: { bytes: number; collections: number }): { bytes: number; collections: number } {
    return { bytes: this.bytes - mark.bytes, collections: this.collections - mark.collections };
  }
}

/**
 * Runs `work` and returns its result with the heap bytes the traced process(es) allocated meanwhile (NaN
 * without a log). The trace arrives through a pipe: a collection made just before the end is waited for.
 */
export async function withHeap<R>(
  gc: GcLog | undefined,
  work: () => Promise<R>,
): Promise<{ result: R; bytes: number }> {
  const mark = gc?.mark();
  const result = await work();
  if (gc === undefined || mark === undefined) return { result, bytes: Number.NaN };
  await new Promise((resolve) => setTimeout(resolve, 50));
  return { result, bytes: gc.since(mark).bytes };
}

/** KiB per request, for the tables ("—" when not measured). */
export function kibPerRequest(bytes: number, requests: number): string {
  return Number.isFinite(bytes) && requests > 0 ? (bytes / requests / 1024).toFixed(1) : '—';
}
