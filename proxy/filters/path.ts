// Path modifiers shared by RequestRedirect and URLRewrite (HTTPPathModifier): their config piece and how
// one rewrites a path.
import { z } from 'zod';
import { str } from '../config/fields.js';

export const PathModifier = z.discriminatedUnion('type', [
  z.object({ type: z.literal('ReplaceFullPath'), replaceFullPath: str }),
  z.object({ type: z.literal('ReplacePrefixMatch'), replacePrefixMatch: str }),
]);
export type ProxyPathModifier = z.infer<typeof PathModifier>;

/** Returns the new path (query excluded) for a request path and the PathPrefix that matched it. */
export type PathRewriter = (path: string, matchedPrefix: string | undefined) => string;

export function compilePathModifier(mod: ProxyPathModifier): PathRewriter {
  if (mod.type === 'ReplaceFullPath') {
    const full = mod.replaceFullPath === '' ? '/' : mod.replaceFullPath;
    return () => full;
  }
  const replacement = withoutTrailingSlash(mod.replacePrefixMatch);
  return (path, matchedPrefix) => replacePrefix(path, matchedPrefix, replacement);
}

/**
 * Replaces the matched prefix by whole path segments, so no double or missing slashes appear:
 * with prefix /foo, `/foo/bar` → /xyz/bar (replacement /xyz or /xyz/), `/foo` → /xyz, `/foo/` → /xyz/,
 * and an empty or "/" replacement strips the prefix (`/foo/bar` → /bar, `/foo` → /).
 */
function replacePrefix(path: string, matchedPrefix: string | undefined, replacement: string): string {
  // ReplacePrefixMatch is only valid with a PathPrefix match; without one there is nothing to replace.
  if (matchedPrefix === undefined) return path;
  const prefix = withoutTrailingSlash(matchedPrefix);
  if (!path.startsWith(prefix)) return path;
  const rest = path.slice(prefix.length); // "" or starts with "/" (PathPrefix matches whole segments)
  const joined = replacement + rest;
  return joined === '' ? '/' : joined;
}

function withoutTrailingSlash(value: string): string {
  return value.endsWith('/') ? value.slice(0, -1) : value;
}
