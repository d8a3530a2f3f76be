// The first change after a start was the slowest (at 5,000 routes ~50 ms of translation in-process against
// ~15 for the next ones, and ~80–95 ms change → served through the CLI): the translator's per-change paths
// (a route replaced in place, a route added) had never run, so V8 ran them unoptimised. Warming them on a
// made-up snapshot was tried and made the first real change slower (code optimised for other shapes, then
// thrown away); warming them on the user's own snapshot is what helps. So once, shortly after the first sync,
// the translator is run on two variants of the snapshot it translated (its last route replaced by an equal
// copy; a copy added as the newest route) and then on the snapshot itself again, and the results are
// dropped. The translator is pure and remembers earlier work only to be faster (ADR 0010): nothing of a
// rehearsal reaches a status, a push or the edge, and the last run leaves its memory on the real snapshot.
// A real sync aborts a rehearsal under way (between two slices) and does not wait for it.
import type { Translator } from '../core/ports.js';
import type { K8sObject, Snapshot } from '../core/types.js';
import { isStepIterator, runInSlices } from './slices.js';

/** How long after the first sync standalone and the controller rehearse: past a cold start's status writes. */
export const REHEARSAL_AFTER_MS = 1_000;

/** Below this many routes a first change is fast anyway: no rehearsal. */
export const REHEARSAL_MIN_ROUTES = 500;

/** The snapshots a rehearsal translates, in order; none for a small snapshot. */
export function rehearsalSnapshots(snapshot: Snapshot): Snapshot[] {
  const kind = snapshot.httpRoutes.length >= snapshot.grpcRoutes.length ? 'httpRoutes' : 'grpcRoutes';
  const routes = snapshot[kind];
  if (routes.length < REHEARSAL_MIN_ROUTES) return [];
  const last = routes[routes.length - 1]!;
  const replaced = { ...last, spec: structuredClone(last.spec) };
  return [
    { ...snapshot, [kind]: [...routes.slice(0, -1), replaced] },
    { ...snapshot, [kind]: [...routes, newestCopy(last, routes)] },
    snapshot,
  ];
}

/** `route` under a name no route of the list has, created after all of them (the newest, as a new route is). */
function newestCopy(route: K8sObject, routes: readonly K8sObject[]): K8sObject {
  const names = new Set(routes.map((r) => r.metadata.name));
  let name = `${route.metadata.name}-rehearsal`;
  while (names.has(name)) name += '-x';
  const latest = routes.reduce((max, r) => Math.max(max, Date.parse(r.metadata.creationTimestamp ?? '') || 0), 0);
  const { uid: _uid, ...metadata } = route.metadata;
  const { status: _status, ...object } = route;
  return { ...object, metadata: { ...metadata, name, creationTimestamp: new Date(latest + 1000).toISOString() } };
}

/**
 * Translates each of `snapshots` (in slices when the translator works in steps) and drops the results; stops
 * quietly when `signal` aborts it or a translation throws (the real sync will say what is wrong).
 */
export async function rehearse(
  snapshots: readonly Snapshot[],
  translate: Translator,
  signal: AbortSignal,
): Promise<void> {
  try {
    for (const snapshot of snapshots) {
      signal.throwIfAborted();
      const result = translate(snapshot);
      if (isStepIterator(result)) await runInSlices(result, signal);
    }
  } catch {
    /* aborted by a real sync, or a snapshot the translator refuses: nothing to report from a rehearsal */
  }
}
