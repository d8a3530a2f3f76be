// Small pure pieces of the actor system, as tables: transition-time stamping at the status writer, the
// data-plane health the coordinator tells resource actors, and the backoff schedule.
import { describe, expect, it } from '@jest/globals';
import { createActor, toPromise } from 'xstate';
import { stampTransitionTimes, statusActors } from '../../src/runtime/actors/status.js';
import { dataplaneHealth, type EdgeHealth, type ReplicaState } from '../../machines/shared/dataplane.js';
import type { Condition, ResourceStatus } from '../../src/core/types.js';
import { rows } from '../support/each.js';

const NOW = '2026-02-02T00:00:00Z';
const OLD = '2026-01-01T00:00:00Z';
const c = (status: Condition['status'], lastTransitionTime: string, type = 'Programmed'): Condition => ({
  type,
  status,
  reason: 'r',
  message: '',
  lastTransitionTime,
});
const gateway = (top: Condition[], listener: Condition[] = []): ResourceStatus => ({
  kind: 'Gateway',
  namespace: 'ns',
  name: 'gw',
  status: { conditions: top, listeners: [{ name: 'http', conditions: listener }] },
});
const times = (s: ResourceStatus) => [
  ...(s.status.conditions as Condition[]).map((x) => x.lastTransitionTime),
  ...(s.status.listeners as Array<{ conditions: Condition[] }>)[0]!.conditions.map((x) => x.lastTransitionTime),
];

describe('stampTransitionTimes', () => {
  it.each(
    rows([
      // [what, status to write, previously written, expected times (top..., listener...)]
      ['a new condition gets now', gateway([c('False', '')]), undefined, [NOW]],
      ['a time the translator set is kept', gateway([c('True', OLD)]), undefined, [OLD]],
      [
        'same status as written before: the old time stays',
        gateway([c('False', '')]),
        gateway([c('False', OLD)]),
        [OLD],
      ],
      ['status flipped since: now', gateway([c('False', '')]), gateway([c('True', OLD)]), [NOW]],
      [
        'listeners are matched by name and type',
        gateway([c('True', OLD)], [c('False', '')]),
        gateway([c('True', OLD)], [c('False', OLD)]),
        [OLD, OLD],
      ],
      [
        'another condition type does not lend its time',
        gateway([c('False', '', 'Programmed')]),
        gateway([c('False', OLD, 'Accepted')]),
        [NOW],
      ],
    ] as const),
  )('%s', (_what, status, prev, expected) => {
    const before = structuredClone(status);
    const stamped = stampTransitionTimes(status as ResourceStatus, prev as ResourceStatus | undefined, NOW);
    expect(times(stamped)).toEqual(expected);
    expect(status).toEqual(before); // the input is not mutated
  });

  it('hands a status with every time set on as the same object (the translator then knows it by identity)', () => {
    const full = gateway([c('True', OLD)]);
    expect(stampTransitionTimes(full, undefined, NOW)).toBe(full);
    const listenerMissing = gateway([c('True', OLD)], [c('False', '')]);
    expect(stampTransitionTimes(listenerMissing, undefined, NOW)).not.toBe(listenerMissing);
  });

  it('stamps route parents per parentRef', () => {
    const ref = { name: 'gw', namespace: 'ns' };
    const route = (t: string): ResourceStatus => ({
      kind: 'HTTPRoute',
      namespace: 'ns',
      name: 'r',
      status: { parents: [{ parentRef: ref, conditions: [c('True', t, 'Accepted')] }] },
    });
    const stamped = stampTransitionTimes(route(''), route(OLD), NOW);
    expect((stamped.status.parents as Array<{ conditions: Condition[] }>)[0]!.conditions[0]!.lastTransitionTime).toBe(
      OLD,
    );
  });
});

describe('statusActors.writeStatuses', () => {
  it('stamps each status with the second of its own write, in RFC 3339', async () => {
    const clock = [1_700_000_000_400, 1_700_000_000_900, 1_700_000_001_100];
    const sink: ResourceStatus[] = [];
    const { writeStatuses } = statusActors({ write: async (s) => void sink.push(s) }, () => clock.shift()!);
    const statuses = ['a', 'b', 'c'].map((name) => ({ ...gateway([c('True', '')]), name }));
    await expect(toPromise(createActor(writeStatuses, { input: { statuses } }).start())).resolves.toEqual({
      written: 3,
    });
    expect(sink.map((s) => times(s)[0])).toEqual([
      '2023-11-14T22:13:20Z',
      '2023-11-14T22:13:20Z',
      '2023-11-14T22:13:21Z',
    ]);
  });
});

const r = (ready: boolean, ackedVersion?: string, failing?: string): ReplicaState => ({
  childId: 'x',
  ready,
  ackedVersion,
  failing,
});
const OK: EdgeHealth = { state: 'ok' };

describe('dataplaneHealth', () => {
  it.each(
    rows([
      // [what, replicas, edge, expected type]
      ['no replica at all', {}, OK, 'degraded'],
      ['only unready replicas', { a: r(false, 'v1') }, OK, 'degraded'],
      ['every ready replica acknowledged, no edge', { a: r(true, 'v1'), b: r(false) }, { state: 'none' }, 'live'],
      ['every ready replica acknowledged, edge confirmed', { a: r(true, 'v1') }, OK, 'live'],
      ['one ready replica still behind', { a: r(true, 'v1'), b: r(true, 'v0') }, OK, 'pending'],
      ['edge still reconciling', { a: r(true, 'v1') }, { state: 'pending' }, 'pending'],
      ['edge failing', { a: r(true, 'v1') }, { state: 'failing', error: '500' }, 'degraded'],
      ['every ready replica failing', { a: r(true, 'v0', '503'), b: r(true, undefined, 'refused') }, OK, 'degraded'],
      ['one of two failing, other acked', { a: r(true, 'v1'), b: r(true, 'v0', '503') }, OK, 'pending'],
    ] as const),
  )('%s', (_what, replicas, edge, expected) => {
    const health = dataplaneHealth(replicas as Record<string, ReplicaState>, edge as EdgeHealth, 'v1', 7);
    expect(health.type).toBe(expected);
    if (health.type === 'live') expect(health.generation).toBe(7);
    if (health.type === 'degraded') expect(health.reason.length).toBeGreaterThan(0);
  });

  it('is pending before there is a config: replicas that acknowledged nothing have not acknowledged "no config"', () => {
    expect(dataplaneHealth({ a: r(true) }, OK, undefined, 0).type).toBe('pending');
  });
});
