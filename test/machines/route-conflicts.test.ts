// Hostname conflicts from the edge, as routes show them (machines/route.ts: DNSReady=False on our accepted
// parents[] entries) and as the coordinator hands them out (machines/shared/route-conflicts.ts: each route
// told the conflicts on its own hostnames, once per change). Expected values are written out here.
import { describe, expect, it } from '@jest/globals';
import { dnsReadyCondition, routeStatus, withEdgeConflicts } from '../../machines/route.js';
import { hostnamesByRoute, planConflicts } from '../../machines/shared/route-conflicts.js';
import type { CoordinatorContext } from '../../machines/shared/coordinator-types.js';
import type { HostnameConflict } from '../../src/core/ports.js';
import type { Condition, ResourceStatus } from '../../src/core/types.js';
import type { ProxyConfigInput } from '../../proxy/config/schema.js';
import { statusSink } from './coordinator-doubles.js';
import { keyedEntries, keyedOf } from '../../machines/shared/keyed.js';

const taken = (hostname: string, message = 'has an A record'): HostnameConflict => ({
  hostname,
  reason: 'HostnameTaken',
  message,
});
const noZone = (hostname: string): HostnameConflict => ({ hostname, reason: 'ZoneNotFound', message: 'in no zone' });
const cond = (type: string, status: Condition['status'], observedGeneration?: number): Condition => ({
  type,
  status,
  reason: 'r',
  message: '',
  lastTransitionTime: 't',
  ...(observedGeneration !== undefined && { observedGeneration }),
});
type Ref = { group?: string; kind?: string; namespace?: string; name?: string };
const verdict = (...parents: Array<{ parentRef?: Ref; conditions?: Condition[] }>): ResourceStatus => ({
  kind: 'HTTPRoute',
  namespace: 'app',
  name: 'r',
  status: { parents },
});
/** Our own condition type: domain-prefixed, as the Gateway API asks of implementation-specific ones. */
const DNS_READY = 'cloudflare-tunnel-gateway.dev/DNSReady';
const ACCEPTED = [cond('Accepted', 'True', 3), cond('ResolvedRefs', 'True', 3)];

describe('dnsReadyCondition', () => {
  it('lists the conflicts by hostname, HostnameTaken when any hostname is taken, with the generation', () => {
    expect(dnsReadyCondition([noZone('b.example.com'), taken('a.example.com')], 7)).toEqual({
      type: DNS_READY,
      status: 'False',
      reason: 'HostnameTaken',
      message: 'a.example.com has an A record; b.example.com in no zone',
      observedGeneration: 7,
      lastTransitionTime: '',
    });
  });

  it('says ZoneNotFound when no hostname is taken, and leaves an unknown generation out', () => {
    const c = dnsReadyCondition([noZone('a.example.com')], undefined);
    expect(c.reason).toBe('ZoneNotFound');
    expect('observedGeneration' in c).toBe(false);
  });

  it('cuts a message over 2,048 characters to 2,048, the last one an ellipsis', () => {
    const at = (n: number) => dnsReadyCondition([taken('h', 'x'.repeat(n - 2))], 1).message; // "h " + n - 2
    expect(at(2048)).toBe(`h ${'x'.repeat(2046)}`);
    expect(at(2049)).toBe(`h ${'x'.repeat(2045)}…`);
    expect(at(2049)).toHaveLength(2048);
  });
});

describe('withEdgeConflicts', () => {
  const edge = { conflicts: [taken('a.example.com')], gateways: ['Gateway/app/gw', 'ListenerSet/infra/ls'] };

  it('adds DNSReady=False to each accepted parents[] entry whose Gateway or ListenerSet is ours', () => {
    const v = verdict(
      { parentRef: { name: 'gw' }, conditions: ACCEPTED },
      {
        parentRef: { group: 'gateway.networking.k8s.io', kind: 'ListenerSet', namespace: 'infra', name: 'ls' },
        conditions: ACCEPTED,
      },
    );
    const parents = withEdgeConflicts(v, edge).status.parents as Array<{ conditions: Condition[] }>;
    for (const p of parents) {
      expect(p.conditions.slice(0, 2)).toEqual(ACCEPTED);
      expect(p.conditions[2]).toMatchObject({ type: DNS_READY, status: 'False', observedGeneration: 3 });
    }
  });

  it('leaves alone entries not accepted, of other parents, other groups or kinds, or without a name', () => {
    const entries = [
      { parentRef: { name: 'gw' }, conditions: [cond('Accepted', 'False')] },
      { parentRef: { name: 'gw' } },
      { parentRef: { name: 'other' }, conditions: ACCEPTED },
      { parentRef: { namespace: 'elsewhere', name: 'gw' }, conditions: ACCEPTED },
      { parentRef: { group: 'example.com', name: 'gw' }, conditions: ACCEPTED },
      { parentRef: { kind: 'Service', name: 'gw' }, conditions: ACCEPTED },
      { parentRef: { kind: 'ListenerSet', name: 'gw' }, conditions: ACCEPTED },
      { parentRef: {}, conditions: ACCEPTED },
      { conditions: ACCEPTED },
    ];
    expect(withEdgeConflicts(verdict(...entries), edge).status.parents).toEqual(entries);
  });

  it('replaces a DNSReady condition already there, and is the verdict itself without conflicts', () => {
    const v = verdict({ parentRef: { name: 'gw' }, conditions: [...ACCEPTED, cond(DNS_READY, 'False')] });
    const conditions = (withEdgeConflicts(v, edge).status.parents as Array<{ conditions: Condition[] }>)[0]!.conditions;
    expect(conditions.map((c) => c.type)).toEqual(['Accepted', 'ResolvedRefs', DNS_READY]);
    expect(conditions[2]!.message).toBe('a.example.com has an A record');
    expect(withEdgeConflicts(v, undefined)).toBe(v);
    expect(withEdgeConflicts(v, { conflicts: [], gateways: edge.gateways })).toBe(v);
  });

  it('is what a route actor publishes, except while pending or without a verdict', () => {
    const v = verdict({ parentRef: { name: 'gw' }, conditions: ACCEPTED });
    const context = {
      key: 'HTTPRoute/app/r',
      statusWriter: statusSink(),
      specGeneration: 1,
      requiredGeneration: 1,
      degradedReason: '',
    };
    expect(routeStatus('pending', { ...context, verdict: v })).toBeUndefined();
    expect(routeStatus('programmed', context)).toBeUndefined();
    expect(routeStatus('programmed', { ...context, verdict: v, edgeConflicts: edge })).toEqual(
      withEdgeConflicts(v, edge),
    );
  });
});

const config = (hosts: Array<[string, number[]]>): ProxyConfigInput =>
  ({
    version: 'v',
    rules: [
      { id: 'httproute/app/r/0' },
      { id: 'grpcroute/app/g/0' },
      { id: 'httproute/app/r/1' },
      { id: 'tcproute/app/t/0' },
    ],
    hosts: hosts.map(([hostname, rules]) => ({ hostname, matches: rules.map((rule) => ({ match: {}, rule })) })),
  }) as unknown as ProxyConfigInput;

describe('hostnamesByRoute', () => {
  it('maps each route to the hostnames whose entries hold its rules, lower-cased; other rule kinds to none', () => {
    const byRoute = hostnamesByRoute(
      config([
        ['A.example.com', [0, 1]],
        ['b.example.com', [2, 3]],
      ]),
    );
    expect(Object.fromEntries([...byRoute].map(([k, v]) => [k, [...v].sort()]))).toEqual({
      'HTTPRoute/app/r': ['a.example.com', 'b.example.com'],
      'GRPCRoute/app/g': ['a.example.com'],
    });
    expect(hostnamesByRoute(undefined).size).toBe(0);
  });
});

describe('planConflicts', () => {
  const context = (edgeConflicts: HostnameConflict[], routeConflicts: Record<string, string> = {}) =>
    ({
      config: config([
        ['a.example.com', [0]],
        ['g.example.com', [1]],
      ]),
      resources: keyedOf({
        'HTTPRoute/app/r': 'route-1',
        'GRPCRoute/app/g': 'route-2',
        'Gateway/app/gw': 'gateway-1',
        'ListenerSet/app/ls': 'gateway-2',
        'GatewayClass//cf': 'class-1',
      }),
      edgeConflicts,
      routeConflicts,
    }) as unknown as CoordinatorContext;

  it('tells each route the conflicts on its hostnames, with our Gateways and ListenerSets, and remembers it', () => {
    const plan = planConflicts(context([taken('A.example.com')]));
    expect(plan.sends).toEqual([
      {
        to: 'route-1',
        event: {
          type: 'edge.conflicts',
          conflicts: [taken('A.example.com')],
          gateways: ['Gateway/app/gw', 'ListenerSet/app/ls'],
        },
        toResource: true,
      },
    ]);
    expect(Object.keys(plan.context.routeConflicts!).sort()).toEqual(['GRPCRoute/app/g', 'HTTPRoute/app/r']);
    expect(plan.context.routeConflicts!['GRPCRoute/app/g']).toBe('');
    // The same again: nothing to say.
    expect(planConflicts(context([taken('A.example.com')], plan.context.routeConflicts)).sends).toEqual([]);
  });

  it('tells a route again when its conflicts change, and lists our parents sorted', () => {
    const ctx = context([taken('a.example.com')]);
    // Resources in any order: the Gateways and ListenerSets a route is told come sorted.
    ctx.resources = keyedOf({ 'ListenerSet/app/ls': 'gateway-2', ...Object.fromEntries(keyedEntries(ctx.resources)) });
    const first = planConflicts(ctx);
    expect(first.sends[0]!.event).toMatchObject({ gateways: ['Gateway/app/gw', 'ListenerSet/app/ls'] });
    const changed = planConflicts({
      ...ctx,
      edgeConflicts: [noZone('a.example.com')],
      routeConflicts: first.context.routeConflicts!,
    });
    expect(changed.sends).toEqual([
      {
        to: 'route-1',
        event: { type: 'edge.conflicts', conflicts: [noZone('a.example.com')], gateways: expect.any(Array) },
        toResource: true,
      },
    ]);
  });

  it('tells a route its conflicts cleared, once', () => {
    const told = planConflicts(context([taken('a.example.com')])).context.routeConflicts!;
    const cleared = planConflicts(context([], told));
    expect(cleared.sends).toEqual([
      {
        to: 'route-1',
        event: { type: 'edge.conflicts', conflicts: [], gateways: expect.any(Array) },
        toResource: true,
      },
    ]);
    expect(planConflicts(context([], cleared.context.routeConflicts)).sends).toEqual([]);
    expect(planConflicts(context([], cleared.context.routeConflicts)).context.routeConflicts).toEqual({});
  });
});
