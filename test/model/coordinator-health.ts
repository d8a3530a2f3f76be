// The data plane's health as the coordinator must tell it (machines/README.md, step 4), checked against the
// delivery model's view (coordinator-contract.ts): live when every ready replica runs the current version and
// the edge confirmed, degraded with no ready replica, every ready one failing or the edge failing; every
// actor holding a verdict hears it after its latest verdict, once.
import type { AnyEventObject } from 'xstate';
import { demand } from './contracts.js';
import type { StepRecord } from './harness.js';

type Health = { type: 'dataplane.live'; generation: number } | { type: 'dataplane.degraded'; cause: Cause };
/** Why the data plane is degraded: the reason's words are the machine's; which cause it names is contract. */
type Cause = 'no ready replica' | 'pushes failing' | 'edge failing';
const CAUSE_WORDS: Record<Cause, RegExp> = {
  'no ready replica': /no ready/i,
  'pushes failing': /push/i,
  'edge failing': /edge/i,
};

/** What the health depends on, as the delivery model knows it. */
export interface HealthModel {
  leader: boolean;
  replicas: Array<{ ready: boolean; acked?: string; failing: boolean }>;
  version?: string;
  generation: number;
  edge: 'none' | 'pending' | 'ok' | 'failing';
  /** The actors that hold a verdict. */
  actors: string[];
}

/** The health a leader's data plane plainly has, or undefined while a push or the edge is unconfirmed. */
function expectedHealth(m: HealthModel): Health | undefined {
  const ready = m.replicas.filter((r) => r.ready);
  if (ready.length === 0) return { type: 'dataplane.degraded', cause: 'no ready replica' };
  if (ready.every((r) => r.failing)) return { type: 'dataplane.degraded', cause: 'pushes failing' };
  if (m.edge === 'failing') return { type: 'dataplane.degraded', cause: 'edge failing' };
  if (m.version !== undefined && ready.every((r) => r.acked === m.version) && (m.edge === 'ok' || m.edge === 'none'))
    return { type: 'dataplane.live', generation: m.generation };
  return undefined;
}

const heardAs = (e: AnyEventObject): string =>
  e.type === 'dataplane.live'
    ? `live@${String(e.generation)}`
    : `degraded:${(Object.keys(CAUSE_WORDS) as Cause[]).find((c) => CAUSE_WORDS[c].test(String(e.reason))) ?? `?${String(e.reason)}`}`;
const healthAs = (h: Health): string => (h.type === 'dataplane.live' ? `live@${h.generation}` : `degraded:${h.cause}`);

/**
 * Every actor holding a verdict has heard the plain health after its latest verdict; nobody hears a health
 * while it is not plain (or while following); an actor that heard it after its latest verdict does not hear
 * it again (a live health at a newer generation included: its verdict is covered).
 */
export function checkHealth(steps: StepRecord[], m: HealthModel): void {
  const step = steps.at(-1)!;
  const expected = m.leader ? expectedHealth(m) : undefined;
  const told = step.sent.filter((s) => s.type.startsWith('dataplane.'));
  const allowed = expected ? healthAs(expected) : 'nothing';
  for (const t of told) demand(steps, `the health told to ${String(t.to)}`, heardAs(t), allowed);
  if (!expected) return;
  const before = step.history.sent.length - step.sent.length;
  for (const actor of m.actors) {
    const heard = step.history.sent.map((s, i) => ({ s, i })).filter(({ s }) => s.to === actor);
    const lastVerdict = heard.findLast(({ s }) => s.type === 'verdict');
    const lastHealth = heard.findLast(({ s }) => s.type.startsWith('dataplane.'));
    // A live health covers the verdicts handed out up to its generation.
    const covers = (h: AnyEventObject, v: AnyEventObject) =>
      h.type !== 'dataplane.live' || (h.generation as number) >= (v.generation as number);
    const after = lastHealth && lastVerdict && lastHealth.i > lastVerdict.i && covers(lastHealth.s, lastVerdict.s);
    demand(
      steps,
      `the health ${actor} heard after its verdict`,
      after ? heardAs(lastHealth.s).split('@')[0] : 'nothing',
      allowed.split('@')[0],
    );
    const earlier = heard.filter(({ i }) => i < before);
    const earlierVerdict = earlier.findLast(({ s }) => s.type === 'verdict');
    const earlierHealth = earlier.findLast(({ s }) => s.type.startsWith('dataplane.'));
    const alreadyCovered =
      earlierHealth !== undefined &&
      (earlierVerdict === undefined || earlierHealth.i > earlierVerdict.i) &&
      heardAs(earlierHealth.s).split('@')[0] === allowed.split('@')[0] &&
      !heard.some(({ s, i }) => i >= before && s.type === 'verdict');
    if (alreadyCovered) demand(steps, `health told again to ${actor}`, told.filter((t) => t.to === actor).length, 0);
  }
}
