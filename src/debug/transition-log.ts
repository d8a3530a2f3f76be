// An actor's recent transitions, with heartbeats folded: a replica re-checks its proxy every second
// (inSync → checking → inSync), which would push every transition that matters out of a 50-entry history
// within a minute. A pair of transitions that goes back and forth is kept as one entry with a count.

export interface ActorTransition {
  event: string;
  from: string;
  to: string;
  /** When it happened; for a folded cycle, when it last moved. */
  at: string;
  /** Set when this transition and its way back (`to` → `from` on `backEvent`) alternated in a row. */
  cycle?: TransitionCycle;
}

export interface TransitionCycle {
  /** Transitions folded into this entry, both directions counted (3 or more). */
  count: number;
  /** When the first of them happened. */
  since: string;
  backEvent: string;
}

export const MAX_TRANSITIONS = 50;

const same = (a: Pick<ActorTransition, 'event' | 'from' | 'to'>, b: Pick<ActorTransition, 'event' | 'from' | 'to'>) =>
  a.event === b.event && a.from === b.from && a.to === b.to;

/** `t` continues the folded cycle `entry`: it is its transition or the way back. */
function continues(entry: ActorTransition, t: ActorTransition): boolean {
  if (!entry.cycle) return false;
  return same(entry, t) || same({ event: entry.cycle.backEvent, from: entry.to, to: entry.from }, t);
}

/** Appends `t` to `log` (mutating it), folding back-and-forth repeats; keeps the newest MAX_TRANSITIONS entries. */
export function recordTransition(log: ActorTransition[], t: ActorTransition): void {
  const last = log[log.length - 1];
  const previous = log[log.length - 2];
  if (last && continues(last, t)) {
    // Entries are shared with earlier ActorInfo objects (JSON sent already): replace, do not mutate.
    log[log.length - 1] = { ...last, at: t.at, cycle: { ...last.cycle!, count: last.cycle!.count + 1 } };
    return;
  }
  if (
    last &&
    previous &&
    !last.cycle &&
    !previous.cycle &&
    same(previous, t) &&
    last.from === previous.to &&
    last.to === previous.from
  ) {
    log.splice(log.length - 2, 2, {
      ...previous,
      at: t.at,
      cycle: { count: 3, since: previous.at, backEvent: last.event },
    });
    return;
  }
  log.push(t);
  if (log.length > MAX_TRANSITIONS) log.splice(0, log.length - MAX_TRANSITIONS);
}
