// Every filter kind the translator serves, and the ones a route CRD allows that it does not.
//
// A filter kind is a pair of modules, not one: src/translate/filters/<kind>.ts turns the Gateway API filter
// into the proxy config's, and proxy/filters/<kind>.ts owns that config's piece of the schema and what it
// compiles to. What they share is the kind's `type` and its schema piece (the contract): this side is typed by
// the schema's input, and the map below must name a translator for every kind proxy/filters/registry.ts
// lists (the type checker refuses a missing one). One module holding both halves would make the proxy, which
// validates untrusted pushes and knows nothing of Kubernetes, import the translator (references, grants,
// Services), and the data plane would carry the control plane; the translator importing the proxy's pure
// schema pieces is the existing direction (proxy/config/schema.ts), and test/translate/layering.test.ts
// checks that it reaches no I/O.
import { cors } from './cors.js';
import { requestHeaderModifier, responseHeaderModifier } from './header-modifier.js';
import type { FilterTranslator, FilterType } from './kind.js';
import { requestMirror } from './mirror.js';
import { requestRedirect } from './redirect.js';
import { urlRewrite } from './rewrite.js';

export const FILTER_TRANSLATORS: { readonly [T in FilterType]: FilterTranslator<T> } = {
  RequestHeaderModifier: requestHeaderModifier,
  ResponseHeaderModifier: responseHeaderModifier,
  RequestRedirect: requestRedirect,
  URLRewrite: urlRewrite,
  RequestMirror: requestMirror,
  CORS: cors,
};

/**
 * Filter types a route CRD (v1.6.1 standard) allows that are not served, and why. A rule using one is dropped
 * (PartiallyInvalid, or Accepted=False/UnsupportedValue when no rule is left), never served without it.
 */
export const UNSUPPORTED_FILTERS: Readonly<Record<string, string>> = {
  ExtensionRef:
    'it names an implementation-specific filter resource, and this implementation defines none: there is nothing it could apply',
};
