// URLRewrite (HTTPURLRewriteFilter) → the proxy's rewrite of host and/or path.
import { record, str } from '../../gatewayapi/values.js';
import type { FilterInputOf, FilterTranslator } from './kind.js';
import { pathModifier, replacesPrefix } from './path-modifier.js';

type RewriteInput = FilterInputOf<'URLRewrite'>['urlRewrite'];

export const urlRewrite: FilterTranslator<'URLRewrite'> = {
  type: 'URLRewrite',
  routeKinds: ['HTTPRoute'],
  translate: (f) => ({ type: 'URLRewrite', urlRewrite: rewrite(record(f.urlRewrite)) }),
  needsPrefixMatch: (f) => replacesPrefix(f.urlRewrite.path),
};

function rewrite(r: Record<string, unknown>): RewriteInput {
  const out: RewriteInput = {};
  if (str(r.hostname)) out.hostname = r.hostname as string;
  const path = pathModifier(r.path);
  if (path) out.path = path;
  return out;
}
