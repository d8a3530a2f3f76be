// The statusWriter's side effect: StatusSink.write, with lastTransitionTime filled in. Machines have no
// clock; a condition they changed carries "" and gets the time here, unless the last status written for
// the object had the same condition with the same status (then its time is kept, as the API requires).
import { fromPromise } from 'xstate';
import type { StatusSink } from '../../core/ports.js';
import type { Condition, ResourceStatus } from '../../core/types.js';
import { resourceKey } from '../../../machines/shared/status.js';
import type { StatusBatchOutcome } from '../../../machines/status-writer.js';
import { copyWith } from '../../core/copy.js';

type Holder = { conditions?: Condition[]; name?: unknown; parentRef?: unknown };

function scopedHolders(status: Record<string, unknown>): Array<[string, Holder]> {
  const out: Array<[string, Holder]> = [['', status as Holder]];
  for (const l of (Array.isArray(status.listeners) ? status.listeners : []) as Holder[])
    out.push([`listener:${String(l.name)}`, l]);
  for (const p of (Array.isArray(status.parents) ? status.parents : []) as Holder[])
    out.push([`parent:${JSON.stringify(p.parentRef)}`, p]);
  return out;
}

/** The status itself, its listeners and its parents: whatever can hold conditions. */
function holders(status: Record<string, unknown>): Holder[] {
  const listeners = (Array.isArray(status.listeners) ? status.listeners : []) as Holder[];
  const parents = (Array.isArray(status.parents) ? status.parents : []) as Holder[];
  return [status as Holder, ...listeners, ...parents];
}

function previousTimes(prev: ResourceStatus | undefined): Map<string, Condition> {
  const map = new Map<string, Condition>();
  if (!prev) return map;
  for (const [scope, h] of scopedHolders(prev.status))
    for (const c of h.conditions ?? []) map.set(`${scope}/${c.type}`, c);
  return map;
}

/** Returns the status with every empty lastTransitionTime filled (pure: `now` is passed in). */
export function stampTransitionTimes(
  status: ResourceStatus,
  prev: ResourceStatus | undefined,
  now: string,
): ResourceStatus {
  // Nothing to fill: the very same object goes on. The translator's own status then comes back on the
  // object it describes, and its next run recognises it by identity instead of comparing (statuses.ts).
  // Asked of every status written, so without the scope keys (a JSON text per parentRef).
  if (!holders(status.status).some((h) => h.conditions?.some((c) => !c.lastTransitionTime))) return status;
  const before = previousTimes(prev);
  const stamp = (scope: string, conditions?: Condition[]) =>
    conditions?.map((c) => {
      if (c.lastTransitionTime) return c;
      const old = before.get(`${scope}/${c.type}`);
      return copyWith(c, {
        lastTransitionTime: old && old.status === c.status && old.lastTransitionTime ? old.lastTransitionTime : now,
      });
    });
  const s = status.status as Holder & { listeners?: Holder[]; parents?: Holder[] };
  const next: Record<string, unknown> = copyWith(s, { conditions: stamp('', s.conditions) });
  if (s.listeners)
    next.listeners = s.listeners.map((l) =>
      copyWith(l, { conditions: stamp(`listener:${String(l.name)}`, l.conditions) }),
    );
  if (s.parents)
    next.parents = s.parents.map((p) =>
      copyWith(p, { conditions: stamp(`parent:${JSON.stringify(p.parentRef)}`, p.conditions) }),
    );
  if (s.conditions === undefined) delete next.conditions;
  return copyWith(status, { status: next });
}

/** RFC 3339 with second precision, as Kubernetes stores metav1.Time. */
export const rfc3339 = (ms: number) => new Date(ms).toISOString().replace(/\.\d+Z$/, 'Z');

/** rfc3339(now()), formatted once per second however many statuses are written in it. */
function secondsClock(now: () => number): () => string {
  let second = Number.NaN;
  let text = '';
  return () => {
    const ms = now();
    if (Math.floor(ms / 1000) !== second) [second, text] = [Math.floor(ms / 1000), rfc3339(ms)];
    return text;
  };
}

export function statusActors(sink: StatusSink, now: () => number) {
  const written = new Map<string, ResourceStatus>();
  const nowText = secondsClock(now);
  return {
    // One batch, one status after another; stops at the first failure and says how far it got.
    writeStatuses: fromPromise<StatusBatchOutcome, { statuses: ResourceStatus[] }>(async ({ input, signal }) => {
      let count = 0;
      try {
        for (const status of input.statuses) {
          if (signal.aborted) break; // the writer left `writing` (leadership lost): the outcome is not read
          const key = resourceKey(status);
          const stamped = stampTransitionTimes(status, written.get(key), nowText());
          await sink.write(stamped, signal);
          written.set(key, stamped);
          count++;
        }
        return { written: count };
      } catch (err) {
        return { written: count, error: err instanceof Error ? err.message : String(err) };
      }
    }),
  };
}
