// The fast path of manifest parsing. Cold start reads every manifest: with 5,000 routes (1.5 MB of YAML) the
// `yaml` package took ~1.9 s and js-yaml ~0.18 s (measured 2026-12-03, test-output/yamlcmp.ts, same texts).
// `yaml` stays the reference: it gives the line of an error and parses in steps. js-yaml is only asked for
// texts it reads exactly as `yaml` does (YAML 1.2 core schema below); anything else — an error, an anchor
// (aliases: `yaml` caps their expansion, js-yaml does not), a directive, a tag this schema does not know, a
// document that is not an object with a kind and a name — returns undefined and the caller takes the `yaml`
// path, so results and error messages are those of `yaml` (test/sources/fast-yaml.test.ts compares them).
import { FAILSAFE_SCHEMA, Type, loadAll } from 'js-yaml';

/**
 * The texts the fast path takes, at most: js-yaml reads a text in one go (~8 MB/s here), so ~2 ms without a
 * yield. Longer texts are parsed by `yaml` in steps; the file source splits files into documents first, so
 * this caps one document, not a file.
 */
export const FAST_PARSE_MAX_CHARS = 16 * 1024;

// The scalars of YAML 1.2's core schema, as `yaml` (node_modules/yaml/dist/schema/core) resolves them.
const scalar = (tag: string, test: RegExp, construct: (s: string) => unknown) =>
  new Type(`tag:yaml.org,2002:${tag}`, {
    kind: 'scalar',
    resolve: (data: string | null) => test.test(data ?? ''),
    construct: (data: string | null) => construct(data ?? ''),
  });

/** `yaml`'s floatNaN, floatExp and float tests, in one. */
const FLOAT = new RegExp(
  [
    String.raw`[-+]?\.(?:inf|Inf|INF)|\.(?:nan|NaN|NAN)`,
    String.raw`[-+]?(?:\.[0-9]+|[0-9]+(?:\.[0-9]*)?)[eE][-+]?[0-9]+`,
    String.raw`[-+]?(?:\.[0-9]+|[0-9]+\.[0-9]*)`,
  ]
    .map((alternative) => `^(?:${alternative})$`)
    .join('|'),
);

const CORE_SCHEMA_AS_YAML_READS_IT = FAILSAFE_SCHEMA.extend({
  implicit: [
    scalar('null', /^(?:~|[Nn]ull|NULL)?$/, () => null),
    scalar('bool', /^(?:[Tt]rue|TRUE|[Ff]alse|FALSE)$/, (s) => s[0] === 't' || s[0] === 'T'),
    scalar('int', /^(?:[-+]?[0-9]+|0o[0-7]+|0x[0-9a-fA-F]+)$/, intOf),
    scalar('float', FLOAT, floatOf),
  ],
});

function intOf(s: string): number {
  if (s.startsWith('0o')) return parseInt(s.slice(2), 8);
  if (s.startsWith('0x')) return parseInt(s.slice(2), 16);
  return parseInt(s, 10);
}

function floatOf(s: string): number {
  if (/nan$/i.test(s)) return NaN;
  if (/inf$/i.test(s)) return s.startsWith('-') ? -Infinity : Infinity;
  return parseFloat(s);
}

/**
 * What the fast path leaves to `yaml`: an anchor, a tag (each resolves some differently), a directive line,
 * a tab in an indentation, a comment right after a closing bracket or quote (`yaml` rejects it, js-yaml
 * reads a comment), a carriage return alone (a line break to js-yaml, not to `yaml`), a collection as a
 * mapping key (explicit `?` keys, `[a]: b`: the two stringify it differently), a document marker with text
 * right after it. Found by fuzzing the two against each other (test/sources/fast-yaml.test.ts).
 */
const NEEDS_REFERENCE_PARSER =
  /&|(?:^|[\s[{,])!|^[ \t]*%|^ *\t|[\]}"']#|\r(?!\n)|[\]}]\s*:|(?:^|[\s,[{])\?(?:\s|$)|^(?:---|\.\.\.)\S/m;

/**
 * The documents of `text` as `yaml` would give them (empty ones dropped, Lists expanded), or undefined when
 * the text must go through `yaml` (see the file comment).
 */
export function parseFast(text: string): Record<string, unknown>[] | undefined {
  if (text.length > FAST_PARSE_MAX_CHARS || NEEDS_REFERENCE_PARSER.test(text)) return undefined;
  if (!flowAndQuotesReadAlike(text)) return undefined;
  let docs: unknown[];
  try {
    docs = loadAll(text, null, { schema: CORE_SCHEMA_AS_YAML_READS_IT });
  } catch {
    return undefined;
  }
  const objects: Record<string, unknown>[] = [];
  for (const doc of docs) {
    if (doc === null || doc === undefined) continue;
    const items = isList(doc) ? doc.items : [doc];
    for (const item of items) {
      if (!isNamedObject(item) || hasNullKey(item)) return undefined;
      objects.push(item);
    }
  }
  return objects;
}

/**
 * Flow collections and quoted scalars the two read alike: each closed on the line it opens on (js-yaml
 * reads one continued on a less indented line, `yaml` rejects it), and no collection as a key of a flow
 * mapping (`{[a]}`: the two stringify it differently; one followed by ":" is in NEEDS_REFERENCE_PARSER).
 * Brackets and quotes are counted anywhere (an apostrophe in plain text too): a text that only looks open
 * goes to `yaml`, which is never wrong.
 */
function flowAndQuotesReadAlike(text: string): boolean {
  const open: number[] = [];
  let quotes = 0; // each quote character XORed in: 0 while both kinds are paired
  let previous = 0x0a;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c === 0x5b || c === 0x7b) {
      const inMapping = open[open.length - 1] === 0x7b;
      if (previous === 0x7b || (previous === 0x2c && inMapping)) return false;
      open.push(c);
    } else if (c === 0x5d || c === 0x7d) {
      if (open.pop() !== c - 2) return false;
    } else if ((c === 0x22 && previous !== 0x5c) || c === 0x27) quotes ^= c;
    else if (c === 0x0a && (open.length > 0 || quotes !== 0)) return false;
    if (c !== 0x20 && c !== 0x09) previous = c;
  }
  return open.length === 0 && quotes === 0;
}

/** A key js-yaml made of a null (`~:`, `: v`): it writes "null" where `yaml` writes "". */
function hasNullKey(value: unknown): boolean {
  if (Array.isArray(value)) return value.some(hasNullKey);
  if (typeof value !== 'object' || value === null) return false;
  for (const key in value) if (key === 'null' || hasNullKey((value as Record<string, unknown>)[key])) return true;
  return false;
}

function isList(v: unknown): v is { items: unknown[] } {
  return isRecord(v) && typeof v.kind === 'string' && v.kind.endsWith('List') && Array.isArray(v.items);
}

function isNamedObject(v: unknown): v is Record<string, unknown> {
  if (!isRecord(v) || typeof v.kind !== 'string' || !v.kind) return false;
  return isRecord(v.metadata) && typeof v.metadata.name === 'string' && v.metadata.name !== '';
}

function isRecord(v: unknown): v is Record<string, unknown> {
  return typeof v === 'object' && v !== null && !Array.isArray(v);
}
