// Per-host index of matches by the request path's first segment, so a host with thousands of path routes
// costs a request only the matches that could apply to it. Precedence is kept: every candidate list is the
// original list filtered, in its original order.
import { PathKind, type CompiledMatch } from './match.js';

/** Below this many matches a linear scan is as fast as a map lookup. */
const MIN_MATCHES_TO_INDEX = 16;
/** Matches that apply to every path are copied into each bucket; past this many copies, do not index. */
const MAX_INDEX_SIZE_FACTOR = 4;

/** "/foo/bar" → "foo", "/foo" → "foo", "/" → "". */
export function firstSegment(path: string): string {
  const end = path.indexOf('/', 1);
  return end === -1 ? path.slice(1) : path.slice(1, end);
}

export interface SegmentIndex<R> {
  bySegment: Map<string, CompiledMatch<R>[]>;
  /** Candidates for a path whose first segment no Exact/PathPrefix match names. */
  others: CompiledMatch<R>[];
}

/** The first segment a path must have for this match to apply, or undefined when any path may match. */
function segmentOf<R>(m: CompiledMatch<R>): string | undefined {
  if (m.pathKind === PathKind.Exact) return firstSegment(m.pathValue);
  // Segment-aware prefixes: "/foo" and "/foo/bar" only match paths whose first segment is "foo".
  if (m.pathKind === PathKind.Prefix) return firstSegment(m.pathValue);
  return undefined; // no path, "/", or a regex
}

export function indexBySegment<R>(matches: CompiledMatch<R>[]): SegmentIndex<R> | undefined {
  if (matches.length < MIN_MATCHES_TO_INDEX) return undefined;
  const keys = matches.map(segmentOf);
  const segments = new Set(keys.filter((k): k is string => k !== undefined));
  const anywhere = keys.filter((k) => k === undefined).length;
  if (segments.size < 2 || segments.size * anywhere > MAX_INDEX_SIZE_FACTOR * matches.length) return undefined;
  // One pass in declared order: a segment's bucket gets its own matches and every path-agnostic one, so each
  // bucket is the original list filtered (precedence kept). Cost: matches + anywhere × segments, which the
  // check above bounds by 4 × matches.
  const bySegment = new Map<string, CompiledMatch<R>[]>();
  for (const segment of segments) bySegment.set(segment, []);
  const buckets = [...bySegment.values()];
  const others: CompiledMatch<R>[] = [];
  matches.forEach((m, i) => {
    const key = keys[i];
    if (key !== undefined) return void bySegment.get(key)!.push(m);
    others.push(m);
    for (const bucket of buckets) bucket.push(m);
  });
  return { bySegment, others };
}
