// The resource machines' status helpers on the shapes the model walks' fixtures do not have: a route with
// several parents, entries without conditions, a Gateway status without listeners.
import { describe, expect, it } from '@jest/globals';
import { isAcceptedStatus, overrideProgrammed } from '../../machines/shared/status.js';
import type { Condition, ResourceStatus } from '../../src/core/types.js';

const cond = (type: string, status: 'True' | 'False', reason = type): Condition => ({
  type,
  status,
  reason,
  message: '',
  lastTransitionTime: '2026-01-01T00:00:00Z',
  observedGeneration: 1,
});
const parent = (accepted: boolean) => ({
  parentRef: { name: 'gw' },
  conditions: [cond('Accepted', accepted ? 'True' : 'False')],
});

describe('isAcceptedStatus', () => {
  const rows: Array<[string, Record<string, unknown>, boolean]> = [
    ['a route accepted by one of two parents', { parents: [parent(false), parent(true)] }, true],
    ['a route accepted by neither parent', { parents: [parent(false), parent(false)] }, false],
    ['a parent entry without conditions', { parents: [{ parentRef: { name: 'gw' } }] }, false],
    ['a policy accepted by one of two ancestors', { ancestors: [parent(true), parent(false)] }, true],
    ['a Gateway accepted', { conditions: [cond('Accepted', 'True')] }, true],
    ['a Gateway with Accepted=False', { conditions: [cond('Accepted', 'False')] }, false],
    ['no conditions, parents or ancestors', {}, false],
  ];
  it.each(rows)('%s', (_name, status, accepted) => {
    expect(isAcceptedStatus(status)).toBe(accepted);
  });
});

describe('overrideProgrammed', () => {
  const override = { reason: 'Pending', listenerReason: 'Pending', message: 'waiting for a proxy replica' };
  const gateway = (status: Record<string, unknown>): ResourceStatus => ({
    kind: 'Gateway',
    namespace: 'ns',
    name: 'gw',
    status,
  });

  it('turns Programmed=True False on the Gateway and each listener, for the writer to stamp', () => {
    const out = overrideProgrammed(
      gateway({
        conditions: [cond('Accepted', 'True'), cond('Programmed', 'True')],
        listeners: [{ name: 'http', conditions: [cond('Programmed', 'True')] }],
      }),
      override,
    );
    const programmed = { ...cond('Programmed', 'False', 'Pending'), message: override.message, lastTransitionTime: '' };
    expect(out.status).toEqual({
      conditions: [cond('Accepted', 'True'), programmed],
      listeners: [{ name: 'http', conditions: [programmed] }],
    });
  });

  it('takes a status without listeners, or a listener without conditions, as it is', () => {
    expect(overrideProgrammed(gateway({ conditions: [cond('Accepted', 'True')] }), override).status).toEqual({
      conditions: [cond('Accepted', 'True')],
    });
    expect(Object.keys(overrideProgrammed(gateway({}), override).status)).toEqual(['conditions']);
    expect(overrideProgrammed(gateway({ listeners: [{ name: 'http' }] }), override).status).toEqual({
      conditions: undefined,
      listeners: [{ name: 'http', conditions: undefined }],
    });
  });
});
