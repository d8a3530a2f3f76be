// One actor per GatewayClass naming our controller: pending → accepted / rejected; deleting → gone.
// Its conditions (Accepted, SupportedVersion) are the translator's verdict, written only when they change.
import { initialResourceContext, resourceSetup, type ResourceContext, type ResourcePhase } from './shared/resource.js';
import type { ResourceStatus } from '../src/core/types.js';

export function gatewayClassStatus(phase: ResourcePhase, context: ResourceContext): ResourceStatus | undefined {
  return phase === 'pending' ? undefined : context.verdict;
}

const byVerdict = (reenterRejected: boolean) =>
  [
    { guard: 'isAcceptedVerdict', target: 'accepted', reenter: true, actions: 'recordVerdict' },
    { target: 'rejected', reenter: reenterRejected, actions: 'recordVerdict' },
  ] as const;

/**
 * pending → accepted / rejected by the verdict, each publishing it as is; deleting → gone. Shared with
 * BackendTLSPolicy actors (machines/policy.ts), whose status is the translator's alone too.
 */
export const createVerdictMachine = (id: string) =>
  resourceSetup(gatewayClassStatus).createMachine({
    id,
    initial: 'pending',
    context: ({ input }) => initialResourceContext(input),
    on: { 'resource.deleted': '.deleting' },
    states: {
      pending: { on: { verdict: byVerdict(false) } },
      accepted: { entry: { type: 'publish', params: { phase: 'accepted' } }, on: { verdict: byVerdict(false) } },
      rejected: { entry: { type: 'publish', params: { phase: 'rejected' } }, on: { verdict: byVerdict(true) } },
      deleting: { entry: 'forgetStatus', always: 'gone' },
      gone: { type: 'final' },
    },
  });

export const gatewayClassMachine = createVerdictMachine('gatewayClass');
