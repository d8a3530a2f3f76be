// Compiles a rule's (or backend's) Gateway API filters into one CompiledFilters chain, once per config.
// The request phase runs the filters in the order given and stops at the first one that answers
// (RequestRedirect, CORS preflight). The response phase runs every response part in order; it is
// applied by the chain itself to the responses it answers, so the caller sends those as they are
// and calls onResponse only for responses that came from a backend.
import type { ProxyFilter, ProxyMirrorTarget } from '../config/schema.js';
import { compileCors } from './cors.js';
import { compileHeaderModifier } from './headers.js';
import { compileRedirect } from './redirect.js';
import { compileUrlRewrite } from './rewrite.js';
import type { CompiledStep, RequestStep, ResponseStep } from './steps.js';
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
    if (filter.type === 'RequestMirror') {
      // A 0 % mirror never fires; leaving it out keeps the forwarder's loop to real targets.
      if (filter.requestMirror.percent > 0) mirrors.push(filter.requestMirror);
      continue;
    }
    const step = compileStep(filter);
    if (step.request) requestSteps.push(step.request);
    if (step.response) responseSteps.push(step.response);
  }
  const onResponse = chainResponse(responseSteps);
  return {
    onRequest: chainRequest(requestSteps, onResponse),
    onResponse,
    mirrors,
    empty: requestSteps.length === 0 && responseSteps.length === 0 && mirrors.length === 0,
  };
}

function compileStep(filter: Exclude<ProxyFilter, { type: 'RequestMirror' }>): CompiledStep {
  switch (filter.type) {
    case 'RequestHeaderModifier': {
      const modify = compileHeaderModifier(filter.requestHeaderModifier);
      return { request: (ctx) => void modify(ctx.head.headers) };
    }
    case 'ResponseHeaderModifier': {
      const modify = compileHeaderModifier(filter.responseHeaderModifier);
      return { response: (_ctx, _status, headers) => modify(headers) };
    }
    case 'RequestRedirect':
      return { request: compileRedirect(filter.requestRedirect) };
    case 'URLRewrite':
      return { request: compileUrlRewrite(filter.urlRewrite) };
    case 'CORS':
      return compileCors(filter.cors);
  }
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
