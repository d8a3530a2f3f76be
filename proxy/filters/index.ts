// Compiles a rule's (or backend's) Gateway API filters into one CompiledFilters chain, once per config
// (each filter by its kind: registry.ts).
// The request phase runs the filters in the order given and stops at the first one that answers
// (RequestRedirect, CORS preflight). The response phase runs every response part in order; it is
// applied by the chain itself to the responses it answers, so the caller sends those as they are
// and calls onResponse only for responses that came from a backend.
import type { ProxyFilter } from '../config/schema.js';
import type { ProxyMirrorTarget } from './mirror.js';
import { compileStep } from './registry.js';
import type { RequestStep, ResponseStep } from './steps.js';
import type { CompiledFilters, FilterContext, HeaderList, ImmediateResponse } from './types.js';

export type { CompiledFilters, FilterContext, HeaderList, ImmediateResponse, RequestHead } from './types.js';

const NOOP_CHAIN: CompiledFilters = Object.freeze({
  onRequest: () => undefined,
  onResponse: () => undefined,
  mirrors: [],
  empty: true,
});

export function compileFilters(filters: ProxyFilter[]): CompiledFilters {
  if (filters.length === 0) return NOOP_CHAIN;
  const requestSteps: RequestStep[] = [];
  const responseSteps: ResponseStep[] = [];
  const mirrors: ProxyMirrorTarget[] = [];
  for (const filter of filters) {
    const step = compileStep(filter);
    if (step.request) requestSteps.push(step.request);
    if (step.response) responseSteps.push(step.response);
    if (step.mirror) mirrors.push(step.mirror);
  }
  const onResponse = chainResponse(responseSteps);
  return {
    onRequest: chainRequest(requestSteps, onResponse),
    onResponse,
    mirrors,
    empty: requestSteps.length === 0 && responseSteps.length === 0 && mirrors.length === 0,
  };
}

function chainRequest(steps: RequestStep[], onResponse: CompiledFilters['onResponse']): CompiledFilters['onRequest'] {
  if (steps.length === 0) return () => undefined;
  return (ctx: FilterContext): ImmediateResponse | undefined => {
    for (const step of steps) {
      const answer = step(ctx);
      if (answer) {
        onResponse(ctx, answer.status, answer.headers);
        return answer;
      }
    }
    return undefined;
  };
}

function chainResponse(steps: ResponseStep[]): CompiledFilters['onResponse'] {
  if (steps.length === 0) return () => undefined;
  if (steps.length === 1) return steps[0]!;
  return (ctx: FilterContext, status: number, headers: HeaderList) => {
    for (const step of steps) step(ctx, status, headers);
  };
}
