// What a status says is wrong, for the actors' degraded states (machines/shared/verdict-health.ts): the
// Gateway API condition types and polarities (Conflicted=True, ResolvedRefs=False, PartiallyInvalid=True,
// Accepted=False, our DNSReady=False), on the object, a listener or a route parent, most urgent first.
import { describe, expect, it } from '@jest/globals';
import { DNS_READY, verdictProblem } from '../../machines/shared/verdict-health.js';
import type { Condition, ResourceStatus } from '../../src/core/types.js';
import { rows } from '../support/each.js';

const c = (type: string, status: Condition['status']): Condition => ({
  type,
  status,
  reason: 'r',
  message: '',
  lastTransitionTime: '',
});
const gateway = (top: Condition[], listener: Condition[] = []): ResourceStatus => ({
  kind: 'Gateway',
  namespace: 'ns',
  name: 'gw',
  status: { conditions: top, listeners: [{ name: 'http', conditions: listener }] },
});
const route = (...parents: Condition[][]): ResourceStatus => ({
  kind: 'HTTPRoute',
  namespace: 'ns',
  name: 'r',
  status: { parents: parents.map((conditions, i) => ({ parentRef: { name: `gw${i}` }, conditions })) },
});
const OK = [c('Accepted', 'True'), c('ResolvedRefs', 'True')];

describe('verdictProblem', () => {
  it.each(
    rows([
      // [what, status, problem]
      ['no status yet', undefined, undefined],
      ['all well', gateway(OK, [c('Conflicted', 'False'), c('ResolvedRefs', 'True')]), undefined],
      ['a conflicted listener', gateway(OK, [c('Conflicted', 'True')]), 'conflicted'],
      ['a hostname held on Cloudflare', route([...OK, c(DNS_READY, 'False')]), 'conflicted'],
      ['DNSReady=True is no problem', route([...OK, c(DNS_READY, 'True')]), undefined],
      [
        'an unresolved backend on one parent',
        route(OK, [c('Accepted', 'True'), c('ResolvedRefs', 'False')]),
        'unresolvedRefs',
      ],
      ['a rule dropped', route([...OK, c('PartiallyInvalid', 'True')]), 'partiallyInvalid'],
      ['one parent refused', route(OK, [c('Accepted', 'False')]), 'partiallyInvalid'],
      ['a refused object', gateway([c('Accepted', 'False')]), 'partiallyInvalid'],
      [
        'conflicts come before unresolved refs',
        gateway([c('ResolvedRefs', 'False')], [c('Conflicted', 'True')]),
        'conflicted',
      ],
      [
        'unresolved refs come before a refused parent',
        route([c('Accepted', 'False')], [c('Accepted', 'True'), c('ResolvedRefs', 'False')]),
        'unresolvedRefs',
      ],
    ]),
  )('%s', (_what, status, problem) => {
    expect(verdictProblem(status as ResourceStatus | undefined)).toBe(problem);
  });
});
