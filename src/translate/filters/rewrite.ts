// URLRewrite (HTTPURLRewriteFilter) → the proxy's rewrite of host and/or path.
import { record } from '../../gatewayapi/values.js';
import { filterHostname, type FilterInputOf, type FilterTranslator } from './kind.js';
import { pathModifier, replacesPrefix } from './path-modifier.js';

type RewriteInput = FilterInputOf<'URLRewrite'>['urlRewrite'];

export const urlRewrite: FilterTranslator<'URLRewrite'> = {
  type: 'URLRewrite',
  routeKinds: ['HTTPRoute'],
  translate: (f) => ({ type: 'URLRewrite', urlRewrite: rewrite(record(f.urlRewrite)) }),
  needsPrefixMatch: (f) => replacesPrefix(f.urlRewrite.path),
};

const rewrite = (r: Record<string, unknown>): RewriteInput => ({
  hostname: filterHostname(r.hostname, 'rewrite'),
  path: pathModifier(r.path),
});
