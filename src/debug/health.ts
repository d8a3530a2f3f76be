// Per actor, what /debug shows at a glance: is it healthy, and why not (a "why" line from its latest
// condition or error). Pure: reads the state path and the described context and conditions.
import type { ActorCondition, ActorDescription } from './describe.js';

/** ok: doing what it should; pending: on its way (waiting for a verdict or the data plane); unhealthy: look here. */
export type ActorHealth = 'ok' | 'pending' | 'unhealthy';

// State names the machines use for "something is wrong" (resource machines: accepted.degraded.*, rejected;
// replica: unready, backoff; edge and statusWriter: backoff; leader: lost): one list, not one per machine.
const UNHEALTHY_STATES = new Set(['degraded', 'rejected', 'backoff', 'unready', 'lost']);
const PENDING_STATES = new Set(['pending', 'programming', 'waiting', 'discovered', 'candidate', 'waitingForSource']);

export function healthOf(state: string, described: Pick<ActorDescription, 'context'>): ActorHealth {
  const nodes = state.split('.');
  if (nodes.some((n) => UNHEALTHY_STATES.has(n)) || described.context.lastSyncError) return 'unhealthy';
  if (nodes.some((n) => PENDING_STATES.has(n))) return 'pending';
  return 'ok';
}

/** Condition types whose True is the bad news (the others are good when True). */
const NEGATIVE = new Set(['Conflicted', 'PartiallyInvalid']);
const isProblem = (c: ActorCondition) => (NEGATIVE.has(c.type) ? c.status === 'True' : c.status !== 'True');

/** Newest first; a condition rewritten by the actor but not yet stamped ("") is the newest. */
const newest = (a: ActorCondition, b: ActorCondition) =>
  (b.lastTransitionTime || '\uffff').localeCompare(a.lastTransitionTime || '\uffff');

function conditionLine(c: ActorCondition): string {
  const where = c.scope ? `${c.scope}: ` : '';
  return `${where}${c.type}=${c.status} ${c.reason}${c.message ? ` — ${c.message}` : ''}`;
}

/**
 * One line saying why the actor is where it is: while unhealthy, the error or reason it holds (kept in
 * context after recovery, so only read while unhealthy), else its latest problem condition, else its
 * latest condition; undefined when it has nothing to say.
 */
export function whyOf(state: string, described: Pick<ActorDescription, 'context' | 'conditions'>): string | undefined {
  const ctx = described.context;
  const error =
    healthOf(state, described) === 'unhealthy' ? (ctx.degradedReason ?? ctx.lastError ?? ctx.lastSyncError) : undefined;
  const sorted = [...described.conditions].sort(newest);
  const pick = sorted.find(isProblem) ?? sorted[0];
  // A data plane that is not ready explains more than a condition the translator wrote.
  if (typeof error === 'string' && error && (state.endsWith('dataPlaneNotReady') || !pick || !isProblem(pick)))
    return error;
  return pick && conditionLine(pick);
}
