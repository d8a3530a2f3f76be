// RequestHeaderModifier and ResponseHeaderModifier (HTTPHeaderFilter): one config shape, applied to the
// request before forwarding or to the response headers. Values are never joined with ", ": `add` appends a
// separate entry.
import { z } from 'zod';
import { headerName, headerValue } from '../config/fields.js';
import { filterKind } from './steps.js';
import type { HeaderList } from './types.js';

const HeaderPair = z.object({ name: headerName, value: headerValue });
export const HeaderModifier = z.object({
  set: z.array(HeaderPair).max(64).optional(),
  add: z.array(HeaderPair).max(64).optional(),
  remove: z.array(headerName).max(64).optional(),
});
export type ProxyHeaderModifier = z.infer<typeof HeaderModifier>;

export const requestHeaderModifier = filterKind({
  type: 'RequestHeaderModifier',
  schema: z.object({ type: z.literal('RequestHeaderModifier'), requestHeaderModifier: HeaderModifier }),
  compile(filter) {
    const modify = compileHeaderModifier(filter.requestHeaderModifier);
    return { request: (ctx) => void modify(ctx.head.headers) };
  },
});

export const responseHeaderModifier = filterKind({
  type: 'ResponseHeaderModifier',
  schema: z.object({ type: z.literal('ResponseHeaderModifier'), responseHeaderModifier: HeaderModifier }),
  compile(filter) {
    const modify = compileHeaderModifier(filter.responseHeaderModifier);
    return { response: (_ctx, _status, headers) => modify(headers) };
  },
});

/**
 * Compiles a header modifier into one in-place pass: drop every entry named in `remove` or `set`,
 * then append the `set` values, then the `add` values (so added values follow the existing ones).
 */
export function compileHeaderModifier(mod: ProxyHeaderModifier): (headers: HeaderList) => void {
  const sets = firstPerName(mod.set ?? []);
  const adds: HeaderList = (mod.add ?? []).map((h) => [h.name.toLowerCase(), h.value]);
  const dropped = new Set<string>([...(mod.remove ?? []).map((n) => n.toLowerCase()), ...sets.map(([n]) => n)]);
  const appended: HeaderList = [...sets, ...adds];
  return (headers) => {
    if (dropped.size > 0) {
      let w = 0;
      for (const entry of headers) if (!dropped.has(entry[0])) headers[w++] = entry;
      headers.length = w;
    }
    for (const entry of appended) headers.push([entry[0], entry[1]]);
  };
}

/** Equivalent names (case-insensitive): the first entry counts, later ones are ignored (HTTPHeader spec). */
function firstPerName(pairs: Array<{ name: string; value: string }>): HeaderList {
  const seen = new Set<string>();
  const out: HeaderList = [];
  for (const { name, value } of pairs) {
    const lower = name.toLowerCase();
    if (seen.has(lower)) continue;
    seen.add(lower);
    out.push([lower, value]);
  }
  return out;
}
