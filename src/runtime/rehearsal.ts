// The first change after a start was the slowest (at 5,000 routes ~50 ms of translation in-process against
// ~15 for the next ones, and ~80–95 ms change → served through the CLI): the translator's per-change paths
// (a route replaced in place, a route added) had never run, so V8 ran them unoptimised. Warming them on a
// made-up snapshot was tried and made the first real change slower (code optimised for other shapes, then
// thrown away); warming them on the user's own snapshot is what helps. So once, when the control plane first
// rests after a sync (the controller's first syncs are followed by more: its statuses come back as changes),
// the translator runs on two variants of the snapshot as it is then (its last route replaced by an equal copy;
// a copy added as the newest route), each followed by the snapshot itself, and the results are dropped. The
// translator is pure and remembers earlier work only to be faster (ADR 0010): nothing of a rehearsal reaches
// a status, a push or the edge. Its memory must be left on the
// real snapshot, though (a memory of a variant would send the next real change down the full passes), so a
// real sync that comes meanwhile waits for the pair under way (at most two translations), never more.
import type { Logger } from 'pino';
import type { Translator } from '../core/ports.js';
import type { K8sObject, Snapshot } from '../core/types.js';
import { isStepIterator, runInSlices } from './slices.js';

/** Below this many routes a first change is fast anyway: no rehearsal. */
export const REHEARSAL_MIN_ROUTES = 500;

/** The variants a rehearsal translates (each followed by `snapshot` itself); none for a small snapshot. */
export function rehearsalSnapshots(snapshot: Snapshot): Snapshot[] {
  const kind = snapshot.httpRoutes.length >= snapshot.grpcRoutes.length ? 'httpRoutes' : 'grpcRoutes';
  const routes = snapshot[kind];
  if (routes.length < REHEARSAL_MIN_ROUTES) return [];
  const last = routes[routes.length - 1]!;
  const replaced = { ...last, spec: structuredClone(last.spec) };
  return [
    { ...snapshot, [kind]: [...routes.slice(0, -1), replaced] },
    { ...snapshot, [kind]: [...routes, newestCopy(last, routes)] },
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
 * One rehearsal: waits until the control plane rests, then translates each variant of the snapshot `current`
 * gives then, and that snapshot after each. The snapshot is taken then, not at the first sync: the statuses
 * written since are on its objects (copies), and a memory of the earlier objects would send the first change
 * down the full passes all the same.
 */
export class Rehearsal {
  /** Translating a pair now: a stop waits for it. */
  private running = false;
  /**
   * The system rested and the rehearsal began (a stop may have ended it after a pair). One stopped before
   * that never ran: the controller's first syncs are followed by more (its statuses come back through the
   * API server as changes), so the sync actor starts another after the next sync (sync.ts).
   */
  began = false;
  private stopping = false;
  /** Settles when the rehearsal is over. */
  readonly finished: Promise<void>;

  constructor(current: () => Snapshot, translate: Translator, rests: () => Promise<void>, logger?: Logger) {
    this.finished = rests().then(() => this.translateAll(current(), translate, logger));
  }

  /**
   * Ends the rehearsal where the translator's memory is on the real snapshot: at once when it has not begun
   * or is over, else after the pair under way. Resolves once there.
   */
  stop(): Promise<void> {
    this.stopping = true;
    return this.running ? this.finished : Promise.resolve();
  }

  private async translateAll(snapshot: Snapshot, translate: Translator, logger?: Logger): Promise<void> {
    if (this.stopping) return;
    this.began = true;
    this.running = true;
    const started = performance.now();
    let translations = 0;
    try {
      for (const variant of rehearsalSnapshots(snapshot)) {
        if (this.stopping) break;
        await translated(translate, variant);
        await translated(translate, snapshot);
        translations += 2;
      }
      // The CPU an operator sees shortly after a start is this (at 5,000 routes ~50–100 ms).
      if (translations > 0)
        logger?.debug({ translations, ms: Math.round(performance.now() - started) }, 'rehearsed the per-change paths');
    } catch {
      /* a snapshot the translator refuses: the real sync says what is wrong */
    } finally {
      this.running = false;
    }
  }
}

/** One translation, in slices when the translator works in steps; the result dropped. */
async function translated(translate: Translator, snapshot: Snapshot): Promise<void> {
  const result = translate(snapshot);
  if (isStepIterator(result)) await runInSlices(result);
}
