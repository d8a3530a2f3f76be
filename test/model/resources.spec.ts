// Model specs of the gatewayClass, gateway and policy machines (resource-spec.ts has the oracle the
// resource machines share; the route's spec is route.spec.ts).
import { expect } from './fast-expect.js';
import type { ResourceStatus } from '../../src/core/types.js';
import { gatewayMachine } from '../../machines/gateway.js';
import { gatewayClassMachine } from '../../machines/gateway-class.js';
import { policyMachine } from '../../machines/policy.js';
import { classVerdict, gatewayVerdict, policyVerdict } from './fixtures.js';
import type { ModelSpec } from './harness.js';
import { verdictMust } from './contracts.js';
import { checkResource, leaf, resourceSpec, withProgrammed } from './resource-spec.js';

export const gatewaySpec = resourceSpec(
  'gateway',
  gatewayMachine,
  [
    gatewayVerdict({ accepted: true, spec: 1, listener: 'none' }),
    gatewayVerdict({ accepted: true, spec: 1, attached: 3 }),
    gatewayVerdict({ accepted: true, spec: 1, listener: 'conflicted' }),
    gatewayVerdict({ accepted: true, spec: 1, listener: 'unresolved' }),
    gatewayVerdict({ accepted: true, spec: 2, listener: 'none' }),
    gatewayVerdict({ accepted: false, spec: 2 }),
    // Rejected again, for another spec: a rejected resource writes each rejection.
    gatewayVerdict({ accepted: false, spec: 3 }),
  ],
  (state, ctx) => {
    const verdict = ctx.verdict as ResourceStatus;
    if (state === 'accepted.programming') return withProgrammed(verdict, 'Pending', 'Pending');
    if (state === 'accepted.degraded.dataPlaneNotReady')
      return withProgrammed(verdict, 'NoResources', 'Pending', ctx.degradedReason as string);
    return verdict;
  },
);

export const gatewayClassSpec: ModelSpec = {
  name: 'gatewayClass',
  machine: () => gatewayClassMachine,
  input: (probe) => ({ key: 'GatewayClass//cloudflare', statusWriter: probe.recorder }),
  offer: 'all',
  must: verdictMust('GatewayClass//cloudflare'),
  events: [
    { type: 'verdict', status: classVerdict(true), generation: 1 },
    { type: 'verdict', status: classVerdict(false), generation: 1 },
    // The object edited: new verdicts, either way (a rejected one again must be written again).
    { type: 'verdict', status: classVerdict(true, 2), generation: 2 },
    { type: 'verdict', status: classVerdict(false, 2), generation: 2 },
    { type: 'resource.deleted' },
  ],
  check: (step) => {
    checkResource(step, (_state, ctx) => ctx.verdict as ResourceStatus);
    if (step.event.type === 'verdict' && leaf(step.before) !== 'gone') {
      const accepted = step.event.status.status.conditions[0].status === 'True';
      expect(leaf(step.snapshot)).toBe(accepted ? 'accepted' : 'rejected');
    }
  },
};

export const policySpec: ModelSpec = {
  name: 'policy',
  machine: () => policyMachine,
  input: (probe) => ({ key: 'BackendTLSPolicy/ns/tls', statusWriter: probe.recorder }),
  offer: 'all',
  must: verdictMust('BackendTLSPolicy/ns/tls'),
  events: [
    { type: 'verdict', status: policyVerdict(true), generation: 1 },
    { type: 'verdict', status: policyVerdict(false), generation: 1 },
    // The object edited: new verdicts, either way (a rejected one again must be written again).
    { type: 'verdict', status: policyVerdict(true, 2), generation: 2 },
    { type: 'verdict', status: policyVerdict(false, 2), generation: 2 },
    { type: 'resource.deleted' },
  ],
  check: (step) => {
    checkResource(step, (_state, ctx) => ctx.verdict as ResourceStatus);
    if (step.event.type === 'verdict' && leaf(step.before) !== 'gone') {
      const accepted = step.event.status.status.ancestors[0].conditions[0].status === 'True';
      expect(leaf(step.snapshot)).toBe(accepted ? 'accepted' : 'rejected');
    }
  },
};
