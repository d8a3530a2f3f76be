// The coordinator's delivery contract as a small model (machines/README.md, "how a change flows"), written
// from that promise and never from the machine or its planners: replayed on a path's events, it says what
// each step must send and start. A leader pushes a new config version to every replica actor under the next
// generation, starts an actor per endpoint (handed the current config) and the edge (handed the latest
// document), forwards readiness, retires gone replicas and, on losing leadership, all of them; the edge gets
// a document only when it changed; each resource actor gets a verdict when its status changed, a new one is
// started, a vanished one told; the data plane's health (live when every ready replica runs the current
// version and the edge confirmed, degraded with no ready replica, every ready one failing or the edge
// failing) reaches every actor that holds a verdict, once (coordinator-health.ts); each sync is recorded with why it ran and how many
// changes it took. Which actor a send reaches is learnt from the actors the machine started, nothing else.
import type { AnyActorRef, AnyEventObject } from 'xstate';
import type { ResourceStatus } from '../../src/core/types.js';
import type { SyncResult } from '../../machines/shared/coordinator-types.js';
import { demand, incremental } from './contracts.js';
import { fingerprint } from './fixtures.js';
import { checkHealth } from './coordinator-health.js';
import type { StepRecord } from './harness.js';

const MACHINE_OF: Record<string, string> = {
  GatewayClass: 'gatewayClass',
  Gateway: 'gateway',
  ListenerSet: 'gateway',
  HTTPRoute: 'route',
  GRPCRoute: 'route',
  BackendTLSPolicy: 'policy',
};

interface Replica {
  actor: string;
  ready: boolean;
  acked?: string;
  failing: boolean;
}
interface Doc {
  text: string;
  ingress: unknown;
  dns: unknown;
  generation: number;
}
interface CoordinatorModel {
  leader: boolean;
  endpoints: Array<{ id: string; ready: boolean }>;
  replicas: Record<string, Replica>;
  config?: SyncResult['desired']['proxyConfig'];
  generation: number;
  doc?: Doc;
  /** The document the edge actor was last handed (none since it was started). */
  handed?: string;
  handedGeneration: number;
  edge: 'none' | 'pending' | 'ok' | 'failing';
  /** Resource key → its actor and the fingerprint of the verdict it holds. */
  actors: Record<string, { actor: string; verdict: string }>;
  changes: number;
  running?: { reason: 'initial' | 'change' | 'coalesced'; changes: number };
  syncs: number;
}

const SYNC_REASON: Record<string, 'initial' | 'change'> = { 'source.synced': 'initial', 'source.changed': 'change' };

/** What one step must send (keyed by recipient) and start (src per recipient), and the model after it. */
interface Outcome {
  next: CoordinatorModel;
  sends: AnyEventObject[];
  starts: Array<{ src: string; key: string; input: Record<string, unknown> }>;
}

function coordinatorStep(m: CoordinatorModel, step: StepRecord, hasEdge: boolean): Outcome {
  const sends: AnyEventObject[] = [];
  const starts: Outcome['starts'] = [];
  const e = step.event;
  let n: CoordinatorModel = { ...m };
  const startedFor = (src: string, key: string) =>
    step.started.find(
      (s) =>
        s.src === src && ((s.input as { key?: string; id?: string }).key ?? (s.input as { id: string }).id) === key,
    )?.id ?? `(no ${src} actor for ${key})`;
  const desiredNow = () => (n.config ? { config: n.config, generation: n.generation } : undefined);
  const startReplica = (id: string, ready: boolean): Replica => {
    starts.push({ src: 'replica', key: id, input: { id, ready, desired: desiredNow() } });
    return { actor: startedFor('replica', id), ready, failing: false };
  };
  const handDoc = (doc: Doc) => {
    sends.push({ type: 'edge.desired', ingress: doc.ingress, dns: doc.dns, generation: doc.generation, to: 'edge' });
    n = { ...n, handed: doc.text, handedGeneration: doc.generation, edge: 'pending' };
  };

  if (e.type === 'source.changed') n.changes++;
  // A sync starts when the schedule says (scheduleMust checks when): it takes the changes counted so far.
  if (step.sent.some((s) => s.to === 'sync' && s.type === 'sync.run'))
    n = { ...n, running: { reason: SYNC_REASON[e.type] ?? 'coalesced', changes: n.changes }, changes: 0 };

  switch (e.type) {
    case 'sync.done': {
      const { desired } = e.output as SyncResult;
      const changed = desired.proxyConfig.version !== m.config?.version;
      n.syncs++;
      n.generation += changed ? 1 : 0;
      n.config = desired.proxyConfig;
      if (changed && m.leader)
        for (const r of Object.values(m.replicas))
          sends.push({ type: 'config.desired', config: desired.proxyConfig, generation: n.generation, to: r.actor });
      const doc = { text: fingerprint([desired.ingress, desired.dns]), ...desired, generation: n.generation };
      n.doc = { text: doc.text, ingress: doc.ingress, dns: doc.dns, generation: doc.generation };
      if (hasEdge && m.leader && doc.text !== m.handed) handDoc(n.doc);
      n.actors = handOutVerdicts(m.actors, desired.statuses, n.generation, sends, starts, startedFor);
      demand([step], 'the sync recorded', (step.snapshot.context as { lastSync?: unknown }).lastSync, {
        durationMs: (e.output as SyncResult).durationMs,
        changes: m.running?.changes,
        pushed: changed && m.leader && Object.keys(m.replicas).length > 0,
        reason: m.running?.reason,
      });
      break;
    }
    case 'sync.failed':
      n.syncs++;
      demand(
        [step],
        'the failure recorded',
        (step.snapshot.context as { lastSyncError?: string }).lastSyncError,
        'translate failed',
      );
      break;
    case 'replicas.set': {
      n.endpoints = e.endpoints as CoordinatorModel['endpoints'];
      if (!m.leader) break;
      n.replicas = {};
      for (const { id, ready } of n.endpoints) {
        const known = m.replicas[id];
        if (!known) {
          n.replicas[id] = startReplica(id, ready);
          continue;
        }
        if (known.ready !== ready) sends.push({ type: 'replica.ready', ready, to: known.actor });
        // An unready replica's failure is no longer news.
        n.replicas[id] = { ...known, ready, failing: ready && known.failing };
      }
      for (const [id, r] of Object.entries(m.replicas))
        if (!n.replicas[id]) sends.push({ type: 'replica.removed', to: r.actor });
      break;
    }
    case 'replica.inSync':
    case 'replica.failing': {
      const known = m.replicas[e.id as string];
      if (!known) break;
      const acked = e.type === 'replica.inSync' ? { acked: e.version as string, failing: false } : { failing: true };
      n.replicas = { ...m.replicas, [e.id as string]: { ...known, ...acked } };
      break;
    }
    case 'edge.synced':
      // A confirmation of an older document does not cover the one handed out since.
      if ((e.generation as number) >= m.handedGeneration) n.edge = 'ok';
      break;
    case 'edge.failing':
      n.edge = 'failing';
      break;
    case 'leader.elected':
      if (m.leader) break;
      n.leader = true;
      n.replicas = {};
      for (const { id, ready } of m.endpoints) n.replicas[id] = startReplica(id, ready);
      if (!hasEdge) break;
      starts.push({ src: 'edge', key: 'edge', input: {} });
      n.handed = undefined;
      if (m.doc) handDoc(m.doc);
      break;
    case 'leader.lost':
      for (const r of Object.values(m.replicas)) sends.push({ type: 'replica.removed', to: r.actor });
      n = { ...n, leader: false, replicas: {}, handed: undefined, edge: hasEdge ? 'pending' : 'none' };
      break;
  }
  return { next: n, sends, starts };
}

function handOutVerdicts(
  held: CoordinatorModel['actors'],
  statuses: readonly ResourceStatus[],
  generation: number,
  sends: AnyEventObject[],
  starts: Outcome['starts'],
  startedFor: (src: string, key: string) => string,
): CoordinatorModel['actors'] {
  const actors: CoordinatorModel['actors'] = {};
  for (const status of statuses) {
    const key = `${status.kind}/${status.namespace}/${status.name}`;
    const verdict = fingerprint(status);
    let actor = held[key]?.actor;
    if (!actor) {
      starts.push({ src: MACHINE_OF[status.kind]!, key, input: { key } });
      actor = startedFor(MACHINE_OF[status.kind]!, key);
    } else if (held[key]!.verdict === verdict) {
      actors[key] = held[key]!;
      continue;
    }
    sends.push({ type: 'verdict', status, generation, to: actor });
    actors[key] = { actor, verdict };
  }
  for (const [key, { actor }] of Object.entries(held))
    if (!actors[key]) sends.push({ type: 'resource.deleted', to: actor });
  return actors;
}

/** The coordinator's children get the right references to report to. */
function checkWiring(steps: StepRecord[], expected: Outcome['starts']): void {
  const step = steps.at(-1)!;
  const statusWriter = step.snapshot.children.statusWriter as AnyActorRef;
  const self = step.self;
  const started = step.started.filter((s) => s.src !== 'sync');
  demand(
    steps,
    'actors started',
    started.map((s) => [s.src, keyOfInput(s.input)]),
    expected.map((s) => [s.src, s.key]),
  );
  for (const [i, s] of started.entries()) {
    const input = s.input as Record<string, unknown>;
    const want = expected[i]!;
    for (const [field, value] of Object.entries(want.input))
      demand(steps, `${s.src} ${s.id}'s ${field}`, input[field], value);
    const reportTo = s.src === 'replica' || s.src === 'edge' ? input.reportTo : input.statusWriter;
    demand(
      steps,
      `${s.src} ${s.id} reports to`,
      reportTo === (s.src === 'replica' || s.src === 'edge' ? self : statusWriter),
      true,
    );
  }
}

const keyOfInput = (input: unknown) => {
  const i = (input ?? {}) as { key?: string; id?: string };
  return i.key ?? i.id ?? 'edge';
};

/** Must-happen for the coordinator's delivery (see the header). */
export function deliveryMust(hasEdge: boolean, generationBase: number) {
  const run = incremental<CoordinatorModel>(() => ({
    leader: false,
    endpoints: [],
    replicas: {},
    generation: generationBase,
    handedGeneration: generationBase,
    edge: hasEdge ? 'pending' : 'none',
    actors: {},
    changes: 0,
    syncs: 0,
  }));
  return (steps: StepRecord[]): void => {
    let outcome: Outcome | undefined;
    const m = run(steps, (model, step) => {
      outcome = coordinatorStep(model, step, hasEdge);
      return outcome.next;
    });
    const step = steps.at(-1)!;
    if (steps.length === 1) checkLeaderWiring(steps);
    const delivery = (s: AnyEventObject) =>
      !s.type.startsWith('dataplane.') && s.type !== 'edge.conflicts' && s.to !== 'sync';
    demand(steps, 'sent', step.sent.filter(delivery).map(fingerprint).sort(), outcome!.sends.map(fingerprint).sort());
    checkWiring(steps, outcome!.starts);
    const ctx = step.snapshot.context as { syncs: number; leadership: string; edgeHealth: { state: string } };
    demand(steps, 'syncs counted', ctx.syncs, m.syncs);
    // What the debug page shows of the coordinator (src/debug/describe.ts).
    demand(steps, 'leadership', ctx.leadership, m.leader ? 'leader' : 'follower');
    demand(steps, 'edge health', ctx.edgeHealth.state, m.edge);
    if (step.event.type === 'leader.lost')
      demand(steps, 'the edge actor after losing leadership', step.snapshot.children.edge === undefined, true);
    checkHealth(steps, {
      leader: m.leader,
      replicas: Object.values(m.replicas),
      version: m.config?.version,
      generation: m.generation,
      edge: m.edge,
      actors: Object.values(m.actors).map((a) => a.actor),
    });
  };
}

/** The leader actor, started with the coordinator, reports to the statusWriter and the coordinator. */
function checkLeaderWiring(steps: StepRecord[]): void {
  const step = steps[0]!;
  const statusWriter = step.snapshot.children.statusWriter as AnyActorRef;
  const self = step.self;
  const leader = step.history.started.find((s) => s.src === 'leader');
  const reportTo = (leader?.input as { reportTo?: unknown[] } | undefined)?.reportTo ?? [];
  demand(
    steps,
    'the leader actor',
    [leader?.id, reportTo.length, reportTo[0] === statusWriter, reportTo[1] === self],
    ['leader', 2, true, true],
  );
}
