// Operations on HeaderList (lower-cased names, one entry per value), shared by the filter kinds.
import type { HeaderList } from './types.js';

/** The first value of a header, or undefined. `name` must be lower-case. */
export function firstHeader(headers: HeaderList, name: string): string | undefined {
  for (const [n, v] of headers) if (n === name) return v;
  return undefined;
}

/** Replaces every value of `name` with one entry (kept at the first one's position). */
export function setHeader(headers: HeaderList, name: string, value: string): void {
  let kept = false;
  let w = 0;
  for (const entry of headers) {
    if (entry[0] !== name) headers[w++] = entry;
    else if (!kept) {
      headers[w++] = [name, value];
      kept = true;
    }
  }
  headers.length = w;
  if (!kept) headers.push([name, value]);
}

/** Adds `token` to Vary unless Vary already lists it (or `*`). */
export function addVary(headers: HeaderList, token: string): void {
  const wanted = token.toLowerCase();
  for (const [n, v] of headers) {
    if (n !== 'vary') continue;
    for (const part of v.split(',')) {
      const t = part.trim().toLowerCase();
      if (t === wanted || t === '*') return;
    }
  }
  headers.push(['vary', token]);
}
