// Every filter kind the proxy runs. schema.ts builds the config's `Filter` union from this list and
// compileFilters (index.ts) compiles each filter with its kind; the translator's registry
// (src/translate/filters/registry.ts, which says why a filter kind is two modules) must have one entry for
// each (the type checker says so). Adding a kind: one module here, one entry below.
import type { z } from 'zod';
import { cors } from './cors.js';
import { requestHeaderModifier, responseHeaderModifier } from './header-modifier.js';
import { requestMirror } from './mirror.js';
import { requestRedirect } from './redirect.js';
import { urlRewrite } from './rewrite.js';
import type { CompiledStep, ProxyFilterKind } from './steps.js';

export const PROXY_FILTER_KINDS = [
  requestHeaderModifier,
  responseHeaderModifier,
  requestRedirect,
  urlRewrite,
  requestMirror,
  cors,
] as const;

/** The kinds' config variants, as the tuple z.discriminatedUnion takes. */
export const FILTER_SCHEMAS = schemasOf(PROXY_FILTER_KINDS);

/** A validated filter of any kind. */
export type CompilableFilter = z.infer<(typeof FILTER_SCHEMAS)[number]>;

function schemasOf<const T extends readonly ProxyFilterKind[]>(kinds: T) {
  return kinds.map((k) => k.schema) as { [I in keyof T]: T[I]['schema'] };
}

const BY_TYPE = new Map<string, ProxyFilterKind>(PROXY_FILTER_KINDS.map((k) => [k.type, k as ProxyFilterKind]));

export function compileStep(filter: CompilableFilter): CompiledStep {
  // Every type schema.ts accepts is listed, so the lookup cannot miss.
  return BY_TYPE.get(filter.type)!.compile(filter);
}
