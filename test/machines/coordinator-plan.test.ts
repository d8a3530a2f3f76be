// The coordinator's hand-out stays with what changed: a sync hands a verdict only to the actors whose status
// changed (equal but for lastTransitionTime is unchanged), an unchanged health at a newer generation reaches
// only the actors handed a verdict since, and a new kind of health (live ↔ degraded) reaches every actor.
// Played as a story through the pure planners, applying each plan's context as the machine does.
import { describe, expect, it } from '@jest/globals';
import { planHealth, planSync, recordReplica, type Plan } from '../../machines/shared/coordinator-plan.js';
import type { CoordinatorContext } from '../../machines/shared/coordinator-types.js';
import type { DesiredState, ResourceStatus } from '../../src/core/types.js';
import { classVerdict, gatewayVerdict, routeVerdict } from '../model/fixtures.js';
import { deepFrozen } from './coordinator-doubles.js';
import { emptyKeyed } from '../../machines/shared/keyed.js';

function leaderWithOneReplica(): CoordinatorContext {
  return {
    statusWriter: undefined as never,
    hasEdge: false,
    leadership: 'leader',
    endpoints: [{ id: 'a', ready: true }],
    generation: 0,
    resources: emptyKeyed<string>(),
    awaitingHealth: {},
    replicas: { a: { childId: 'replica/a#0', ready: true } },
    incarnations: 0,
    edgeHealth: { state: 'none' },
    edgeConflicts: [],
    routeConflicts: {},
    edgeGeneration: 0,
    changes: 0,
    changesInSync: 0,
    syncs: 0,
    syncReason: 'change',
    outbox: [],
  };
}

/** The same statuses as new objects, their conditions stamped at another time. */
const restamped = (statuses: ResourceStatus[]): ResourceStatus[] =>
  JSON.parse(JSON.stringify(statuses).replaceAll('2026-01-01T00:00:00Z', '2026-06-01T00:00:00Z')) as ResourceStatus[];

function desired(version: string, statuses: ResourceStatus[]): DesiredState {
  return { statuses, proxyConfig: { version, rules: [], hosts: [] }, ingress: { ingress: [] }, dns: [] };
}

class Story {
  ctx = deepFrozen(leaderWithOneReplica());

  /** Applies the plan's context and returns `kind → actor keys` of the events it sends to resource actors. */
  private apply(plan: Plan): Record<string, string[]> {
    // Frozen: a planner that changed the context it was given (instead of planning a new one) throws.
    this.ctx = deepFrozen({ ...this.ctx, ...plan.context });
    const byType: Record<string, string[]> = {};
    const keyOf = (id: string) => id.replace(/#\d+$/, '');
    for (const s of plan.sends.filter((x) => x.toResource)) (byType[s.event.type] ??= []).push(keyOf(s.to));
    for (const list of Object.values(byType)) list.sort();
    return byType;
  }

  sync(version: string, statuses: ResourceStatus[]) {
    return this.apply(planSync(this.ctx, { desired: desired(version, statuses), durationMs: 1 }));
  }

  health() {
    return this.apply(planHealth(this.ctx));
  }

  replica(report: { ok: true } | { ok: false }) {
    const version = this.ctx.config?.version ?? '';
    this.ctx = deepFrozen({
      ...this.ctx,
      ...recordReplica(
        this.ctx,
        report.ok
          ? { type: 'replica.inSync', id: 'a', version, generation: this.ctx.generation }
          : { type: 'replica.failing', id: 'a', error: 'HTTP 503', attempt: 1 },
      ),
    });
    return this.health();
  }
}

const CLASS = 'GatewayClass//cloudflare';
const GATEWAY = 'Gateway/ns/gw';
const ROUTE = 'HTTPRoute/ns/web';
// Sorted as the story lists keys: "Gateway/" before "GatewayClass/".

describe('coordinator hand-out proportional to the change', () => {
  it('hands out changed verdicts and health news only to the actors that need them', () => {
    const story = new Story();
    const first = [
      classVerdict(true),
      gatewayVerdict({ accepted: true, spec: 1 }),
      routeVerdict({ accepted: true, spec: 1 }),
    ];
    expect(story.sync('v1', first)).toEqual({ verdict: [GATEWAY, CLASS, ROUTE] });
    expect(story.health()).toEqual({}); // the push is not confirmed yet
    expect(story.replica({ ok: true })).toEqual({ 'dataplane.live': [GATEWAY, CLASS, ROUTE] });

    // Nothing changed but the time stamps: nothing to hand out, no health to repeat.
    expect(story.sync('v1', restamped(first))).toEqual({});
    expect(story.health()).toEqual({});

    // The route changed: its actor alone gets the verdict, and the live health at the new generation.
    const routeChanged = [first[0]!, first[1]!, routeVerdict({ accepted: true, spec: 2 })];
    expect(story.sync('v2', routeChanged)).toEqual({ verdict: [ROUTE] });
    expect(story.health()).toEqual({});
    expect(story.replica({ ok: true })).toEqual({ 'dataplane.live': [ROUTE] });

    // Degraded is news to everyone; the same degraded again only to an actor handed a verdict since.
    expect(story.replica({ ok: false })).toEqual({ 'dataplane.degraded': [GATEWAY, CLASS, ROUTE] });
    const gatewayChanged = [first[0]!, gatewayVerdict({ accepted: true, spec: 3 }), routeChanged[2]!];
    expect(story.sync('v3', gatewayChanged)).toEqual({ verdict: [GATEWAY] });
    expect(story.health()).toEqual({ 'dataplane.degraded': [GATEWAY] });
    // Live again: news to everyone.
    expect(story.replica({ ok: true })).toEqual({ 'dataplane.live': [GATEWAY, CLASS, ROUTE] });
  });

  it('tells a deleted resource, and hands a verdict to an object that comes back', () => {
    const story = new Story();
    const all = [classVerdict(true), routeVerdict({ accepted: true, spec: 1 })];
    story.sync('v1', all);
    expect(story.sync('v2', [all[0]!])).toEqual({ 'resource.deleted': [ROUTE] });
    expect(story.sync('v3', restamped(all))).toEqual({ verdict: [ROUTE] });
  });

  it('spawns and retires when a slot of a list of the same length holds another resource', () => {
    const story = new Story();
    const web = routeVerdict({ accepted: true, spec: 1 });
    const api = { ...web, name: 'api' };
    story.sync('v1', [classVerdict(true), web]);
    const plan = planSync(story.ctx, { desired: desired('v2', [story.ctx.statuses![0]!, api]), durationMs: 1 });
    expect(plan.spawns.map((x) => x.key)).toEqual(['HTTPRoute/ns/api']);
    expect(plan.sends.filter((x) => x.toResource).map((x) => [x.event.type, x.to.replace(/#\d+$/, '')])).toEqual([
      ['verdict', 'HTTPRoute/ns/api'],
      ['resource.deleted', ROUTE],
    ]);
  });

  it('starts the machine each kind has (machines/README.md): ListenerSets as Gateways, GRPCRoutes as routes', () => {
    const base = routeVerdict({ accepted: true, spec: 1 });
    const kinds = ['BackendTLSPolicy', 'GRPCRoute', 'Gateway', 'GatewayClass', 'HTTPRoute', 'ListenerSet'] as const;
    const statuses = kinds.map((kind) => ({ ...base, kind }));
    const plan = planSync(new Story().ctx, { desired: desired('v1', statuses), durationMs: 1 });
    expect(plan.spawns.map((x) => [x.key.split('/')[0], x.src])).toEqual([
      ['BackendTLSPolicy', 'policy'],
      ['GRPCRoute', 'route'],
      ['Gateway', 'gateway'],
      ['GatewayClass', 'gatewayClass'],
      ['HTTPRoute', 'route'],
      ['ListenerSet', 'gateway'],
    ]);
  });

  it('hands out a route added and its Gateway changed, far apart in the list, and nothing else', () => {
    const story = new Story();
    const route = (i: number) => ({
      ...routeVerdict({ accepted: true, spec: 1 }),
      name: `r${String(i).padStart(2, '0')}`,
    });
    const routes = Array.from({ length: 40 }, (_, i) => route(2 * i));
    story.sync('v1', [classVerdict(true), gatewayVerdict({ accepted: true, spec: 1 }), ...routes]);
    const [cls, , ...held] = story.ctx.statuses!;
    const added = route(61); // between r60 and r62
    const now = [cls!, gatewayVerdict({ accepted: true, spec: 2 }), ...held.slice(0, 31), added, ...held.slice(31)];
    expect(story.sync('v2', now)).toEqual({ verdict: [GATEWAY, 'HTTPRoute/ns/r61'] });
    expect(
      story.sync(
        'v3',
        now.filter((s) => s !== added),
      ),
    ).toEqual({ 'resource.deleted': ['HTTPRoute/ns/r61'] });
  });
});
