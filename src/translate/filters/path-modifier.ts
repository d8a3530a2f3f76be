// HTTPPathModifier, shared by RequestRedirect and URLRewrite.
import { record } from '../../gatewayapi/values.js';
import type { FilterInputOf } from './kind.js';
import { unsupported } from './kind.js';

type PathModifierInput = NonNullable<FilterInputOf<'URLRewrite'>['urlRewrite']['path']>;

export function pathModifier(raw: unknown): PathModifierInput | undefined {
  if (raw === undefined) return undefined;
  const p = record(raw);
  if (p.type === 'ReplaceFullPath' && typeof p.replaceFullPath === 'string')
    return { type: 'ReplaceFullPath', replaceFullPath: p.replaceFullPath };
  if (p.type === 'ReplacePrefixMatch' && typeof p.replacePrefixMatch === 'string')
    return { type: 'ReplacePrefixMatch', replacePrefixMatch: p.replacePrefixMatch };
  return unsupported(`path modifier type ${String(p.type)} is not supported or lacks its value`);
}

/** ReplacePrefixMatch replaces the PathPrefix that matched, so it needs one. */
export function replacesPrefix(path: PathModifierInput | undefined): boolean {
  return path?.type === 'ReplacePrefixMatch';
}
