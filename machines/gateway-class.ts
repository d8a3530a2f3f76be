// One actor per GatewayClass naming our controller: pending → accepted / rejected; deleting → gone.
// Its conditions (Accepted, SupportedVersion) are the translator's verdict, written only when they change.
import { initialResourceContext, resourceSetup, type ResourceContext, type ResourcePhase } from './shared/resource.js';
import type { ResourceStatus } from '../src/core/types.js';

/** The status is the translator's verdict, as it is (none yet while pending). */
export function gatewayClassStatus(_phase: ResourcePhase, context: ResourceContext): ResourceStatus | undefined {
  return context.verdict;
}

/**
 * Any verdict: accepted or rejected by its Accepted condition, entering the state again (its entry writes the
 * status when it changed: a rejected verdict after another rejected one too).
 */
const byVerdict = [
  { guard: 'isAcceptedVerdict', target: 'accepted', reenter: true, actions: 'recordVerdict' },
  { target: 'rejected', reenter: true, actions: 'recordVerdict' },
] as const;

// Stryker disable next-line ObjectLiteral,StringLiteral: the status is the verdict whatever phase `publish` is told
const ANY_PHASE = { phase: 'accepted' } as const;
const PUBLISH = { type: 'publish', params: ANY_PHASE } as const;

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
      pending: { on: { verdict: byVerdict } },
      accepted: { entry: PUBLISH, on: { verdict: byVerdict } },
      rejected: { entry: PUBLISH, on: { verdict: byVerdict } },
      deleting: { entry: 'forgetStatus', always: 'gone' },
      gone: { type: 'final' },
    },
  });

export const gatewayClassMachine = createVerdictMachine('gatewayClass');
