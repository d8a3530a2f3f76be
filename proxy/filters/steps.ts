// The shapes a compiled filter takes inside a chain, and what one filter kind is on the proxy side.
import type { z } from 'zod';
import type { ProxyMirrorTarget } from './mirror.js';
import type { FilterContext, HeaderList, ImmediateResponse } from './types.js';

/** Runs before forwarding; may answer the request itself (redirect, CORS preflight). */
export type RequestStep = (ctx: FilterContext) => ImmediateResponse | undefined;

/** Runs on the response headers (the backend's, or an immediate response's). */
export type ResponseStep = (ctx: FilterContext, status: number, headers: HeaderList) => void;

/** What one Gateway API filter compiles to: a request part, a response part, a mirror target, or several. */
export interface CompiledStep {
  request?: RequestStep;
  response?: ResponseStep;
  /** Where to send a copy of the request (RequestMirror); the forwarder tees it, the chain never runs it. */
  mirror?: ProxyMirrorTarget;
}

/**
 * One filter kind's proxy half (the translator's half is src/translate/filters/, see its registry): the
 * config's variant for it — `{ type, <field>: … }`, one member of schema.ts's `Filter` union — and what a
 * validated one compiles to. Listed in registry.ts.
 */
export interface ProxyFilterKind<T extends string = string, S extends z.ZodObject = z.ZodObject> {
  type: T;
  schema: S;
  compile(filter: z.infer<S>): CompiledStep;
}

/** Declares a filter kind, checking that its schema's `type` literal is the kind's name. */
export function filterKind<const T extends string, S extends z.ZodObject<{ type: z.ZodLiteral<T> }>>(
  kind: ProxyFilterKind<T, S>,
): ProxyFilterKind<T, S> {
  return kind;
}
