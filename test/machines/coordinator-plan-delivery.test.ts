// The coordinator's plans for delivery, from their contract (machines/README.md): the replica set (a new
// endpoint gets an actor of its own handed the current config, a gone one is told so, a readiness change is
// forwarded and clears a failure), leadership (a new leader starts an actor per endpoint and the edge, a lost
// leadership retires them all) and the edge's reports (a failure is health, a confirmation counts only for
// the generation handed out or later). Pure functions, so each plan is checked whole.
import { describe, expect, it } from '@jest/globals';
import { planLeadership, planReplicaSet, planSync, recordEdge } from '../../machines/shared/coordinator-plan.js';
import type { DesiredState } from '../../src/core/types.js';
import type { CoordinatorContext } from '../../machines/shared/coordinator-types.js';
import { deepFrozen } from './coordinator-doubles.js';
import { emptyKeyed } from '../../machines/shared/keyed.js';

/** Frozen: a planner that changed the context it was given (instead of planning a new one) throws. */
function leader(extra: Partial<CoordinatorContext> = {}): CoordinatorContext {
  return deepFrozen({
    statusWriter: undefined as never,
    hasEdge: false,
    leadership: 'leader',
    endpoints: [
      { id: 'a', ready: true },
      { id: 'b', ready: true },
    ],
    generation: 3,
    resources: emptyKeyed<string>(),
    awaitingHealth: {},
    replicas: {
      a: { childId: 'replica/a#1', ready: true },
      b: { childId: 'replica/b#2', ready: true, failing: 'HTTP 503' },
    },
    incarnations: 2,
    edgeHealth: { state: 'none' },
    edgeConflicts: [],
    routeConflicts: {},
    edgeGeneration: 3,
    changes: 0,
    changesInSync: 0,
    syncs: 0,
    syncReason: 'change',
    outbox: [],
    ...extra,
  });
}

describe('planReplicaSet', () => {
  it('spawns an actor for a new endpoint, retires a gone one, forwards a readiness change', () => {
    const plan = planReplicaSet(leader(), [
      { id: 'b', ready: false },
      { id: 'c', ready: true },
    ]);
    expect(plan.spawns).toEqual([{ src: 'replica', id: 'replica/c#3', key: 'c', ready: true }]);
    expect(plan.sends).toEqual([
      { to: 'replica/b#2', event: { type: 'replica.ready', ready: false } },
      { to: 'replica/a#1', event: { type: 'replica.removed' } },
    ]);
    expect(plan.context).toEqual({
      endpoints: [
        { id: 'b', ready: false },
        { id: 'c', ready: true },
      ],
      // An unready replica's failure is no longer news; the gone one is forgotten.
      replicas: { b: { childId: 'replica/b#2', ready: false }, c: { childId: 'replica/c#3', ready: true } },
      incarnations: 3,
    });
  });

  it("sends nothing for endpoints as they were, and keeps a ready replica's failure", () => {
    const ctx = leader();
    const plan = planReplicaSet(ctx, ctx.endpoints);
    expect([plan.spawns, plan.sends]).toEqual([[], []]);
    expect(plan.context.replicas).toEqual(ctx.replicas);
  });

  it('only remembers the endpoints while following', () => {
    const endpoints = [{ id: 'z', ready: true }];
    expect(planReplicaSet(leader({ leadership: 'follower' }), endpoints)).toEqual({
      context: { endpoints },
      spawns: [],
      sends: [],
    });
  });
});

describe('planLeadership', () => {
  it('on losing leadership retires every replica actor and forgets what it told', () => {
    const plan = planLeadership(leader({ hasEdge: true, edgeHealth: { state: 'ok' }, edgeFingerprint: 'f' }), false);
    expect(plan.sends).toEqual([
      { to: 'replica/a#1', event: { type: 'replica.removed' } },
      { to: 'replica/b#2', event: { type: 'replica.removed' } },
    ]);
    expect(plan.context).toEqual({
      leadership: 'follower',
      health: undefined,
      replicas: {},
      edgeFingerprint: undefined,
      edgeHealth: { state: 'pending' },
    });
    expect(planLeadership(leader(), false).context.edgeHealth).toEqual({ state: 'none' });
  });

  it('on gaining it spawns an actor per known endpoint, and the edge when there is one', () => {
    const follower = leader({ leadership: 'follower', replicas: {}, hasEdge: true });
    const plan = planLeadership(follower, true);
    expect(plan.spawns).toEqual([
      { src: 'replica', id: 'replica/a#3', key: 'a', ready: true },
      { src: 'replica', id: 'replica/b#4', key: 'b', ready: true },
      { src: 'edge', id: 'edge', key: 'edge' },
    ]);
    expect(plan.context).toMatchObject({ leadership: 'leader', incarnations: 4 });
    expect(planLeadership({ ...follower, hasEdge: false }, true).spawns.map((s) => s.src)).toEqual([
      'replica',
      'replica',
    ]);
  });

  it('does nothing when told it leads while it already does', () => {
    expect(planLeadership(leader(), true)).toEqual({ context: {}, spawns: [], sends: [] });
  });
});

describe('recordEdge', () => {
  it('takes a failure as the edge health', () => {
    expect(recordEdge(leader(), { type: 'edge.failing', error: 'HTTP 429', attempt: 1 })).toEqual({
      edgeHealth: { state: 'failing', error: 'HTTP 429' },
    });
  });

  it('is ok once the generation handed out (or a later one) is confirmed, with its conflicts', () => {
    const taken = [{ hostname: 'a.example.com', reason: 'HostnameTaken' as const, message: 'taken' }];
    expect(recordEdge(leader(), { type: 'edge.synced', generation: 3, conflicts: taken })).toEqual({
      edgeHealth: { state: 'ok' },
      edgeConflicts: taken,
    });
    expect(recordEdge(leader(), { type: 'edge.synced', generation: 4, conflicts: [] })).toEqual({
      edgeHealth: { state: 'ok' },
      edgeConflicts: [],
    });
  });

  it('keeps the health for an older confirmation, but takes its conflicts', () => {
    const taken = [{ hostname: 'b.example.com', reason: 'ZoneNotFound' as const, message: 'no zone' }];
    expect(recordEdge(leader(), { type: 'edge.synced', generation: 2, conflicts: taken })).toEqual({
      edgeConflicts: taken,
    });
  });
});

describe('planSync', () => {
  const result = (version: string) => ({
    desired: {
      statuses: [],
      proxyConfig: { version, rules: [], hosts: [] },
      ingress: { ingress: [] },
      dns: [],
    } satisfies DesiredState,
    durationMs: 12.5,
  });

  it('pushes a new config version to every replica under the next generation, and says so', () => {
    const ctx = leader({ changesInSync: 4, syncs: 7 });
    const plan = planSync(ctx, result('v2'));
    expect(plan.sends).toEqual([
      { to: 'replica/a#1', event: { type: 'config.desired', config: result('v2').desired.proxyConfig, generation: 4 } },
      { to: 'replica/b#2', event: { type: 'config.desired', config: result('v2').desired.proxyConfig, generation: 4 } },
    ]);
    expect(plan.context).toMatchObject({
      generation: 4,
      syncs: 8,
      lastSync: { durationMs: 12.5, changes: 4, pushed: true, reason: 'change' },
    });
  });

  it('pushes nothing for the version the replicas have, nor says it did', () => {
    const ctx = leader({ config: result('v2').desired.proxyConfig });
    const plan = planSync(ctx, result('v2'));
    expect(plan.sends).toEqual([]);
    expect(plan.context).toMatchObject({ generation: 3, syncs: 1, lastSync: { pushed: false } });
  });

  it('says nothing was pushed by a follower, or by a leader without replicas', () => {
    expect(planSync(leader({ leadership: 'follower' }), result('v2')).context.lastSync!.pushed).toBe(false);
    expect(planSync(leader({ replicas: {} }), result('v2')).context.lastSync!.pushed).toBe(false);
  });

  describe('the edge document', () => {
    const edgeSends = (plan: ReturnType<typeof planSync>) => plan.sends.filter((x) => x.to === 'edge');
    /** A leader with an edge that was handed `ingress` and `dns` (as the objects given). */
    const handed = (ingress: unknown, dns: unknown[]) => {
      const first = planSync(leader({ hasEdge: true }), {
        ...result('v1'),
        desired: { ...result('v1').desired, ingress, dns },
      } as never);
      return leader({ hasEdge: true, ...first.context });
    };
    const sync = (ctx: CoordinatorContext, ingress: unknown, dns: unknown[]) =>
      planSync(ctx, { ...result('v1'), desired: { ...result('v1').desired, ingress, dns } } as never);
    const ingress = { ingress: [{ hostname: 'a.example.com', service: 'http://localhost:8080' }] };
    const dns = [{ name: 'a.example.com' }];

    it('goes to the edge when either half changed, though the other is the same object', () => {
      const ctx = handed(ingress, dns);
      expect(edgeSends(sync(ctx, { ingress: [] }, dns))).toHaveLength(1);
      expect(edgeSends(sync(ctx, ingress, [{ name: 'b.example.com' }]))).toHaveLength(1);
    });

    it('is not handed again when it is the same, as the same objects or as equal new ones', () => {
      const ctx = handed(ingress, dns);
      expect(edgeSends(sync(ctx, ingress, dns))).toEqual([]);
      expect(edgeSends(sync(ctx, structuredClone(ingress), structuredClone(dns)))).toEqual([]);
    });
  });
});
