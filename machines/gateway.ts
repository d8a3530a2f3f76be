// One actor per Gateway of our classes, and per ListenerSet attached to one (the same life: its listeners are
// programmed with the Gateway's). Its status is the translator's, except `Programmed` (on the object and each
// listener), which only the actor can know: True once every ready replica (and the edge, when one exists) has
// acknowledged the config generation that first carried this spec.
import { createProgrammableMachine, type ResourceContext, type ResourcePhase } from './shared/resource.js';
import { overrideProgrammed } from './shared/status.js';
import type { ResourceStatus } from '../src/core/types.js';

export function gatewayStatus(phase: ResourcePhase, context: ResourceContext): ResourceStatus | undefined {
  const verdict = context.verdict;
  // Stryker disable next-line ConditionalExpression,BooleanLiteral: never asked without one (pending, the one phase without a verdict, publishes nothing); the guard is the type checker's
  if (!verdict) return undefined;
  if (phase === 'programming') {
    const message = `Waiting for every ready proxy replica to load the configuration that includes this ${verdict.kind}`;
    return overrideProgrammed(verdict, { reason: 'Pending', listenerReason: 'Pending', message });
  }
  if (phase === 'degraded') {
    return overrideProgrammed(verdict, {
      reason: 'NoResources',
      listenerReason: 'Pending',
      message: context.degradedReason,
    });
  }
  return verdict;
}

export const gatewayMachine = createProgrammableMachine('gateway', gatewayStatus);
